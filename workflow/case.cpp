#include "workflow/case.hpp"

#include <boost/json.hpp>

#include <array>
#include <chrono>
#include <utility>

namespace gongkai::workflow {

using std::chrono::sys_days;

namespace {

template <class E, std::size_t N>
using names = std::array<std::pair<E, std::array<std::string_view, 2>>, N>;

constexpr names<case_state, 8> state_names{{
    {case_state::received, {"received", "已收到"}},
    {case_state::correction_requested, {"correction_requested", "待补正"}},
    {case_state::under_review, {"under_review", "审查办理中"}},
    {case_state::consulting, {"consulting", "征求意见中"}},
    {case_state::answered, {"answered", "已答复"}},
    {case_state::appealed, {"appealed", "复议/诉讼中"}},
    {case_state::closed, {"closed", "已归档"}},
    {case_state::withdrawn, {"withdrawn", "已撤回"}},
}};

constexpr names<role, 4> role_names{{
    {role::applicant, {"applicant", "申请人"}},
    {role::staff, {"staff", "承办人"}},
    {role::supervisor, {"supervisor", "负责人"}},
    {role::system, {"system", "系统"}},
}};

constexpr names<event_kind, 16> event_names{{
    {event_kind::register_case, {"register", "登记"}},
    {event_kind::accept, {"accept", "受理"}},
    {event_kind::request_correction, {"request_correction", "补正告知"}},
    {event_kind::correction_received, {"correction_received", "收到补正"}},
    {event_kind::correction_expired, {"correction_expired", "逾期未补正"}},
    {event_kind::consult, {"consult", "征求意见"}},
    {event_kind::consultation_answered, {"consultation_answered", "收到意见"}},
    {event_kind::consultation_expired, {"consultation_expired", "征求意见期满"}},
    {event_kind::request_extension, {"request_extension", "申请延期"}},
    {event_kind::approve_extension, {"approve_extension", "批准延期"}},
    {event_kind::refuse_extension, {"refuse_extension", "不批准延期"}},
    {event_kind::answer, {"answer", "答复"}},
    {event_kind::withdraw, {"withdraw", "撤回申请"}},
    {event_kind::file_appeal, {"file_appeal", "提起复议/诉讼"}},
    {event_kind::decide_appeal, {"decide_appeal", "复议/诉讼结果"}},
    {event_kind::close, {"close", "归档"}},
}};

template <class E, std::size_t N>
std::string_view name_of(const names<E, N>& table, E value, int which) {
  for (const auto& [v, n] : table)
    if (v == value) return n[which];
  return "?";
}

template <class E, std::size_t N>
std::optional<E> parse_name(const names<E, N>& table, std::string_view s) {
  for (const auto& [v, n] : table)
    if (n[0] == s) return v;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(case_state s) { return name_of(state_names, s, 0); }
std::string_view name_zh(case_state s) { return name_of(state_names, s, 1); }
std::optional<case_state> parse_state(std::string_view s) { return parse_name(state_names, s); }
std::string_view to_string(role r) { return name_of(role_names, r, 0); }
std::string_view name_zh(role r) { return name_of(role_names, r, 1); }
std::optional<role> parse_role(std::string_view s) { return parse_name(role_names, s); }
std::string_view to_string(event_kind e) { return name_of(event_names, e, 0); }
std::string_view name_zh(event_kind e) { return name_of(event_names, e, 1); }
std::optional<event_kind> parse_event(std::string_view s) { return parse_name(event_names, s); }

// The 2021 annual-report format (国办公开办函〔2021〕30号), table 三, rows （一）-（六）.
const std::vector<outcome_code>& outcome_codes() {
  static const std::vector<outcome_code> codes = {
      {"1", "（一）予以公开", "", "经审查，您申请获取的政府信息属于公开范围，本机关予以公开。",
       "《中华人民共和国政府信息公开条例》第三十六条第二项"},
      {"2", "（二）部分公开", "",
       "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理，本机关向您提供可以公开的部分，并对不予公开的部分说明理由。",
       "《中华人民共和国政府信息公开条例》第三十七条"},
      {"3.1", "（三）不予公开", "属于国家秘密", "经审查，您申请获取的政府信息依法确定为国家秘密，本机关不予公开。",
       "《中华人民共和国政府信息公开条例》第十四条、第三十六条第三项"},
      {"3.2", "（三）不予公开", "其他法律行政法规禁止公开", "经审查，您申请获取的政府信息属于法律、行政法规禁止公开的信息，本机关不予公开。",
       "《中华人民共和国政府信息公开条例》第十四条、第三十六条第三项"},
      {"3.3", "（三）不予公开", "危及“三安全一稳定”", "经审查，您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，本机关不予公开。",
       "《中华人民共和国政府信息公开条例》第十四条、第三十六条第三项"},
      {"3.4", "（三）不予公开", "保护第三方合法权益",
       "经审查，您申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害，本机关不予公开。",
       "《中华人民共和国政府信息公开条例》第十五条、第三十二条、第三十六条第三项"},
      {"3.5", "（三）不予公开", "属于三类内部事务信息", "经审查，您申请获取的信息属于行政机关的内部事务信息，本机关不予公开。",
       "《中华人民共和国政府信息公开条例》第十六条第一款、第三十六条第三项"},
      {"3.6", "（三）不予公开", "属于四类过程性信息",
       "经审查，您申请获取的信息属于行政机关在履行行政管理职能过程中形成的过程性信息，本机关不予公开。",
       "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第三项"},
      {"3.7", "（三）不予公开", "属于行政执法案卷", "经审查，您申请获取的信息属于行政执法案卷信息，本机关不予公开。",
       "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第三项"},
      {"3.8", "（三）不予公开", "属于行政查询事项",
       "经审查，您申请获取的信息属于法律、行政法规对获取有特别规定的查询事项，请依照有关法律、行政法规的规定办理。",
       "《中华人民共和国政府信息公开条例》第三十六条第七项"},
      {"4.1", "（四）无法提供", "本机关不掌握相关政府信息",
       "经检索，本机关未制作、获取您申请公开的政府信息，该政府信息不存在或不属于本机关负责公开。",
       "《中华人民共和国政府信息公开条例》第三十六条第四项、第五项"},
      {"4.2", "（四）无法提供", "没有现成信息需要另行制作",
       "经审查，本机关没有您申请获取的现成信息，提供该信息需要另行制作、搜集、汇总或者加工分析，本机关依法不予提供。",
       "《中华人民共和国政府信息公开条例》第三十八条"},
      {"4.3", "（四）无法提供", "补正后申请内容仍不明确", "您补正后的申请内容仍不明确，本机关无法确定您所需的政府信息，无法提供。",
       "《中华人民共和国政府信息公开条例》第二十九条、第三十条"},
      {"5.1", "（五）不予处理", "信访举报投诉类申请",
       "您以政府信息公开申请的形式提出的是信访、投诉、举报等诉求，本机关告知您通过相应渠道提出，不作为政府信息公开申请处理。",
       "《中华人民共和国政府信息公开条例》第三十九条第一款"},
      {"5.2", "（五）不予处理", "重复申请", "您的申请与此前已答复的申请内容相同，本机关已作出答复，不再重复处理。",
       "《中华人民共和国政府信息公开条例》第三十六条第六项"},
      {"5.3", "（五）不予处理", "要求提供公开出版物", "您申请获取的是公开出版物，本机关告知您获取的途径。",
       "《中华人民共和国政府信息公开条例》第三十九条第二款"},
      {"5.4", "（五）不予处理", "无正当理由大量反复申请",
       "您申请公开政府信息的数量、频次明显超过合理范围，经要求说明理由，理由不合理，本机关不予处理。",
       "《中华人民共和国政府信息公开条例》第三十五条"},
      {"5.5", "（五）不予处理", "要求行政机关确认或重新出具已获取信息",
       "您要求本机关确认或者重新出具已获取的信息，不属于政府信息公开申请，本机关不予处理。",
       "《中华人民共和国政府信息公开条例》第三十九条"},
      {"6.1", "（六）其他处理", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
       "您未在补正期限内补正，且无正当理由，视为放弃申请，本机关不再处理该政府信息公开申请。",
       "《中华人民共和国政府信息公开条例》第三十条"},
      {"6.2", "（六）其他处理", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
       "您未在规定期限内缴纳信息处理费，视为放弃申请，本机关不再处理该政府信息公开申请。",
       "《政府信息公开信息处理费管理办法》"},
      {"6.3", "（六）其他处理", "其他", "本机关对您的申请作如下处理。", "《中华人民共和国政府信息公开条例》"},
  };
  return codes;
}

bool is_open(case_state s) {
  for (auto o : open_states)
    if (o == s) return true;
  return false;
}

const std::string& open_states_sql() {
  static const std::string list = [] {
    std::string out;
    for (auto o : open_states) out += std::string(out.empty() ? "(" : ", ") + "'" + std::string(to_string(o)) + "'";
    return out + ")";
  }();
  return list;
}

bool reconsideration_first(std::string_view outcome, date answered_on) {
  static const date in_force = sys_days{std::chrono::year{2024} / 1 / 1};
  return outcome.starts_with("3.") && answered_on >= in_force;
}

remedies remedies_for(std::string_view outcome, date answered_on, std::string_view body) {
  remedies r;
  r.reconsideration_first = reconsideration_first(outcome, answered_on);
  const std::string to = body.empty() ? std::string("依法") : "向" + std::string(body);
  if (r.reconsideration_first)
    r.text_zh = "如对本答复不服，根据《中华人民共和国行政复议法》第二十三条第一款第四项的规定，应当自收到本答复书之日起60日内" +
                to + "申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起15日内依法向人民法院提起行政诉讼。";
  else
    r.text_zh = "如对本答复不服，可以自收到本答复书之日起60日内" + to +
                "申请行政复议，也可以自收到本答复书之日起6个月内依法向人民法院提起行政诉讼。";
  return r;
}

remedies remedies_when_overdue(std::string_view body) {
  remedies r;
  const std::string to = body.empty() ? std::string("依法") : "向" + std::string(body);
  r.text_zh = "本机关未在法定期限内答复的，您可以依据《中华人民共和国政府信息公开条例》第五十一条，向上一级行政机关或者"
              "政府信息公开工作主管部门投诉、举报，也可以" + to + "申请行政复议，或者依法向人民法院提起行政诉讼。";
  return r;
}

const outcome_code* find_outcome(std::string_view code) {
  for (const auto& c : outcome_codes())
    if (c.code == code) return &c;
  return nullptr;
}

std::string_view to_string(appeal_kind k) {
  switch (k) {
    case appeal_kind::reconsideration: return "reconsideration";
    case appeal_kind::litigation: return "litigation";
    case appeal_kind::litigation_after_reconsideration: return "litigation_after_reconsideration";
  }
  return "?";
}

std::optional<appeal_kind> parse_appeal_kind(std::string_view s) {
  for (auto k : {appeal_kind::reconsideration, appeal_kind::litigation, appeal_kind::litigation_after_reconsideration})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

std::string_view to_string(appeal_result r) {
  switch (r) {
    case appeal_result::upheld: return "upheld";
    case appeal_result::corrected: return "corrected";
    case appeal_result::other: return "other";
  }
  return "?";
}

std::optional<appeal_result> parse_appeal_result(std::string_view s) {
  for (auto r : {appeal_result::upheld, appeal_result::corrected, appeal_result::other})
    if (to_string(r) == s) return r;
  return std::nullopt;
}

std::string payload_json(const case_event& e) {
  boost::json::object o;
  auto text = [&](const char* key, const std::string& v) {
    if (!v.empty()) o[key] = v;
  };
  text("reason", e.reason);
  if (e.days) o["days"] = e.days;
  text("items", e.items);
  text("text", e.text);
  text("outcome", e.outcome);
  text("legal_basis", e.legal_basis);
  text("reply_text", e.reply_text);
  text("withheld", e.withheld);
  text("party", e.party);
  text("channel", e.channel);
  if (e.appeal) o["appeal"] = to_string(*e.appeal);
  if (e.result) o["result"] = to_string(*e.result);
  if (e.new_due) o["new_due"] = format_date(*e.new_due);
  return boost::json::serialize(o);
}

case_event event_from_payload(event_kind kind, date on, role actor, std::string_view json) {
  case_event e;
  e.kind = kind;
  e.on = on;
  e.actor_role = actor;
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return e;
  const auto& o = v.as_object();
  auto text = [&](const char* key, std::string& out) {
    if (auto* p = o.if_contains(key); p && p->is_string()) out = std::string(p->as_string());
  };
  text("reason", e.reason);
  if (auto* p = o.if_contains("days"); p && p->is_int64()) e.days = static_cast<int>(p->as_int64());
  text("items", e.items);
  text("text", e.text);
  text("outcome", e.outcome);
  text("legal_basis", e.legal_basis);
  text("reply_text", e.reply_text);
  text("withheld", e.withheld);
  text("party", e.party);
  text("channel", e.channel);
  if (auto* p = o.if_contains("appeal"); p && p->is_string()) e.appeal = parse_appeal_kind(p->as_string());
  if (auto* p = o.if_contains("result"); p && p->is_string()) e.result = parse_appeal_result(p->as_string());
  if (auto* p = o.if_contains("new_due"); p && p->is_string()) e.new_due = parse_date(p->as_string());
  return e;
}

}  // namespace gongkai::workflow
