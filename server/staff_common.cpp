#include "server/staff_common.hpp"

#include "server/config.hpp"

#include <boost/json.hpp>

namespace gongkai::staff {



std::shared_ptr<const working_calendar> calendar(request_context& ctx) { return ctx.svc.calendar->get(*ctx.db); }

bool is_supervisor(const user& u) { return u.has_role("supervisor"); }

// The machine roles this user may act in.
std::vector<role> machine_roles(const user& u) {
  std::vector<role> out;
  if (u.has_role("staff")) out.push_back(role::staff);
  if (u.has_role("supervisor")) out.push_back(role::supervisor);
  return out;
}

// Which events exist in each state for each role, computed once (the transition table does not change).
const std::set<event_kind>& permitted(case_state s, role r) {
  static const auto table = [] {
    std::map<std::pair<case_state, role>, std::set<event_kind>> t;
    working_calendar any;
    for (auto st : all_states)
      for (auto ro : {role::applicant, role::staff, role::supervisor, role::system}) {
        auto events = permitted_events(st, ro, any);
        t[{st, ro}] = std::set<event_kind>(events.begin(), events.end());
      }
    return t;
  }();
  return table.at({s, r});
}

std::optional<role> acting_role(const user& u, case_state s, event_kind k) {
  for (auto r : machine_roles(u))
    if (permitted(s, r).count(k)) return r;
  return std::nullopt;
}

// Staff act on their own cases; supervisors on any.
void require_handler(const user& u, const case_row& row) {
  if (is_supervisor(u) || (!row.assignee.empty() && row.assignee == u.username)) return;
  throw http::http_error(status::forbidden, "not_assigned",
                         row.assignee.empty() ? "请先认领此案件" : "此案件由 " + row.assignee + " 承办");
}

// Builds an event from submitted fields (form or JSON, as strings). 422 for a malformed field.
case_event event_from_fields(event_kind kind, const std::map<std::string, std::string>& f, role r, date today) {
  case_event e;
  e.kind = kind;
  e.actor_role = r;
  auto on = http::value_of(f, "on");
  if (on.empty()) e.on = today;
  else if (auto d = parse_date(on)) e.on = *d;
  else throw http::http_error(status::unprocessable_entity, "invalid_fields", "日期格式有误", {{"on", "日期应为 YYYY-MM-DD"}});
  for (const auto& [key, value] : f)
    if (!clean_text(value, true) || utf8_length(value) > 20000)
      throw http::http_error(status::unprocessable_entity, "invalid_fields", "内容含有无效字符或过长", {{key, "内容含有无效字符或过长"}});
  e.reason = http::value_of(f, "reason");
  e.items = http::value_of(f, "items");
  e.text = http::value_of(f, "text");
  e.outcome = http::value_of(f, "outcome");
  e.legal_basis = http::value_of(f, "legal_basis");
  e.reply_text = http::value_of(f, "reply_text");
  e.withheld = http::value_of(f, "withheld");
  e.party = http::value_of(f, "party");
  if (auto days = http::value_of(f, "days"); !days.empty()) {
    try {
      std::size_t used = 0;
      e.days = std::stoi(days, &used);
      if (used != days.size() || e.days < 0 || e.days > 400) throw std::invalid_argument("days");
    } catch (const std::exception&) {
      throw http::http_error(status::unprocessable_entity, "invalid_fields", "天数有误", {{"days", "须为0至400的整数"}});
    }
  }
  if (auto a = http::value_of(f, "appeal"); !a.empty()) {
    e.appeal = parse_appeal_kind(a);
    if (!e.appeal) throw http::http_error(status::unprocessable_entity, "invalid_fields", "救济途径有误", {{"appeal", "未知的救济途径"}});
  }
  if (auto r2 = http::value_of(f, "result"); !r2.empty()) {
    e.result = parse_appeal_result(r2);
    if (!e.result) throw http::http_error(status::unprocessable_entity, "invalid_fields", "结果有误", {{"result", "未知的结果"}});
  }
  if (auto nd = http::value_of(f, "new_due"); !nd.empty()) {
    e.new_due = parse_date(nd);
    if (!e.new_due) throw http::http_error(status::unprocessable_entity, "invalid_fields", "日期格式有误", {{"new_due", "日期应为 YYYY-MM-DD"}});
  }
  return e;
}

std::optional<staff_store::queue_cursor> parse_queue_cursor(const std::string& v) {
  auto dot = v.find('.');
  if (dot == std::string::npos || dot + 1 == v.size() || v.size() - dot > 19) return std::nullopt;
  auto key = v.substr(0, dot), id = v.substr(dot + 1);
  if (key.size() != 10 || !parse_date(key) || id.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return staff_store::queue_cursor{key, std::stoll(id)};
}

std::map<std::string, std::string> json_fields(request_context& ctx) {
  auto body = http::parse_json_body(ctx.req);
  std::map<std::string, std::string> fields, wrong;
  for (const auto& [k, v] : body) {
    if (v.is_string()) fields[std::string(k)] = std::string(v.as_string());
    else if (v.is_int64()) fields[std::string(k)] = std::to_string(v.as_int64());
    else if (!v.is_array()) wrong[std::string(k)] = "须为字符串或整数";
  }
  if (!wrong.empty()) throw http::http_error(status::unprocessable_entity, "invalid_fields", "字段类型有误", wrong);
  return fields;
}

int working_days_left(const working_calendar& cal, date today, date due) {
  return due >= today ? working_days_between(cal, today, due) : -working_days_between(cal, due, today);
}

int parse_version(const std::string& v) {
  try {
    std::size_t used = 0;
    int n = std::stoi(v, &used);
    if (used == v.size() && n >= 0) return n;
  } catch (const std::exception&) {
  }
  throw http::http_error(status::unprocessable_entity, "invalid_fields", "缺少案件版本号", {{"version", "必填，整数"}});
}

// Fires an event for a staff user: the acting role, the assignment rule, the version check.
case_row fire_for(request_context& ctx, const user& u, const std::string& tracking_no, const std::string& event_name,
                  const std::map<std::string, std::string>& fields, int version) {
  auto kind = parse_event(event_name);
  if (!kind || *kind == event_kind::register_case)
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "未知的事件", {{"event", "未知的事件"}});
  auto row = cases::find(*ctx.db, tracking_no);
  if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
  require_handler(u, *row);
  auto r = acting_role(u, row->state, *kind);
  if (!r) {
    // Let the machine say why (not in this state: 409; not this role: 403).
    r = machine_roles(u).empty() ? role::staff : machine_roles(u).front();
  }
  auto e = event_from_fields(*kind, fields, *r, china_date(ctx.now_s()));
  return cases::fire(*ctx.db, tracking_no, version, e, actor{*r, u.username}, *calendar(ctx), ctx.now_ms);
}


data nav(request_context& ctx, const user& u) {
  data d;
  d.set("display_name", u.display_name);
  d.set("csrf", auth::form_token(ctx));
  d.set("is_supervisor", is_supervisor(u));
  d.set("is_admin", u.has_role("admin"));
  return d;
}

template_data staff_options(request_context& ctx, const std::string& selected) {
  data people{data::type::list};
  for (const auto& p : users::with_role(*ctx.db, "staff")) {
    data person;
    person.set("username", p.username);
    person.set("display_name", p.display_name);
    person.set("selected", p.username == selected);
    people.push_back(person);
  }
  return people;
}

}  // namespace gongkai::staff
