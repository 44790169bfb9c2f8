// The staff side as JSON, for other office systems: the whole staff view of a case, and claiming,
// assigning, notes and reveals with the same rules as the pages (server/case_actions.cpp). Events are
// fired through POST /api/v1/requests/{no}/events (server/case_page.cpp).
#include "server/case_actions.hpp"

#include "core/clock.hpp"
#include "server/letters.hpp"
#include "workflow/application.hpp"

#include <boost/json.hpp>

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

// A JSON body's members as strings (numbers as their digits); 422 for anything else.
std::map<std::string, std::string> string_members(request_context& ctx) {
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
  auto f = string_members(ctx);
  claim(ctx, u, ctx.params.at("tracking_no"), parse_version(http::value_of(f, "version")));
  return case_json(ctx, u, ctx.params.at("tracking_no"), false);
}

http::response post_assign(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto f = string_members(ctx);
  assign(ctx, u, ctx.params.at("tracking_no"), parse_version(http::value_of(f, "version")), http::value_of(f, "assignee"));
  return case_json(ctx, u, ctx.params.at("tracking_no"), false);
}

http::response post_note(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto f = string_members(ctx);
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

}  // namespace

void add_staff_api_routes(router& r) {
  //     method      pattern                                   runs on     handler
  r.add(verb::post,  "/api/v1/cases/assign",                   run_on::db, post_bulk_assign);
  r.add(verb::get,   "/api/v1/cases/{tracking_no}",            run_on::db, get_case);
  r.add(verb::post,  "/api/v1/cases/{tracking_no}/claim",      run_on::db, post_claim);
  r.add(verb::post,  "/api/v1/cases/{tracking_no}/assign",     run_on::db, post_assign);
  r.add(verb::post,  "/api/v1/cases/{tracking_no}/notes",      run_on::db, post_note);
  r.add(verb::post,  "/api/v1/cases/{tracking_no}/reveal",     run_on::db, post_reveal);
}

}  // namespace gongkai::staff
