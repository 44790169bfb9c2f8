#include "server/staff.hpp"

#include "server/auth.hpp"
#include "server/login.hpp"
#include "server/citizen.hpp"
#include "server/config.hpp"
#include "core/crypto.hpp"
#include "server/letters.hpp"
#include "app/notifications.hpp"
#include "sql/outbox.hpp"
#include "server/templates.hpp"
#include "sql/staff.hpp"
#include "workflow/case_machine.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/parse_query.hpp>

#include <set>

namespace gongkai::staff {

namespace {

namespace json = boost::json;
using namespace workflow;
using http::status;
using http::verb;
using kainjow::mustache::data;

const std::string case_changed = "此案件已被他人更新，请刷新后重试";

std::map<std::string, std::string> query_params(request_context& ctx) {
  std::map<std::string, std::string> out;
  // A copy: Boost.URL 1.81's params views read past the end of a view that is not the end of its
  // string (here the request line goes on with " HTTP/1.1").
  const std::string query(http::query_of(ctx.req.target()));
  if (query.empty()) return out;
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) return out;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto p : boost::urls::params_view(*parsed, opts)) out.emplace(p.key, p.value);
  return out;
}

std::string get(const std::map<std::string, std::string>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? std::string() : it->second;
}

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
case_event event_from_fields(event_kind kind, const std::map<std::string, std::string>& f, role r) {
  case_event e;
  e.kind = kind;
  e.actor_role = r;
  auto on = get(f, "on");
  if (on.empty()) e.on = china_date(unix_now());
  else if (auto d = parse_date(on)) e.on = *d;
  else throw http::http_error(status::unprocessable_entity, "invalid_fields", "日期格式有误", {{"on", "日期应为 YYYY-MM-DD"}});
  for (const auto& [key, value] : f)
    if (!clean_text(value, true) || utf8_length(value) > 20000)
      throw http::http_error(status::unprocessable_entity, "invalid_fields", "内容含有无效字符或过长", {{key, "内容含有无效字符或过长"}});
  e.reason = get(f, "reason");
  e.items = get(f, "items");
  e.text = get(f, "text");
  e.outcome = get(f, "outcome");
  e.legal_basis = get(f, "legal_basis");
  e.reply_text = get(f, "reply_text");
  e.withheld = get(f, "withheld");
  e.party = get(f, "party");
  if (auto days = get(f, "days"); !days.empty()) {
    try {
      std::size_t used = 0;
      e.days = std::stoi(days, &used);
      if (used != days.size() || e.days < 0 || e.days > 400) throw std::invalid_argument("days");
    } catch (const std::exception&) {
      throw http::http_error(status::unprocessable_entity, "invalid_fields", "天数有误", {{"days", "须为0至400的整数"}});
    }
  }
  if (auto a = get(f, "appeal"); !a.empty()) {
    e.appeal = parse_appeal_kind(a);
    if (!e.appeal) throw http::http_error(status::unprocessable_entity, "invalid_fields", "救济途径有误", {{"appeal", "未知的救济途径"}});
  }
  if (auto r2 = get(f, "result"); !r2.empty()) {
    e.result = parse_appeal_result(r2);
    if (!e.result) throw http::http_error(status::unprocessable_entity, "invalid_fields", "结果有误", {{"result", "未知的结果"}});
  }
  if (auto nd = get(f, "new_due"); !nd.empty()) {
    e.new_due = parse_date(nd);
    if (!e.new_due) throw http::http_error(status::unprocessable_entity, "invalid_fields", "日期格式有误", {{"new_due", "日期应为 YYYY-MM-DD"}});
  }
  return e;
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
  auto e = event_from_fields(*kind, fields, *r);
  return cases::fire(*ctx.db, tracking_no, version, e, actor{*r, u.username}, *calendar(ctx), unix_now_ms());
}

// The options of a <select> over an enumeration (value, Chinese label, selected).
template <class Range>
data select_options(const Range& values, const std::string& selected) {
  data list{data::type::list};
  for (auto v : values) {
    data o;
    o.set("value", std::string(to_string(v)));
    o.set("label", std::string(name_zh(v)));
    o.set("selected", selected == to_string(v));
    list.push_back(o);
  }
  return list;
}

// ---- Login ----
http::response login_form(request_context& ctx, status s, const std::string& error, const std::string& username) {
  data d;
  d.set("csrf", crypto::sign_form_token(ctx.svc.form_key, "login", unix_now(), 3600));
  d.set("username", username);
  if (!error.empty()) d.set("error", error);
  return http::html_response(ctx.req, s, render_page("工作人员登录", "login", d));
}

http::response login_page(request_context& ctx) { return login_form(ctx, status::ok, "", ""); }

http::response login_submit(request_context& ctx) {
  auto form = http::parse_form_body(ctx.req);
  if (!crypto::verify_form_token(ctx.svc.form_key, "login", get(form, "csrf"), unix_now()))
    throw http::http_error(status::forbidden, "form_token_invalid", "表单已失效，请刷新页面后重新提交");
  auto username = get(form, "username");
  auto in = auth::log_in(ctx, username, get(form, "password"), "page");
  if (in.check.result == auth::verdict::throttled) {
    auto res = login_form(ctx, status::too_many_requests,
                          "登录尝试过于频繁，请" + std::to_string(in.check.retry_after_s) + "秒后再试", username);
    res.set(http::bhttp::field::retry_after, std::to_string(in.check.retry_after_s));
    return res;
  }
  if (in.check.result != auth::verdict::ok) return login_form(ctx, status::unauthorized, "用户名或密码错误", username);
  const auto& u = in.check.who;
  const auto& s = in.session;
  auto where = u->must_change_password                              ? "/account/password"
               : u->has_role("staff") || u->has_role("supervisor") ? "/staff"
                                                                    : "/admin";
  auto res = auth::redirect(ctx, where);
  res.set(http::bhttp::field::set_cookie, auth::session_cookie(s.token, ctx.cfg.secure_cookies));
  return res;
}

http::response logout_submit(request_context& ctx) {
  auth::require(ctx);
  auth::check_form_token(ctx, http::parse_form_body(ctx.req));
  sessions::close(*ctx.db, auth::session_token(ctx.req));
  auto res = auth::redirect(ctx, "/login");
  res.set(http::bhttp::field::set_cookie, auth::cleared_cookie());
  return res;
}

data nav(request_context& ctx, const user& u) {
  data d;
  d.set("display_name", u.display_name);
  d.set("csrf", auth::form_token(ctx));
  d.set("is_supervisor", is_supervisor(u));
  d.set("is_admin", u.has_role("admin"));
  return d;
}

// ---- The work queue ----
http::response queue_page(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto q = query_params(ctx);
  auto cal = calendar(ctx);
  staff_store::queue_filter f;
  f.today = china_date(unix_now());
  f.me = u.username;
  auto view = get(q, "view");
  f.which = view == "mine" ? staff_store::queue_filter::view::mine
            : view == "unassigned" ? staff_store::queue_filter::view::unassigned
                                   : staff_store::queue_filter::view::all;
  f.state = parse_state(get(q, "state"));
  f.overdue_only = get(q, "overdue") == "1";
  if (auto n = get(q, "due_within"); !n.empty() && n.size() < 4 && n.find_first_not_of("0123456789") == std::string::npos)
    f.due_by = add_working_days(*cal, f.today, std::max(1, std::stoi(n))).end;
  f.channel = get(q, "channel");
  f.category = get(q, "category");
  f.received_from = parse_date(get(q, "from"));
  f.received_to = parse_date(get(q, "to"));
  f.search = get(q, "q").substr(0, 100);
  f.sort_by_received = get(q, "sort") == "received";
  if (auto p = get(q, "page"); !p.empty() && p.size() < 6 && p.find_first_not_of("0123456789") == std::string::npos)
    f.page = std::max(1, std::stoi(p));
  auto page = staff_store::queue(*ctx.db, f);

  data d = nav(ctx, u);
  data rows{data::type::list};
  for (const auto& r : page.rows) {
    data row;
    row.set("tracking_no", r.tracking_no);
    row.set("received_on", format_date(r.received_on));
    row.set("state_zh", std::string(name_zh(r.state)));
    row.set("assignee", r.assignee.empty() ? std::string("未分配") : r.assignee);
    row.set("name", show_invisible(r.name));
    row.set("masked_id", r.masked_id);
    row.set("masked_phone", r.masked_phone);
    bool open = r.state == case_state::received || r.state == case_state::correction_requested ||
                r.state == case_state::under_review || r.state == case_state::consulting;
    if (r.reply_due && open) {
      row.set("reply_due", format_date(*r.reply_due));
      int left = *r.reply_due >= f.today ? working_days_between(*cal, f.today, *r.reply_due)
                                        : -working_days_between(*cal, *r.reply_due, f.today);
      row.set("days_left", std::to_string(left));
      row.set("overdue", *r.reply_due < f.today);
      row.set("provisional", r.due_provisional);
    }
    rows.push_back(row);
  }
  d.set("rows", rows);
  d.set("total", std::to_string(page.total));
  d.set("page", std::to_string(f.page));
  // Paging keeps every filter.
  std::string base = "/staff?view=" + (view.empty() ? std::string("all") : view);
  for (const char* key : {"state", "overdue", "due_within", "channel", "category", "from", "to", "q", "sort"})
    if (auto v = get(q, key); !v.empty()) base += std::string("&") + key + "=" + boost::urls::encode(v, boost::urls::unreserved_chars);
  if (f.page > 1) d.set("prev", base + "&page=" + std::to_string(f.page - 1));
  if (f.page * f.page_size < page.total) d.set("next", base + "&page=" + std::to_string(f.page + 1));
  d.set("q", f.search);
  d.set("view_" + (view.empty() ? std::string("all") : view), true);
  d.set("states", select_options(all_states, f.state ? std::string(to_string(*f.state)) : std::string()));
  d.set("overdue_checked", f.overdue_only);
  d.set("due_within", get(q, "due_within"));
  d.set("sort_received", f.sort_by_received);
  d.set("from", get(q, "from"));
  d.set("to", get(q, "to"));
  d.set("channels", select_options(std::initializer_list<intake_channel>{intake_channel::online, intake_channel::in_person, intake_channel::registered_mail,
                                     intake_channel::ordinary_mail, intake_channel::fax, intake_channel::oral},
                                    f.channel));
  d.set("categories", select_options(std::initializer_list<applicant_category>{applicant_category::natural_person, applicant_category::commercial,
                                       applicant_category::research, applicant_category::public_interest,
                                       applicant_category::legal_services, applicant_category::other},
                                      f.category));
  if (is_supervisor(u)) {
    data people{data::type::list};
    for (const auto& p : users::with_role(*ctx.db, "staff")) {
      data person;
      person.set("username", p.username);
      person.set("display_name", p.display_name);
      people.push_back(person);
    }
    d.set("staff_users", people);
  }
  return http::html_response(ctx.req, status::ok, render_page("工作台", "queue", d));
}

// ---- The case page ----
struct event_form {
  event_kind kind;
  std::vector<const char*> fields;  // which inputs the form shows
};

const std::vector<event_form>& event_forms() {
  static const std::vector<event_form> forms = {
      {event_kind::accept, {}},
      {event_kind::request_correction, {"items", "days"}},
      {event_kind::consult, {"party"}},
      {event_kind::consultation_answered, {"reason"}},
      {event_kind::request_extension, {"days", "reason"}},
      {event_kind::approve_extension, {"reason"}},
      {event_kind::refuse_extension, {"reason"}},
      {event_kind::answer, {"outcome", "reply_text", "legal_basis", "withheld"}},
      {event_kind::withdraw, {"reason"}},
      {event_kind::file_appeal, {"appeal", "reason"}},
      {event_kind::decide_appeal, {"result", "new_due", "days", "reason"}},
      {event_kind::close, {}},
      {event_kind::correction_received, {"text"}},
  };
  return forms;
}

http::response case_page(request_context& ctx, const user& u, const std::string& no, bool reveal, status s,
                         const std::string& error) {
  auto row = cases::find(*ctx.db, no);
  if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
  auto log = cases::transitions(*ctx.db, row->id);
  auto cal = calendar(ctx);
  auto clocks = compute_deadlines(cases::machine_history(log), *cal);
  auto app = applications::details(*ctx.db, row->id);
  bool may_see_identity = is_supervisor(u) || row->assignee == u.username;

  data d = nav(ctx, u);
  d.set("tracking_no", row->tracking_no);
  d.set("version", std::to_string(row->version));
  d.set("state_zh", std::string(name_zh(row->state)));
  d.set("received_on", format_date(row->received_on));
  d.set("assignee", row->assignee.empty() ? std::string("未分配") : row->assignee);
  if (!error.empty()) d.set("error", error);
  if (app) {
    d.set("name", show_invisible(app->name));
    d.set("category", std::string(name_zh(app->category)));
    // Invisible and direction-changing characters in free text are shown, never silently rendered.
    d.set("description", show_invisible(app->description));
    d.set("address", show_invisible(app->address));
    d.set("email", app->email);
    d.set("contact_person", app->contact_person);
    const std::string id = app->id_number.empty() ? app->credit_code : app->id_number;
    d.set("identity", reveal && may_see_identity ? id : mask_identity(id));
    d.set("phone", reveal && may_see_identity ? app->phone : mask_phone(app->phone));
    if (may_see_identity && !reveal) d.set("can_reveal", true);
  }
  // Every clock with its explanation.
  data clocks_list{data::type::list};
  auto add_clock = [&](const char* title, const clock& c) {
    if (!c.due && c.explanation.empty()) return;
    data item;
    item.set("title", std::string(title));
    if (c.due) item.set("due", format_date(*c.due));
    item.set("provisional", c.provisional);
    data lines{data::type::list};
    for (const auto& l : c.explanation) lines.push_back(data(l));
    item.set("lines", lines);
    clocks_list.push_back(item);
  };
  add_clock("答复期限", clocks.reply);
  if (row->state == case_state::received) add_clock("补正告知期限", clocks.correction_notice);
  add_clock("补正期限", clocks.correction_period);
  add_clock("征求意见期限", clocks.consultation);
  add_clock("申请行政复议期限", clocks.reconsideration);
  add_clock("提起行政诉讼期限", clocks.litigation);
  d.set("clocks", clocks_list);
  if (clocks.overdue(china_date(unix_now()))) d.set("overdue", true);
  // The timeline: who did what, when, and why.
  data steps{data::type::list};
  for (const auto& t : log) {
    data step;
    step.set("date", format_date(t.effective_on));
    auto kind = parse_event(t.event);
    step.set("name", kind ? std::string(name_zh(*kind))
                          : t.event == "assign" ? std::string("分配承办人")
                          : t.event == "note"   ? std::string("内部备注")
                                                : std::string("答复期限重新计算"));
    step.set("actor", t.actor + "（" + std::string(parse_role(t.actor_role) ? name_zh(*parse_role(t.actor_role)) : "") + "）");
    // An event dated on another day than it was entered (China time) says so, with when it was entered.
    if (kind && china_date(t.occurred_at_ms / 1000) != t.effective_on) {
      const long long minute = (t.occurred_at_ms / 1000 + 8 * 3600) % 86400 / 60;
      auto two = [](long long n) { return (n < 10 ? "0" : "") + std::to_string(n); };
      const std::string entered =
          format_date(china_date(t.occurred_at_ms / 1000)) + " " + two(minute / 60) + ":" + two(minute % 60);
      step.set("recorded", t.effective_on < china_date(t.occurred_at_ms / 1000) ? "（补录，录入于 " + entered + "）"
                                                                                 : "（录入于 " + entered + "）");
    }
    auto payload = json::parse(t.payload);
    std::string detail;
    if (payload.is_object())
      for (const auto& [k, v] : payload.as_object())
        if (v.is_string() && !v.as_string().empty()) detail += std::string(k) + "：" + std::string(v.as_string()) + "；";
        else if (v.is_int64()) detail += std::string(k) + "：" + std::to_string(v.as_int64()) + "；";
    step.set("detail", show_invisible(detail));
    steps.push_back(step);
  }
  d.set("steps", steps);
  letters::add_list(d, letters::of_case(log, false));
  // Only the actions the machine allows in this state for this user's roles.
  bool handler = is_supervisor(u) || row->assignee == u.username;
  data actions{data::type::list};
  if (handler) {
    for (const auto& form : event_forms()) {
      if (!acting_role(u, row->state, form.kind)) continue;
      data a;
      a.set("event", std::string(to_string(form.kind)));
      a.set("label", std::string(name_zh(form.kind)));
      for (const char* f : form.fields) a.set(std::string("f_") + f, true);
      if (form.kind == event_kind::answer) {
        data outcomes{data::type::list};
        for (const auto& o : outcome_codes()) {
          data item;
          item.set("code", std::string(o.code));
          item.set("label", std::string(o.category_zh) + (o.reason_zh.empty() ? "" : " " + std::string(o.reason_zh)));
          outcomes.push_back(item);
        }
        a.set("outcomes", outcomes);
      }
      actions.push_back(a);
    }
  }
  d.set("actions", actions);
  d.set("has_actions", !actions.is_empty_list());
  d.set("today", format_date(china_date(unix_now())));
  if (row->assignee != u.username && u.has_role("staff") && (row->assignee.empty() || is_supervisor(u))) d.set("can_claim", true);
  if (is_supervisor(u)) {
    data people{data::type::list};
    for (const auto& p : users::with_role(*ctx.db, "staff")) {
      data person;
      person.set("username", p.username);
      person.set("display_name", p.display_name);
      person.set("selected", p.username == row->assignee);
      people.push_back(person);
    }
    d.set("staff_users", people);
    d.set("can_assign", true);
  }
  d.set("can_note", handler);
  return http::html_response(ctx.req, s, render_page("案件 " + row->tracking_no, "case", d));
}

http::response case_letter(request_context& ctx) {
  auth::require(ctx, {"staff", "supervisor"});
  auto row = cases::find(*ctx.db, ctx.params.at("tracking_no"));
  if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
  int seq = 0;
  try {
    seq = std::stoi(ctx.params.at("seq"));
  } catch (const std::exception&) {
  }
  auto page = letters::render(*ctx.db, *row, cases::transitions(*ctx.db, row->id), seq, *calendar(ctx), false);
  if (!page) throw http::http_error(status::not_found, "not_found", "没有该文书");
  return http::html_response(ctx.req, status::ok, *page);
}

http::response case_view(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  return case_page(ctx, u, ctx.params.at("tracking_no"), false, status::ok, "");
}

// Runs a case action from a page; a refusal re-renders the case page with the reason and its status.
template <class F>
http::response page_action(request_context& ctx, F&& action) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto form = http::parse_form_body(ctx.req);
  auth::check_form_token(ctx, form);
  const auto& no = ctx.params.at("tracking_no");
  try {
    action(u, form);
  } catch (const domain_error& e) {
    if (e.kind == error_kind::not_found) throw;
    return case_page(ctx, u, no, false, http::status_of(e), e.code == "conflict" ? case_changed : std::string(e.what()));
  }
  return auth::redirect(ctx, "/staff/cases/" + no);
}

http::response case_event_submit(request_context& ctx) {
  return page_action(ctx, [&](const user& u, const std::map<std::string, std::string>& form) {
    fire_for(ctx, u, ctx.params.at("tracking_no"), get(form, "event"), form, parse_version(get(form, "version")));
  });
}

http::response case_claim(request_context& ctx) {
  return page_action(ctx, [&](const user& u, const std::map<std::string, std::string>& form) {
    if (!u.has_role("staff")) throw http::http_error(status::forbidden, "forbidden", "只有承办人可以认领案件");
    auto row = cases::find(*ctx.db, ctx.params.at("tracking_no"));
    if (row && !row->assignee.empty() && row->assignee != u.username && !is_supervisor(u))
      throw http::http_error(status::conflict, "already_assigned", "此案件已由 " + row->assignee + " 认领");
    staff_store::assign(*ctx.db, ctx.params.at("tracking_no"), parse_version(get(form, "version")), u.username,
                        actor{role::staff, u.username}, unix_now_ms());
  });
}

http::response case_assign(request_context& ctx) {
  return page_action(ctx, [&](const user& u, const std::map<std::string, std::string>& form) {
    if (!is_supervisor(u)) throw http::http_error(status::forbidden, "forbidden", "只有负责人可以分配案件");
    auto to = get(form, "assignee");
    if (!to.empty()) {
      auto target = users::find(*ctx.db, to);
      if (!target || target->disabled || !target->has_role("staff"))
        throw http::http_error(status::unprocessable_entity, "invalid_fields", "承办人不存在", {{"assignee", "承办人不存在"}});
    }
    staff_store::assign(*ctx.db, ctx.params.at("tracking_no"), parse_version(get(form, "version")), to,
                        actor{role::supervisor, u.username}, unix_now_ms());
  });
}

http::response case_note(request_context& ctx) {
  return page_action(ctx, [&](const user& u, const std::map<std::string, std::string>& form) {
    auto row = cases::find(*ctx.db, ctx.params.at("tracking_no"));
    if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
    require_handler(u, *row);
    auto text = get(form, "text");
    if (text.empty() || !clean_text(text, true) || utf8_length(text) > 5000)
      throw http::http_error(status::unprocessable_entity, "invalid_fields", "备注须为1至5000字的有效文字");
    staff_store::add_note(*ctx.db, row->tracking_no, parse_version(get(form, "version")), text,
                          actor{is_supervisor(u) ? role::supervisor : role::staff, u.username}, unix_now_ms());
  });
}

http::response case_reveal(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auth::check_form_token(ctx, http::parse_form_body(ctx.req));
  auto row = cases::find(*ctx.db, ctx.params.at("tracking_no"));
  if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
  if (!is_supervisor(u) && row->assignee != u.username)
    throw http::http_error(status::forbidden, "forbidden", "只有承办人和负责人可以查看完整身份信息");
  staff_store::record_reveal(*ctx.db, row->id, "identity,phone", u.username, unix_now_ms());
  return case_page(ctx, u, row->tracking_no, true, status::ok, "");
}

// ---- Registering an application received on paper, in person, by fax or orally ----
const std::vector<std::pair<std::string, std::string>>& channel_choices() {
  static const std::vector<std::pair<std::string, std::string>> c = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto ch : {intake_channel::in_person, intake_channel::registered_mail, intake_channel::ordinary_mail,
                    intake_channel::fax, intake_channel::oral})
      out.emplace_back(std::string(to_string(ch)), std::string(name_zh(ch)));
    return out;
  }();
  return c;
}

data register_data(request_context& ctx, const std::map<std::string, std::string>& values,
                   const std::map<std::string, field_problem>& problems) {
  auto d = citizen::application_form(ctx, values, problems);
  d.set("form_action", "/staff/register");
  d.set("csrf", auth::form_token(ctx));
  d.set("staff", true);
  data channels{data::type::list};
  for (const auto& [v, l] : channel_choices()) {
    data o;
    o.set("value", v);
    o.set("label", l);
    o.set("selected", get(values, "channel") == v);
    channels.push_back(o);
  }
  d.set("channels", channels);
  auto today = format_date(china_date(unix_now()));
  d.set("v_sent_on", values.count("sent_on") ? get(values, "sent_on") : today);
  d.set("v_received_on", values.count("received_on") ? get(values, "received_on") : today);
  for (const char* k : {"channel", "sent_on", "received_on"})
    if (auto it = problems.find(k); it != problems.end()) d.set(std::string("e_") + k, it->second.message);
  return d;
}

http::response register_page(request_context& ctx) {
  auth::require(ctx, {"staff"});
  return http::html_response(ctx.req, status::ok, render_page("登记申请", "apply", register_data(ctx, {}, {})));
}

http::response register_submit(request_context& ctx) {
  auto u = auth::require(ctx, {"staff"});
  auto form = http::parse_form_body(ctx.req);
  auth::check_form_token(ctx, form);
  auto today = china_date(unix_now());
  auto checked = validate_application(form, today);
  auto channel = parse_channel(get(form, "channel"));
  auto sent = parse_date(get(form, "sent_on"));
  auto received = parse_date(get(form, "received_on"));
  if (!channel || *channel == intake_channel::online) checked.problems["channel"] = {"invalid_choice", "请选择收件方式"};
  if (!sent) checked.problems["sent_on"] = {"invalid_format", "请填写日期"};
  if (!received) checked.problems["received_on"] = {"invalid_format", "请填写日期"};
  if (channel && sent && received)
    if (auto why = check_receipt_date(*channel, *received, *sent, today)) checked.problems["received_on"] = {"invalid_date", *why};
  if (!checked.problems.empty())
    return http::html_response(ctx.req, status::unprocessable_entity,
                               render_page("登记申请", "apply", register_data(ctx, form, checked.problems)));
  return citizen::file_and_receipt(ctx, checked.app, *channel, *received, "", actor{role::staff, u.username});
}

// ---- The supervisor's dashboard ----
data case_list(const std::vector<staff_store::queue_row>& rows, date today, const working_calendar& cal) {
  data list{data::type::list};
  for (const auto& r : rows) {
    data item;
    item.set("tracking_no", r.tracking_no);
    item.set("state_zh", std::string(name_zh(r.state)));
    item.set("assignee", r.assignee.empty() ? std::string("未分配") : r.assignee);
    if (r.reply_due) {
      item.set("due", format_date(*r.reply_due));
      int late = *r.reply_due < today ? working_days_between(cal, *r.reply_due, today) : 0;
      if (late) item.set("late", std::to_string(late));
    }
    list.push_back(item);
  }
  return list;
}

http::response dashboard_page(request_context& ctx) {
  auto u = auth::require(ctx, {"supervisor"});
  auto cal = calendar(ctx);
  auto today = china_date(unix_now());
  staff_store::queue_filter f;
  f.today = today;
  f.page_size = 200;
  f.overdue_only = true;
  auto overdue = staff_store::queue(*ctx.db, f);
  f.overdue_only = false;
  f.due_by = add_working_days(*cal, today, 3).end;
  auto soon = staff_store::queue(*ctx.db, f);
  std::vector<staff_store::queue_row> due_soon;
  for (const auto& r : soon.rows)
    if (r.reply_due && *r.reply_due >= today) due_soon.push_back(r);
  data d = nav(ctx, u);
  d.set("overdue", case_list(overdue.rows, today, *cal));
  d.set("overdue_count", std::to_string(overdue.total));
  d.set("due_soon", case_list(due_soon, today, *cal));
  d.set("due_soon_count", std::to_string(due_soon.size()));
  auto waiting_list = [](const std::vector<staff_store::waiting_case>& cases) {
    data list{data::type::list};
    for (const auto& w : cases) {
      data item;
      item.set("tracking_no", w.tracking_no);
      item.set("limit", format_date(w.limit));
      if (w.days) item.set("days", std::to_string(w.days));
      list.push_back(item);
    }
    return list;
  };
  auto extensions = staff_store::pending_extensions(*ctx.db, *cal);
  d.set("extensions", waiting_list(extensions));
  d.set("extensions_count", std::to_string(extensions.size()));
  auto corrections = staff_store::correction_window_open(*ctx.db, *cal, today);
  d.set("corrections", waiting_list(corrections));
  d.set("corrections_count", std::to_string(corrections.size()));
  data stats{data::type::list};
  for (const auto& s : staff_store::staff_stats(*ctx.db)) {
    data item;
    item.set("assignee", s.assignee);
    item.set("open", std::to_string(s.open));
    item.set("concluded", std::to_string(s.concluded));
    item.set("on_time_rate", s.concluded ? std::to_string((s.on_time * 100 + s.concluded / 2) / s.concluded) + "%" : "-");
    stats.push_back(item);
  }
  d.set("stats", stats);
  return http::html_response(ctx.req, status::ok, render_page("负责人工作台", "dashboard", d));
}

// A supervisor moves several cases to one staff member at once: each move is its own transition, all in
// one transaction (all moved, or none).
http::response bulk_assign(request_context& ctx) {
  auto u = auth::require(ctx, {"supervisor"});
  auto form = http::parse_form_body(ctx.req);
  auth::check_form_token(ctx, form);
  auto to = get(form, "assignee");
  auto target = users::find(*ctx.db, to);
  if (!target || target->disabled || !target->has_role("staff"))
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "请选择承办人", {{"assignee", "承办人不存在"}});
  std::vector<std::string> numbers;
  for (const auto& [key, value] : form)
    if (key.starts_with("case_") && value == "on") numbers.push_back(key.substr(5));
  if (numbers.empty()) throw http::http_error(status::unprocessable_entity, "invalid_fields", "请至少选择一个案件");
  staff_store::assign_all(*ctx.db, numbers, to, actor{role::supervisor, u.username}, unix_now_ms());
  return auth::redirect(ctx, "/staff?view=all");
}

// ---- The staff inbox: notices for this user (kept here when no relay or no address) ----
http::response inbox_page(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  data d = nav(ctx, u);
  auto messages = outbox::for_user(*ctx.db, u.username, 200);
  d.set("messages", notifications::list_data(messages));
  d.set("has_messages", !messages.empty());
  return http::html_response(ctx.req, status::ok, render_page("通知", "inbox", d));
}

// ---- The events API for other office systems ----
http::response api_event(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto body = http::parse_json_body(ctx.req);
  std::map<std::string, std::string> fields;
  std::map<std::string, std::string> wrong;
  for (const auto& [k, v] : body) {
    if (v.is_string()) fields[std::string(k)] = std::string(v.as_string());
    else if (v.is_int64()) fields[std::string(k)] = std::to_string(v.as_int64());
    else wrong[std::string(k)] = "须为字符串或整数";
  }
  if (!wrong.empty()) throw http::http_error(status::unprocessable_entity, "invalid_fields", "字段类型有误", wrong);
  auto row = fire_for(ctx, u, ctx.params.at("tracking_no"), get(fields, "event"), fields, parse_version(get(fields, "version")));
  return http::json_response(ctx.req, status::ok,
                             json::object{{"tracking_no", row.tracking_no},
                                          {"state", to_string(row.state)},
                                          {"version", row.version},
                                          {"reply_due", row.reply_due ? json::value(format_date(*row.reply_due)) : json::value(nullptr)}});
}

}  // namespace

void add_routes(router& r) {
  //     method      pattern                                  runs on     handler
  r.add(verb::get,   "/login",                                run_on::io, login_page);
  r.add(verb::post,  "/login",                                run_on::db, login_submit);
  r.add(verb::post,  "/logout",                               run_on::db, logout_submit);
  r.add(verb::get,   "/staff",                                run_on::db, queue_page);
  r.add(verb::get,   "/staff/dashboard",                      run_on::db, dashboard_page);
  r.add(verb::get,   "/staff/inbox",                          run_on::db, inbox_page);
  r.add(verb::post,  "/staff/bulk-assign",                    run_on::db, bulk_assign);
  r.add(verb::get,   "/staff/register",                       run_on::db, register_page);
  r.add(verb::post,  "/staff/register",                       run_on::db, register_submit);
  r.add(verb::get,   "/staff/cases/{tracking_no}",            run_on::db, case_view);
  r.add(verb::post,  "/staff/cases/{tracking_no}/events",     run_on::db, case_event_submit);
  r.add(verb::post,  "/staff/cases/{tracking_no}/claim",      run_on::db, case_claim);
  r.add(verb::post,  "/staff/cases/{tracking_no}/assign",     run_on::db, case_assign);
  r.add(verb::post,  "/staff/cases/{tracking_no}/note",       run_on::db, case_note);
  r.add(verb::post,  "/staff/cases/{tracking_no}/reveal",     run_on::db, case_reveal);
  r.add(verb::get,   "/staff/cases/{tracking_no}/letters/{seq}", run_on::db, case_letter);
  r.add(verb::post,  "/api/v1/requests/{tracking_no}/events", run_on::db, api_event);
}

}  // namespace gongkai::staff
