#include "server/citizen_common.hpp"

#include "app/filing.hpp"
#include "app/notifications.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "server/config.hpp"
#include "server/letters.hpp"
#include "sql/applications.hpp"
#include "sql/staff.hpp"
#include "workflow/deadlines.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace gongkai::citizen {

namespace {

// The last event of a kind, with its payload.
std::optional<case_event> last_event(const case_view& v, event_kind kind) {
  for (auto it = v.log.rbegin(); it != v.log.rend(); ++it)
    if (it->event == to_string(kind))
      return event_from_payload(kind, it->effective_on, parse_role(it->actor_role).value_or(role::staff), it->payload);
  return std::nullopt;
}

// The steps of a case that concern the applicant, in their words; internal steps (assignment, notes,
// extension requests and refusals, consultation letters' recipients) are not theirs to see.
std::optional<std::string> applicant_step(const stored_transition& t) {
  if (t.event == "calendar_updated") return "节假日安排调整，答复期限重新计算";
  auto k = parse_event(t.event);
  if (!k) return std::nullopt;  // assign, note and any other internal bookkeeping
  switch (*k) {
    case event_kind::register_case: return "收到申请";
    case event_kind::accept: return "受理";
    case event_kind::request_correction: return "告知补正";
    case event_kind::correction_received: return "收到补正，答复期限重新计算";
    case event_kind::correction_expired: return "补正期限届满，视为放弃申请";
    case event_kind::consult: return "征求第三方意见（所需时间不计入答复期限）";
    case event_kind::consultation_answered:
    case event_kind::consultation_expired: return "征求意见结束，答复期限继续计算";
    case event_kind::request_extension:
    case event_kind::refuse_extension: return std::nullopt;
    case event_kind::approve_extension: return "延长答复期限";
    case event_kind::answer: return "作出答复";
    case event_kind::withdraw: return "撤回申请";
    case event_kind::file_appeal: return "提起行政复议或行政诉讼";
    case event_kind::decide_appeal: return "行政复议或行政诉讼结果";
    case event_kind::close: return "办结归档";
  }
  return std::nullopt;
}

// The periods for appealing the answer, as the machine computed them: reconsideration (60 days) and,
// unless reconsideration comes first, litigation (6 months). Each with its last day and explanation.
json::object appeal_windows(const deadlines& clocks) {
  json::object out;
  auto add = [&](const char* name, const clock& c) {
    if (!c.due) return;
    json::array lines;
    for (const auto& l : c.explanation) lines.emplace_back(l);
    out[name] = json::object{{"due", format_date(*c.due)}, {"explanation", std::move(lines)}};
  };
  add("reconsideration", clocks.reconsideration);
  add("litigation", clocks.litigation);
  return out;
}

data view_data(request_context& ctx, const case_view& v, const std::string& access_code, const std::string& notice) {
  auto j = view_json(v);
  data d;
  d.set("tracking_no", v.row.tracking_no);
  d.set("access_code", access_code);
  d.set("state_zh", std::string(name_zh(v.row.state)));
  d.set("received_on", format_date(v.row.received_on));
  if (v.clocks.reply.due) d.set("reply_due", format_date(*v.clocks.reply.due));
  d.set("provisional", v.clocks.reply.provisional);
  data explanation{data::type::list};
  for (const auto& l : v.clocks.reply.explanation) explanation.push_back(data(l));
  d.set("explanation", explanation);
  if (v.request) {
    d.set("request_description", v.request->description);
    d.set("request_info_form", label_of(form_choices(), v.request->info_form));
    d.set("request_delivery", label_of(delivery_choices(), v.request->delivery));
  }
  if (v.overdue) {
    d.set("overdue", true);
    d.set("overdue_working_days", std::to_string(v.overdue_working_days));
    d.set("overdue_remedies", std::string(j["overdue_remedies"].as_string()));
  }
  data steps{data::type::list};
  for (const auto& t : v.log) {
    auto name = applicant_step(t);
    if (!name) continue;
    data s;
    s.set("date", format_date(t.effective_on));
    s.set("name", *name);
    steps.push_back(s);
  }
  d.set("steps", steps);
  if (!notice.empty()) d.set("notice", notice);
  if (v.row.state == case_state::correction_requested) {
    const auto& todo = j["todo"].as_object();
    d.set("correction_items", std::string(todo.at("items").as_string()));
    d.set("correction_until", std::string(todo.at("until").as_string()));
    d.set("csrf_correct", crypto::sign_form_token(ctx.svc.form_key, "track", ctx.now_s(), form_lifetime_seconds));
  }
  if (j["reply"].is_object()) {
    const auto& r = j["reply"].as_object();
    data reply;
    for (const char* k : {"date", "outcome_zh", "text", "legal_basis", "withheld", "remedies"}) {
      std::string value(r.at(k).as_string());
      if (!value.empty()) reply.set(k, value);
    }
    d.set("reply", reply);
  }
  letters::add_list(d, letters::of_case(v.log, true));
  d.set("notices", notifications::list_data(v.messages));
  d.set("has_notices", !v.messages.empty());
  if (may_withdraw(v.row.state))
    d.set("csrf_withdraw", crypto::sign_form_token(ctx.svc.form_key, "track", ctx.now_s(), form_lifetime_seconds));
  return d;
}

}  // namespace

case_view load_view(request_context& ctx, const case_row& row) {
  case_view v{row, cases::transitions(*ctx.db, row.id), {}, outbox::for_applicant(*ctx.db, row.id),
              staff_store::setting(*ctx.db, "reconsideration_body", std::string(default_reconsideration_body))};
  v.request = applications::details(*ctx.db, row.id);
  auto cal = calendar(ctx);
  v.clocks = cases::clocks_of(v.log, *cal);
  const date today = china_date(ctx.now_s());
  v.overdue = v.clocks.overdue(today);
  v.overdue_working_days = v.clocks.overdue_working_days(today, *cal);
  return v;
}

// Art. 41 is silent on withdrawal; [Gongkai rule] an applicant may withdraw until the case is concluded.
bool may_withdraw(case_state s) { return is_open(s); }

json::object view_json(const case_view& v) {
  json::object o{{"tracking_no", v.row.tracking_no},
                 {"state", to_string(v.row.state)},
                 {"state_zh", name_zh(v.row.state)},
                 {"received_on", format_date(v.row.received_on)},
                 {"version", v.row.version}};
  o["reply_due"] = v.clocks.reply.due ? json::value(format_date(*v.clocks.reply.due)) : json::value(nullptr);
  o["reply_due_provisional"] = v.clocks.reply.provisional;
  // What they asked for: the information described and how they want it (never their identity data).
  o["request"] = v.request ? json::value(json::object{{"description", v.request->description},
                                                       {"info_form", v.request->info_form},
                                                       {"delivery", v.request->delivery}})
                           : json::value(nullptr);
  // Past the reply due date without an answer (Art. 33), and what the applicant may do (Art. 51).
  o["overdue"] = v.overdue;
  o["overdue_working_days"] = v.overdue_working_days;
  o["overdue_remedies"] = v.overdue ? json::value(remedies_when_overdue(v.reconsideration_body).text_zh) : json::value(nullptr);
  json::array explanation;
  for (const auto& l : v.clocks.reply.explanation) explanation.emplace_back(l);
  o["due_explanation"] = std::move(explanation);
  json::array steps;
  for (const auto& t : v.log)
    if (auto name = applicant_step(t))
      steps.push_back(json::object{{"date", format_date(t.effective_on)},
                                   {"recorded_at", test_clock::format_iso8601_china(t.occurred_at_ms)},
                                   {"event", t.event},
                                   {"event_zh", *name}});
  o["steps"] = std::move(steps);
  o["todo"] = nullptr;
  if (v.row.state == case_state::correction_requested) {
    auto req = last_event(v, event_kind::request_correction);
    o["todo"] = json::object{{"action", "correction"},
                             {"items", req ? req->items : std::string()},
                             {"until", v.clocks.correction_period.due ? format_date(*v.clocks.correction_period.due) : ""}};
  }
  o["reply"] = nullptr;
  if (v.row.state == case_state::answered || v.row.state == case_state::appealed || v.row.state == case_state::closed) {
    auto a = last_event(v, event_kind::answer);
    if (auto expired = last_event(v, event_kind::correction_expired); expired && (!a || expired->on > a->on)) {
      // Concluded by the system: the correction never came (Art. 30).
      a = expired;
      a->outcome = std::string(outcome_abandoned_correction);
      a->reply_text = std::string(find_outcome(outcome_abandoned_correction)->decision_zh);
    }
    if (a) {
      const auto* code = find_outcome(a->outcome);
      auto r = remedies_for(a->outcome, a->on, v.reconsideration_body);
      o["reply"] = json::object{{"date", format_date(a->on)},
                                {"outcome", a->outcome},
                                {"outcome_zh", code ? std::string(code->category_zh) + " " + std::string(code->reason_zh) : ""},
                                {"text", a->reply_text},
                                {"legal_basis", a->legal_basis},
                                {"withheld", a->withheld},
                                {"remedies", r.text_zh},
                                {"reconsideration_first", r.reconsideration_first},
                                {"appeal_windows", appeal_windows(v.clocks)}};
    }
  }
  json::array notices;
  for (const auto& msg : v.messages) {
    auto text = notifications::render(msg);
    notices.push_back(json::object{{"subject", text.subject}, {"body", text.body}, {"status", msg.status},
                                   {"date", format_date(china_date(msg.created_at / 1000))}});
  }
  o["messages"] = std::move(notices);
  json::array letter_list;
  for (const auto& l : letters::of_case(v.log, true))
    letter_list.push_back(json::object{{"seq", l.seq}, {"title", l.title}, {"date", format_date(l.on)}});
  o["letters"] = std::move(letter_list);
  o["can_withdraw"] = may_withdraw(v.row.state);
  o["can_correct"] = v.row.state == case_state::correction_requested;
  return o;
}

http::response status_page(request_context& ctx, const case_view& v, const std::string& code, const std::string& notice) {
  return http::html_response(ctx.req, status::ok, render_page("申请办理进度", "status", view_data(ctx, v, code, notice)));
}

}  // namespace gongkai::citizen
