#include "server/citizen.hpp"

#include "core/clock.hpp"
#include "server/config.hpp"
#include "core/crypto.hpp"
#include "server/letters.hpp"
#include "app/notifications.hpp"
#include "server/templates.hpp"
#include "sql/applications.hpp"
#include "sql/staff.hpp"
#include "workflow/deadlines.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace gongkai::citizen {

namespace {

namespace json = boost::json;
using namespace workflow;
using http::status;
using http::verb;
using kainjow::mustache::data;

constexpr long long form_lifetime_seconds = 2 * 3600;
const std::string not_found_message = "没有找到该申请，或查询码不正确";

long long now_seconds() { return unix_now(); }

// ---- Choices shown on the form (value, label) ----
using choices = std::vector<std::pair<std::string, std::string>>;
const choices category_choices = {{"natural_person", "自然人"}, {"commercial", "商业企业"}, {"research", "科研机构"},
                                  {"public_interest", "社会公益组织"}, {"legal_services", "法律服务机构"}, {"other", "其他组织"}};
const choices id_type_choices = {{"resident_id", "居民身份证"}, {"passport", "护照"}, {"hk_macao_permit", "港澳居民来往内地通行证"},
                                 {"taiwan_permit", "台湾居民来往大陆通行证"}, {"other", "其他证件"}};
const choices form_choices = {{"electronic", "电子文本"}, {"paper", "纸质文本"}};
const choices delivery_choices = {{"download", "网上获取"}, {"email", "电子邮件"}, {"post", "邮寄"}, {"pickup", "当面领取"}};

std::string label_of(const choices& list, const std::string& value) {
  for (const auto& [v, l] : list)
    if (v == value) return l;
  return value;
}

data options(const choices& list, const std::string& selected) {
  data out{data::type::list};
  for (const auto& [v, l] : list) {
    data o;
    o.set("value", v);
    o.set("label", l);
    o.set("selected", v == selected);
    out.push_back(o);
  }
  return out;
}

// ---- Shared helpers ----
void require_rate(request_context& ctx, std::string_view purpose, int limit, int window) {
  if (!rate_limit::allow(*ctx.db, purpose, ctx.client, limit, window, now_seconds())) {
    http::http_error e(status::too_many_requests, "rate_limited", "操作过于频繁，请稍后再试");
    throw e;
  }
}

std::string csrf_nonce(request_context& ctx, const std::map<std::string, std::string>& form, std::string_view purpose) {
  auto it = form.find("csrf");
  if (it == form.end() || it->second.empty())
    throw http::http_error(status::forbidden, "form_token_missing", "表单已失效，请刷新页面后重新提交");
  auto nonce = crypto::verify_form_token(ctx.svc.form_key, purpose, it->second, now_seconds());
  if (!nonce) throw http::http_error(status::forbidden, "form_token_invalid", "表单已失效，请刷新页面后重新提交");
  return *nonce;
}

std::string field(const std::map<std::string, std::string>& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

std::shared_ptr<const working_calendar> calendar(request_context& ctx) { return ctx.svc.calendar->get(*ctx.db); }

// ---- The applicant's view of a case ----
struct case_view {
  case_row row;
  std::vector<stored_transition> log;
  deadlines clocks;
  std::vector<outbox::message> messages;  // addressed to the applicant only
  std::string reconsideration_body;
};

case_view load_view(request_context& ctx, const case_row& row) {
  case_view v{row, cases::transitions(*ctx.db, row.id), {}, outbox::for_applicant(*ctx.db, row.id),
              staff_store::setting(*ctx.db, "reconsideration_body", std::string(default_reconsideration_body))};
  v.clocks = compute_deadlines(cases::machine_history(v.log), *calendar(ctx));
  return v;
}

bool may_withdraw(case_state s) {
  return s == case_state::received || s == case_state::correction_requested || s == case_state::under_review ||
         s == case_state::consulting;
}

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

json::object view_json(const case_view& v) {
  json::object o{{"tracking_no", v.row.tracking_no},
                 {"state", to_string(v.row.state)},
                 {"state_zh", name_zh(v.row.state)},
                 {"received_on", format_date(v.row.received_on)},
                 {"version", v.row.version}};
  o["reply_due"] = v.clocks.reply.due ? json::value(format_date(*v.clocks.reply.due)) : json::value(nullptr);
  o["reply_due_provisional"] = v.clocks.reply.provisional;
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
                                {"reconsideration_first", r.reconsideration_first}};
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
    d.set("csrf_correct", crypto::sign_form_token(ctx.svc.form_key, "track", now_seconds(), form_lifetime_seconds));
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
    d.set("csrf_withdraw", crypto::sign_form_token(ctx.svc.form_key, "track", now_seconds(), form_lifetime_seconds));
  return d;
}

http::response status_page(request_context& ctx, const case_view& v, const std::string& code, const std::string& notice) {
  return http::html_response(ctx.req, status::ok, render_page("申请办理进度", "status", view_data(ctx, v, code, notice)));
}

}  // namespace

// ---- Filing ----
data application_form(request_context& ctx, const std::map<std::string, std::string>& values,
               const std::map<std::string, field_problem>& problems) {
  data d;
  d.set("form_action", "/apply");
  d.set("csrf", crypto::sign_form_token(ctx.svc.form_key, "apply", now_seconds(), form_lifetime_seconds));
  for (auto name : application_fields()) {
    std::string key(name);
    d.set("v_" + key, field(values, key));
    if (auto it = problems.find(key); it != problems.end()) d.set("e_" + key, it->second.message);
  }
  d.set("categories", options(category_choices, values.count("category") ? values.at("category") : "natural_person"));
  d.set("id_types", options(id_type_choices, values.count("id_type") ? values.at("id_type") : "resident_id"));
  d.set("info_forms", options(form_choices, values.count("info_form") ? values.at("info_form") : "electronic"));
  d.set("deliveries", options(delivery_choices, values.count("delivery") ? values.at("delivery") : "download"));
  if (!problems.empty()) {
    data list{data::type::list};
    for (auto name : application_fields()) {
      auto it = problems.find(std::string(name));
      if (it == problems.end()) continue;
      data e;
      e.set("field", std::string(name));
      e.set("message", it->second.message);
      list.push_back(e);
    }
    d.set("error_list", list);
    d.set("has_errors", true);
  }
  return d;
}

namespace {

struct receipt {
  applications::filed filed;
  deadlines clocks;
};

receipt file_application(request_context& ctx, const application& app, intake_channel channel, date received,
                         const std::string& nonce, const actor& who) {
  auto cal = calendar(ctx);
  const long long now_ms = unix_now_ms();
  receipt r{applications::file(*ctx.db, app, std::string(to_string(channel)), received, nonce, who, *cal, now_ms), {}};
  r.clocks = compute_deadlines(cases::machine_history(cases::transitions(*ctx.db, r.filed.row.id)), *cal);
  return r;
}

// [Gongkai rule] an online submission is confirmed at once: received on its local date (Art. 31).
receipt file_online(request_context& ctx, const application& app, const std::string& nonce) {
  require_rate(ctx, "file", ctx.cfg.filing_limit, 3600);
  return file_application(ctx, app, intake_channel::online, china_date(now_seconds()), nonce,
                          actor{role::applicant, "applicant"});
}

http::response receipt_page(request_context& ctx, const application& app, const receipt& r) {
  data d;
  d.set("tracking_no", r.filed.row.tracking_no);
  d.set("access_code", r.filed.access_code);
  d.set("received_on", format_date(r.filed.row.received_on));
  if (r.clocks.reply.due) d.set("reply_due", format_date(*r.clocks.reply.due));
  d.set("provisional", r.clocks.reply.provisional);
  data explanation{data::type::list};
  for (const auto& l : r.clocks.reply.explanation) explanation.push_back(data(l));
  d.set("explanation", explanation);
  d.set("name", app.name);
  d.set("category", std::string(name_zh(app.category)));
  d.set("description", app.description);
  d.set("info_form", label_of(form_choices, app.info_form));
  d.set("delivery", label_of(delivery_choices, app.delivery));
  return http::html_response(ctx.req, status::created, render_page("申请回执", "receipt", d));
}

http::response apply_page(request_context& ctx) {
  return http::html_response(ctx.req, status::ok, render_page("政府信息公开申请", "apply", application_form(ctx, {}, {})));
}

http::response apply_submit(request_context& ctx) {
  auto form = http::parse_form_body(ctx.req);
  auto nonce = csrf_nonce(ctx, form, "apply");
  auto checked = validate_application(form, china_date(now_seconds()));
  if (!checked.problems.empty()) {
    return http::html_response(ctx.req, status::unprocessable_entity,
                               render_page("请修改申请表", "apply", application_form(ctx, form, checked.problems)));
  }
  return receipt_page(ctx, checked.app, file_online(ctx, checked.app, nonce));
}

// The API takes every field as a JSON string; anything else is refused per field.
std::map<std::string, std::string> string_fields(const json::object& body, std::map<std::string, field_problem>& problems) {
  std::map<std::string, std::string> out;
  for (auto name : application_fields()) {
    auto* v = body.if_contains(name);
    if (!v || v->is_null()) continue;
    if (!v->is_string()) {
      problems.emplace(std::string(name), field_problem{"wrong_type", "须为字符串"});
      continue;
    }
    out.emplace(std::string(name), std::string(v->as_string()));
  }
  return out;
}

[[noreturn]] void throw_problems(const std::map<std::string, field_problem>& problems) {
  http::http_error e(status::unprocessable_entity, "invalid_fields", "申请内容有误，请按提示修改");
  for (const auto& [name, p] : problems) {
    e.fields[name] = p.message;
    e.field_codes[name] = p.code;
  }
  throw e;
}

http::response api_file(request_context& ctx) {
  auto body = http::parse_json_body(ctx.req);
  std::map<std::string, field_problem> type_problems;
  auto fields = string_fields(body, type_problems);
  auto checked = validate_application(fields, china_date(now_seconds()));
  for (auto& [k, p] : type_problems) checked.problems[k] = p;
  if (!checked.problems.empty()) throw_problems(checked.problems);
  auto r = file_online(ctx, checked.app, "");
  json::array explanation;
  for (const auto& l : r.clocks.reply.explanation) explanation.emplace_back(l);
  json::object out{{"tracking_no", r.filed.row.tracking_no},
                   {"access_code", r.filed.access_code},
                   {"received_on", format_date(r.filed.row.received_on)},
                   {"reply_due", r.clocks.reply.due ? json::value(format_date(*r.clocks.reply.due)) : json::value(nullptr)},
                   {"reply_due_provisional", r.clocks.reply.provisional},
                   {"due_explanation", explanation},
                   {"state", "received"}};
  auto res = http::json_response(ctx.req, status::created, out);
  res.set(http::bhttp::field::location, "/api/v1/requests/" + r.filed.row.tracking_no);
  return res;
}

// ---- Following ----
case_row find_or_404(request_context& ctx, const std::string& tracking_no, const std::string& code) {
  require_rate(ctx, "lookup", ctx.cfg.lookup_limit, 600);
  std::optional<case_row> row;
  if (tracking_no.size() <= 32 && code.size() <= 64 && clean_text(tracking_no, false) && clean_text(code, false))
    row = applications::find_for_applicant(*ctx.db, tracking_no, code);
  if (!row) throw http::http_error(status::not_found, "not_found", not_found_message);
  return *row;
}

http::response track_page(request_context& ctx) {
  return http::html_response(ctx.req, status::ok, render_page("查询申请办理进度", "track", data{}));
}

std::string trimmed(std::string s) {
  auto first = s.find_first_not_of(" \t\r\n"), last = s.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

http::response track_submit(request_context& ctx) {
  auto form = http::parse_form_body(ctx.req);
  auto no = trimmed(field(form, "tracking_no")), code = trimmed(field(form, "access_code"));
  auto row = find_or_404(ctx, no, code);
  return status_page(ctx, load_view(ctx, row), code, "");
}

case_event applicant_event(event_kind kind) {
  case_event e;
  e.kind = kind;
  e.on = china_date(now_seconds());
  e.actor_role = role::applicant;
  return e;
}

const actor the_applicant{role::applicant, "applicant"};

// Fires an applicant's event in one transaction with the anti-forgery nonce.
case_row fire_as_applicant(request_context& ctx, const case_row& row, const case_event& e, const std::string& nonce) {
  auto cal = calendar(ctx);
  if (!nonce.empty()) {
    bool fresh = ctx.db->transact([&](connection& c) { return applications::consume_nonce(c, nonce, now_seconds()); });
    if (!fresh) throw http::http_error(status::forbidden, "form_replayed", "该表单已经提交过，请重新查询后再操作");
  }
  return cases::fire(*ctx.db, row.tracking_no, row.version, e, the_applicant, *cal, unix_now_ms());
}

std::string correction_text(const std::string& raw) {
  auto text = trimmed(raw);
  if (text.empty())
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "请填写补正内容", {{"text", "请填写补正内容"}});
  if (!clean_text(text, true) || utf8_length(text) > 5000)
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "补正内容有误",
                           {{"text", "补正内容须为有效文字，且不超过5000字"}});
  return to_nfc(text);
}

// A page action of the applicant's (correct, withdraw): the anti-forgery token, the look-up, the event.
template <class Fill>
http::response applicant_action(request_context& ctx, event_kind kind, Fill&& fill, const std::string& done) {
  auto form = http::parse_form_body(ctx.req);
  auto nonce = csrf_nonce(ctx, form, "track");
  auto code = trimmed(field(form, "access_code"));
  auto row = find_or_404(ctx, trimmed(field(form, "tracking_no")), code);
  auto e = applicant_event(kind);
  fill(e, form);
  auto updated = fire_as_applicant(ctx, row, e, nonce);
  return status_page(ctx, load_view(ctx, updated), code, done);
}

http::response track_correct(request_context& ctx) {
  return applicant_action(
      ctx, event_kind::correction_received,
      [](case_event& e, const std::map<std::string, std::string>& form) { e.text = correction_text(field(form, "text")); },
      "补正内容已提交，答复期限自今日起重新计算。");
}

http::response track_withdraw(request_context& ctx) {
  return applicant_action(
      ctx, event_kind::withdraw,
      [](case_event& e, const std::map<std::string, std::string>& form) {
        e.reason = trimmed(field(form, "reason")).substr(0, 600);
        if (!clean_text(e.reason, true)) e.reason.clear();
      },
      "申请已撤回。");
}

http::response letter_response(request_context& ctx, const case_row& row, const std::string& seq_text) {
  int seq = 0;
  try {
    seq = std::stoi(seq_text);
  } catch (const std::exception&) {
  }
  auto log = cases::transitions(*ctx.db, row.id);
  auto page = letters::render(*ctx.db, row, log, seq, *calendar(ctx), true);
  if (!page) throw http::http_error(status::not_found, "not_found", "没有该文书");
  return http::html_response(ctx.req, status::ok, *page);
}

http::response track_letter(request_context& ctx) {
  auto form = http::parse_form_body(ctx.req);
  auto row = find_or_404(ctx, trimmed(field(form, "tracking_no")), trimmed(field(form, "access_code")));
  return letter_response(ctx, row, field(form, "seq"));
}

std::string access_code_header(request_context& ctx) { return std::string(ctx.req["X-Access-Code"]); }

http::response api_status(request_context& ctx) {
  auto row = find_or_404(ctx, ctx.params.at("tracking_no"), access_code_header(ctx));
  return http::json_response(ctx.req, status::ok, view_json(load_view(ctx, row)));
}

http::response api_letter(request_context& ctx) {
  auto row = find_or_404(ctx, ctx.params.at("tracking_no"), access_code_header(ctx));
  return letter_response(ctx, row, ctx.params.at("seq"));
}

http::response api_correct(request_context& ctx) {
  auto body = http::parse_json_body(ctx.req);
  auto row = find_or_404(ctx, ctx.params.at("tracking_no"), access_code_header(ctx));
  auto* text = body.if_contains("text");
  if (!text || !text->is_string())
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "请填写补正内容", {{"text", "必填，且须为字符串"}});
  auto e = applicant_event(event_kind::correction_received);
  e.text = correction_text(std::string(text->as_string()));
  auto updated = fire_as_applicant(ctx, row, e, "");
  return http::json_response(ctx.req, status::ok, view_json(load_view(ctx, updated)));
}

http::response api_withdraw(request_context& ctx) {
  auto body = http::parse_json_body(ctx.req);
  auto row = find_or_404(ctx, ctx.params.at("tracking_no"), access_code_header(ctx));
  auto e = applicant_event(event_kind::withdraw);
  if (auto* r = body.if_contains("reason"); r && r->is_string() && clean_text(r->as_string(), true))
    e.reason = std::string(r->as_string()).substr(0, 600);
  auto updated = fire_as_applicant(ctx, row, e, "");
  return http::json_response(ctx.req, status::ok, view_json(load_view(ctx, updated)));
}

}  // namespace

http::response file_and_receipt(request_context& ctx, const application& app, intake_channel channel, date received_on,
                                const std::string& nonce, const actor& who) {
  return receipt_page(ctx, app, file_application(ctx, app, channel, received_on, nonce, who));
}

void add_routes(router& r) {
  //     method      pattern                                    runs on     handler
  r.add(verb::get,   "/apply",                                  run_on::io, apply_page);
  r.add(verb::post,  "/apply",                                  run_on::db, apply_submit);
  r.add(verb::get,   "/track",                                  run_on::io, track_page);
  r.add(verb::post,  "/track",                                  run_on::db, track_submit);
  r.add(verb::post,  "/track/correction",                       run_on::db, track_correct);
  r.add(verb::post,  "/track/withdraw",                         run_on::db, track_withdraw);
  r.add(verb::post,  "/track/letter",                           run_on::db, track_letter);
  r.add(verb::post,  "/api/v1/requests",                        run_on::db, api_file);
  r.add(verb::get,   "/api/v1/requests/{tracking_no}",          run_on::db, api_status);
  r.add(verb::post,  "/api/v1/requests/{tracking_no}/correction", run_on::db, api_correct);
  r.add(verb::get,   "/api/v1/requests/{tracking_no}/letters/{seq}", run_on::db, api_letter);
  r.add(verb::post,  "/api/v1/requests/{tracking_no}/withdraw", run_on::db, api_withdraw);
}

}  // namespace gongkai::citizen
