#pragma once
// The vocabulary of a case (申请): states, roles, events and their payloads, outcome codes. Pure code.
#include "workflow/calendar.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gongkai::workflow {

enum class case_state {
  received,              // 已收到
  correction_requested,  // 待补正
  under_review,          // 审查办理中
  consulting,            // 征求意见中
  answered,              // 已答复
  appealed,              // 复议/诉讼中
  closed,                // 已归档
  withdrawn,             // 已撤回
};
inline constexpr case_state all_states[] = {case_state::received, case_state::correction_requested,
                                            case_state::under_review, case_state::consulting, case_state::answered,
                                            case_state::appealed, case_state::closed, case_state::withdrawn};
// Not yet concluded: the reply clock (or a pause of it) runs, and the applicant may still withdraw.
inline constexpr case_state open_states[] = {case_state::received, case_state::correction_requested,
                                             case_state::under_review, case_state::consulting};
bool is_open(case_state s);
// The open states as an SQL list, "('received', 'correction_requested', 'under_review', 'consulting')".
const std::string& open_states_sql();
std::string_view to_string(case_state s);
std::string_view name_zh(case_state s);
std::optional<case_state> parse_state(std::string_view s);

enum class role { applicant, staff, supervisor, system };
std::string_view to_string(role r);
std::string_view name_zh(role r);
std::optional<role> parse_role(std::string_view s);

enum class event_kind {
  register_case,          // 登记 (the case comes into being)
  accept,                 // 受理
  request_correction,     // 补正告知
  correction_received,    // 收到补正
  correction_expired,     // 补正期限届满 (system)
  consult,                // 征求意见
  consultation_answered,  // 收到意见
  consultation_expired,   // 征求意见期限届满 (system)
  request_extension,      // 申请延期
  approve_extension,      // 批准延期
  refuse_extension,       // 不批准延期
  answer,                 // 答复
  withdraw,               // 撤回
  file_appeal,            // 提起复议/诉讼
  decide_appeal,          // 复议/诉讼结果
  close,                  // 归档
};
inline constexpr event_kind all_events[] = {
    event_kind::register_case, event_kind::accept, event_kind::request_correction, event_kind::correction_received,
    event_kind::correction_expired, event_kind::consult, event_kind::consultation_answered,
    event_kind::consultation_expired, event_kind::request_extension, event_kind::approve_extension,
    event_kind::refuse_extension, event_kind::answer, event_kind::withdraw, event_kind::file_appeal,
    event_kind::decide_appeal, event_kind::close};
std::string_view to_string(event_kind e);
std::string_view name_zh(event_kind e);
std::optional<event_kind> parse_event(std::string_view s);

// The annual report's outcome codes (2021 format): "1", "2", "3.1".."3.8", "4.1".."4.3", "5.1".."5.5",
// "6.1".."6.3". Categories 3-6 need a sub-reason; 1 and 2 have none.
struct outcome_code {
  std::string_view code;
  std::string_view category_zh;  // （三）不予公开
  std::string_view reason_zh;    // 属于国家秘密 (empty for 1 and 2)
  std::string_view decision_zh;  // the decision as the reply letter states it (Art. 36-39)
  std::string_view basis_zh;     // the articles it rests on
};
// Since 2024-01-01 a refusal to disclose must go to reconsideration before litigation (复议前置,
// 行政复议法 (2023) Art. 23(1)(4)).
bool reconsideration_first(std::string_view outcome, date answered_on);

// The remedies open against an answer (any outcome code, 6.1 included), decided once for the letter, the tracking page, the API, the
// notice and the staff page (条例 Art. 51; 行政复议法 (2023) Art. 20, 23; 行政诉讼法 Art. 46).
struct remedies {
  bool reconsideration_first = false;  // 复议前置: litigation only after the reconsideration decision
  std::string text_zh;                 // the sentence every view shows
};
// What letters say when the agency has not named its reconsideration body (setting reconsideration_body).
inline constexpr std::string_view default_reconsideration_body = "本机关的上一级行政机关";
// `body` names the reconsideration body (the agency's setting); empty says only "依法".
remedies remedies_for(std::string_view outcome, date answered_on, std::string_view body);
// When no answer came within the reply period: Art. 51 (complaint or report to the agency one level up or
// to the competent open-government department), reconsideration or litigation against the failure to
// answer. 复议前置 concerns decisions not to disclose, not a missing answer (ogi-rules.md §5).
remedies remedies_when_overdue(std::string_view body);
const std::vector<outcome_code>& outcome_codes();
const outcome_code* find_outcome(std::string_view code);
inline constexpr std::string_view outcome_abandoned_correction = "6.1";  // 逾期不补正
inline constexpr std::string_view outcome_withdrawn = "6.3";             // 其他 (withdrawn)

enum class appeal_kind { reconsideration, litigation, litigation_after_reconsideration };
std::string_view to_string(appeal_kind k);
std::optional<appeal_kind> parse_appeal_kind(std::string_view s);
enum class appeal_result { upheld, corrected, other };  // 维持 / 纠正 / 其他
std::string_view to_string(appeal_result r);
std::optional<appeal_result> parse_appeal_result(std::string_view s);

// One event with the fields it may carry; which fields an event needs is checked by its guard.
struct case_event {
  event_kind kind = event_kind::register_case;
  date on{};                  // the effective local date (Asia/Shanghai)
  role actor_role = role::staff;
  std::string reason;         // extension, refusal, withdrawal, internal reason
  int days = 0;               // extension: working days asked; correction: period (0 = default); reopen: new period
  std::string items;          // correction: every item to correct (一次性告知)
  std::string text;           // correction_received: what the applicant supplied
  std::string outcome;        // answer: outcome code
  std::string legal_basis;    // answer
  std::string reply_text;     // answer
  std::string withheld;       // answer 部分公开: what is withheld and why
  std::string party;          // consult: the third party or agency
  std::optional<appeal_kind> appeal;
  std::optional<appeal_result> result;
  std::optional<date> new_due;  // decide_appeal 纠正: the date set by the decision
  std::string channel;        // register: online, in_person, registered_mail, ordinary_mail, fax, oral
};

// A stored transition: the event, the states it moved between, and its sequence in the case.
struct transition_record {
  int seq = 0;
  case_event event;
  std::optional<case_state> from;  // empty for register_case
  case_state to = case_state::received;
};
using case_history = std::vector<transition_record>;

// The event's payload as a JSON object (only fields that are set) and back.
std::string payload_json(const case_event& e);
case_event event_from_payload(event_kind kind, date on, role actor, std::string_view json);

}  // namespace gongkai::workflow
