// The staff side as JSON, for other office systems: the whole staff view of a case, and claiming,
// assigning, notes and reveals with the same rules as the pages (server/case_actions.cpp). Events are
// fired through POST /api/v1/requests/{no}/events (server/case_page.cpp).
#include "server/case_actions.hpp"

#include "core/clock.hpp"
#include "server/letters.hpp"
#include "sql/staff.hpp"
#include "workflow/application.hpp"

#include <boost/json.hpp>
#include <boost/beast/http/field.hpp>

#include <set>

namespace gongkai::staff {

namespace {

json::value date_or_null(const std::optional<date>& d) { return d ? json::value(format_date(*d)) : json::value(nullptr); }

json::object clock_json(const clock& c) {
  json::array lines;
  for (const auto& l : c.explanation) lines.emplace_back(l);
  return {{"due", date_or_null(c.due)}, {"provisional", c.provisional}, {"explanation", std::move(lines)}};
}

json::object detail_json(const case_detail& d, bool revealed) {
  const auto& row = d.row;
  json::object o{{"tracking_no", row.tracking_no},
                 {"state", to_string(row.state)},
                 {"state_zh", name_zh(row.state)},
                 {"version", row.version},
                 {"received_on", format_date(row.received_on)},
                 {"assignee", row.assignee.empty() ? json::value(nullptr) : json::value(row.assignee)},
                 {"overdue", d.overdue},
                 {"overdue_working_days", d.overdue_working_days}};
  o["applicant"] = nullptr;
  if (d.app) {
    const auto& a = *d.app;
    const std::string id = a.id_number.empty() ? a.credit_code : a.id_number;
    const bool full = revealed && d.may_see_identity;
    o["applicant"] = json::object{{"category", to_string(a.category)},
                                  {"category_zh", name_zh(a.category)},
                                  {"name", a.name},
                                  {"contact_person", a.contact_person},
                                  {"id_type", a.id_type},
                                  {"identity", full ? id : mask_identity(id)},
                                  {"phone", full ? a.phone : mask_phone(a.phone)},
                                  {"revealed", full},
                                  {"email", a.email},
                                  {"address", a.address},
                                  {"description", a.description},
                                  {"info_form", a.info_form},
                                  {"delivery", a.delivery}};
  }
  // Every clock the machine keeps, with its explanation (absent when it does not run).
  json::object clocks;
  auto add = [&](const char* name, const clock& c) {
    if (c.due || !c.explanation.empty()) clocks[name] = clock_json(c);
  };
  add("reply", d.clocks.reply);
  if (row.state == case_state::received) add("correction_notice", d.clocks.correction_notice);
  add("correction_period", d.clocks.correction_period);
  add("consultation", d.clocks.consultation);
  add("reconsideration", d.clocks.reconsideration);
  add("litigation", d.clocks.litigation);
  o["clocks"] = std::move(clocks);
  // The timeline: who, when recorded, effective date, what; notes listed again on their own.
  json::array timeline, notes;
  for (const auto& t : d.log) {
    json::value detail = json::object{};
    try {
      detail = json::parse(t.payload);
    } catch (const std::exception&) {
    }
    const std::string recorded = test_clock::format_iso8601_china(t.occurred_at_ms);
    timeline.push_back(json::object{{"seq", t.seq},
                                    {"event", t.event},
                                    {"event_zh", step_name_zh(t)},
                                    {"actor", t.actor},
                                    {"actor_role", t.actor_role},
                                    {"recorded_at", recorded},
                                    {"effective_on", format_date(t.effective_on)},
                                    {"detail", detail}});
    if (t.event == "note" && detail.is_object() && detail.as_object().contains("text"))
      notes.push_back(json::object{{"seq", t.seq}, {"by", t.actor}, {"recorded_at", recorded}, {"text", detail.at("text")}});
  }
  o["timeline"] = std::move(timeline);
  o["notes"] = std::move(notes);
  json::array letter_list;
  for (const auto& l : letters::of_case(d.log, false))
    letter_list.push_back(json::object{{"seq", l.seq}, {"title", l.title}, {"date", format_date(l.on)}});
  o["letters"] = std::move(letter_list);
  // What this user may do now: the events the machine allows for their roles, with the fields each takes.
  json::array allowed;
  for (const auto* f : d.allowed) {
    json::array fields;
    for (const char* name : f->fields) fields.emplace_back(name);
    allowed.push_back(json::object{{"event", to_string(f->kind)}, {"event_zh", name_zh(f->kind)}, {"fields", std::move(fields)}});
  }
  o["allowed_events"] = std::move(allowed);
  o["can_claim"] = d.can_claim;
  o["can_assign"] = d.can_assign;
  o["can_note"] = d.handler;
  o["can_reveal"] = d.may_see_identity && !revealed;
  return o;
}

http::response case_json(request_context& ctx, const user& u, const std::string& no, bool revealed) {
  return http::json_response(ctx.req, status::ok, detail_json(load_detail(ctx, u, no), revealed));
}

http::response get_case(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  return case_json(ctx, u, ctx.params.at("tracking_no"), false);
}

http::response post_reveal(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto row = cases::find(*ctx.db, ctx.params.at("tracking_no"));
  if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
  reveal(ctx, u, *row);
  return case_json(ctx, u, row->tracking_no, true);
}

http::response post_claim(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto f = json_fields(ctx);
  claim(ctx, u, ctx.params.at("tracking_no"), parse_version(http::value_of(f, "version")));
  return case_json(ctx, u, ctx.params.at("tracking_no"), false);
}

http::response post_assign(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto f = json_fields(ctx);
  assign(ctx, u, ctx.params.at("tracking_no"), parse_version(http::value_of(f, "version")), http::value_of(f, "assignee"));
  return case_json(ctx, u, ctx.params.at("tracking_no"), false);
}

http::response post_note(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto f = json_fields(ctx);
  note(ctx, u, ctx.params.at("tracking_no"), parse_version(http::value_of(f, "version")), http::value_of(f, "text"));
  return case_json(ctx, u, ctx.params.at("tracking_no"), false);
}

// {"assignee": "clerk", "tracking_numbers": ["2026-000001", ...]}: all or none (at most 500).
http::response post_bulk_assign(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto body = http::parse_json_body(ctx.req);
  std::vector<std::string> numbers;
  const auto* list = body.if_contains("tracking_numbers");
  if (!list || !list->is_array() || list->as_array().empty() || list->as_array().size() > 500)
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "请列出 1 至 500 个申请编号",
                           {{"tracking_numbers", "须为 1 至 500 个申请编号的数组"}});
  for (const auto& v : list->as_array()) {
    if (!v.is_string() || v.as_string().size() > 32)
      throw http::http_error(status::unprocessable_entity, "invalid_fields", "申请编号有误", {{"tracking_numbers", "须为字符串"}});
    numbers.emplace_back(v.as_string());
  }
  const auto* to = body.if_contains("assignee");
  if (!to || !to->is_string())
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "请选择承办人", {{"assignee", "必填"}});
  auto rows = assign_many(ctx, u, numbers, std::string(to->as_string()));
  json::array out;
  for (const auto& r : rows)
    out.push_back(json::object{{"tracking_no", r.tracking_no}, {"version", r.version}, {"assignee", r.assignee}});
  return http::json_response(ctx.req, status::ok, json::object{{"assigned", std::move(out)}});
}

// ---- The queue as JSON or CSV ----
// The queue page's filters, strictly: an unknown parameter, a malformed value or cursor, or a page size
// out of 1..200 is refused (400 bad_request for the cursor and unknown parameters, 422 for a value).
staff_store::queue_filter strict_filter(request_context& ctx, const user& u, const std::map<std::string, std::string>& q) {
  static const std::set<std::string> known = {"view", "state", "overdue", "due_within", "channel", "category", "from",
                                              "to", "q", "sort", "after", "limit", "format"};
  for (const auto& [k, v] : q)
    if (!known.count(k)) throw http::http_error(status::bad_request, "bad_request", "未知的查询参数：" + k.substr(0, 40));
  std::map<std::string, std::string> wrong;
  staff_store::queue_filter f;
  f.today = china_date(ctx.now_s());
  f.me = u.username;
  auto cal = calendar(ctx);
  const auto view = http::value_of(q, "view");
  if (view == "mine") f.which = staff_store::queue_filter::view::mine;
  else if (view == "unassigned") f.which = staff_store::queue_filter::view::unassigned;
  else if (view.empty() || view == "all") f.which = staff_store::queue_filter::view::all;
  else wrong["view"] = "须为 all、mine 或 unassigned";
  if (auto st = http::value_of(q, "state"); !st.empty()) {
    f.state = parse_state(st);
    if (!f.state) wrong["state"] = "没有该状态";
  }
  if (auto o = http::value_of(q, "overdue"); !o.empty()) {
    if (o != "1" && o != "0") wrong["overdue"] = "须为 0 或 1";
    f.overdue_only = o == "1";
  }
  if (auto n = http::value_of(q, "due_within"); !n.empty()) {
    if (n.size() > 2 || n.find_first_not_of("0123456789") != std::string::npos || std::stoi(n) < 1)
      wrong["due_within"] = "须为 1 至 99 的工作日数";
    else f.due_by = add_working_days(*cal, f.today, std::stoi(n)).end;
  }
  f.channel = http::value_of(q, "channel");
  if (!f.channel.empty() && !parse_channel(f.channel)) wrong["channel"] = "没有该收件方式";
  f.category = http::value_of(q, "category");
  if (!f.category.empty() && !parse_category(f.category)) wrong["category"] = "没有该申请人类别";
  for (const char* k : {"from", "to"})
    if (auto v = http::value_of(q, k); !v.empty() && !parse_date(v)) wrong[k] = "须为 YYYY-MM-DD";
  f.received_from = parse_date(http::value_of(q, "from"));
  f.received_to = parse_date(http::value_of(q, "to"));
  f.search = http::value_of(q, "q");
  if (f.search.size() > 100 || !clean_text(f.search, false)) wrong["q"] = "须为 100 字节以内的有效文字";
  if (auto so = http::value_of(q, "sort"); !so.empty() && so != "due" && so != "received") wrong["sort"] = "须为 due 或 received";
  f.sort_by_received = http::value_of(q, "sort") == "received";
  if (auto l = http::value_of(q, "limit"); !l.empty()) {
    if (l.size() > 3 || l.find_first_not_of("0123456789") != std::string::npos || std::stoi(l) < 1 || std::stoi(l) > 200)
      wrong["limit"] = "须为 1 至 200";
    else f.page_size = std::stoi(l);
  }
  if (!wrong.empty()) throw http::http_error(status::unprocessable_entity, "invalid_fields", "查询条件有误", wrong);
  if (auto a = http::value_of(q, "after"); !a.empty()) {
    f.after = parse_queue_cursor(a);
    if (!f.after) throw http::http_error(status::bad_request, "bad_request", "翻页位置（after）格式不正确");
  }
  return f;
}

// A spreadsheet cell: quoted when needed, and a leading =, +, -, @, tab or CR neutralised with an
// apostrophe so that no spreadsheet evaluates it as a formula.
std::string csv_cell(std::string v) {
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

http::response get_cases(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto q = http::query_params(ctx.req);
  auto f = strict_filter(ctx, u, q);
  const bool csv = http::value_of(q, "format") == "csv" ||
                   (http::value_of(q, "format").empty() && std::string(ctx.req[http::bhttp::field::accept]).starts_with("text/csv"));
  if (auto fm = http::value_of(q, "format"); !fm.empty() && fm != "csv" && fm != "json")
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "查询条件有误", {{"format", "须为 json 或 csv"}});
  auto cal = calendar(ctx);
  auto page = staff_store::queue(*ctx.db, f);
  auto days_left = [&](const staff_store::queue_row& r) -> std::optional<int> {
    if (!r.reply_due || !is_open(r.state)) return std::nullopt;
    return working_days_left(*cal, f.today, *r.reply_due);
  };
  const std::string next = page.next ? page.next->key + "." + std::to_string(page.next->id) : std::string();
  if (csv) {
    // The columns the queue page shows, masked as it masks them.
    std::string out = "\xEF\xBB\xBF申请编号,收到日期,状态,承办人,申请人,证件号码,联系电话,答复期限,剩余工作日\r\n";
    for (const auto& r : page.rows) {
      auto left = days_left(r);
      for (const auto& cell : {r.tracking_no, format_date(r.received_on), std::string(name_zh(r.state)),
                               r.assignee.empty() ? std::string("未分配") : r.assignee, show_invisible(r.name), r.masked_id,
                               r.masked_phone, r.reply_due && is_open(r.state) ? format_date(*r.reply_due) : std::string(),
                               left ? std::to_string(*left) : std::string()})
        out += csv_cell(cell) + ",";
      out.back() = '\r';
      out += "\n";
    }
    auto res = http::text_response(ctx.req, status::ok, std::move(out), "text/csv; charset=utf-8");
    res.set(http::bhttp::field::content_disposition, "attachment; filename=\"cases.csv\"");
    if (!next.empty()) res.set("X-Next-Cursor", next);
    return res;
  }
  json::array rows;
  for (const auto& r : page.rows) {
    auto left = days_left(r);
    rows.push_back(json::object{{"tracking_no", r.tracking_no},
                                {"received_on", format_date(r.received_on)},
                                {"state", to_string(r.state)},
                                {"state_zh", name_zh(r.state)},
                                {"assignee", r.assignee.empty() ? json::value(nullptr) : json::value(r.assignee)},
                                {"name", r.name},
                                {"identity", r.masked_id},
                                {"phone", r.masked_phone},
                                {"reply_due", r.reply_due && is_open(r.state) ? json::value(format_date(*r.reply_due)) : json::value(nullptr)},
                                {"reply_due_provisional", r.due_provisional},
                                {"days_left", left ? json::value(*left) : json::value(nullptr)},
                                {"overdue", left && *left < 0}});
  }
  return http::json_response(ctx.req, status::ok,
                             json::object{{"cases", std::move(rows)},
                                          {"total", std::min(page.total, page.cap)},
                                          {"total_is_lower_bound", page.total > page.cap},
                                          {"next", next.empty() ? json::value(nullptr) : json::value(next)}});
}

}  // namespace

void add_staff_api_routes(router& r) {
  r.add(verb::get,   "/api/v1/cases",                          run_on::db, get_cases);
  //     method      pattern                                   runs on     handler
  r.add(verb::post,  "/api/v1/cases/assign",                   run_on::db, post_bulk_assign);
  r.add(verb::get,   "/api/v1/cases/{tracking_no}",            run_on::db, get_case);
  r.add(verb::post,  "/api/v1/cases/{tracking_no}/claim",      run_on::db, post_claim);
  r.add(verb::post,  "/api/v1/cases/{tracking_no}/assign",     run_on::db, post_assign);
  r.add(verb::post,  "/api/v1/cases/{tracking_no}/notes",      run_on::db, post_note);
  r.add(verb::post,  "/api/v1/cases/{tracking_no}/reveal",     run_on::db, post_reveal);
}

}  // namespace gongkai::staff
