#include "server/citizen_common.hpp"

#include "app/filing.hpp"
#include "app/notifications.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "server/config.hpp"
#include "server/letters.hpp"
#include "server/view_cache.hpp"
#include "sql/applications.hpp"
#include "sql/staff.hpp"
#include "workflow/deadlines.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace gongkai::citizen {

namespace {

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
  auto checked = validate_application(fields, china_date(ctx.now_s()));
  for (auto& [k, p] : type_problems) checked.problems[k] = p;
  if (!checked.problems.empty()) throw_problems(checked.problems);
  auto r = file_online(ctx, checked.app, "");
  auto res = http::json_response(ctx.req, status::created, receipt_json(r));
  res.set(http::bhttp::field::location, "/api/v1/requests/" + r.filed.row.tracking_no);
  return res;
}

std::string access_code_header(request_context& ctx) { return std::string(ctx.req["X-Access-Code"]); }

// The look-up clients poll: one statement checks the code and reads the view's stamp, and a view this
// instance computed for the same stamp, day and calendar is sent again (server/view_cache.hpp).
http::response api_status(request_context& ctx) {
  const std::string& no = ctx.params.at("tracking_no");
  const std::string code = access_code_header(ctx);
  if (!ctx.svc.views) return http::json_response(ctx.req, status::ok, view_json(load_view(ctx, find_or_404(ctx, no, code))));
  auto stamp = stamp_or_404(ctx, no, code);
  view_cache::key key{std::move(stamp.stamp), china_date(ctx.now_s()), calendar(ctx)};
  if (auto body = ctx.svc.views->find(no, key))
    return http::text_response(ctx.req, status::ok, std::move(*body), "application/json; charset=utf-8");
  auto row = cases::find(*ctx.db, no);
  if (!row) throw http::http_error(status::not_found, "not_found", not_found_message);
  std::string body = json::serialize(view_json(load_view(ctx, *row)));
  // Kept only if nothing moved between the stamp and the view (else the next request computes it again).
  if (row->version == stamp.version) ctx.svc.views->store(no, std::move(key), body);
  return http::text_response(ctx.req, status::ok, std::move(body), "application/json; charset=utf-8");
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
  auto e = applicant_event(ctx, event_kind::correction_received);
  e.text = correction_text(std::string(text->as_string()));
  auto updated = fire_as_applicant(ctx, row, e, "");
  return http::json_response(ctx.req, status::ok, view_json(load_view(ctx, updated)));
}

http::response api_withdraw(request_context& ctx) {
  auto body = http::parse_json_body(ctx.req);
  auto row = find_or_404(ctx, ctx.params.at("tracking_no"), access_code_header(ctx));
  auto e = applicant_event(ctx, event_kind::withdraw);
  if (auto* r = body.if_contains("reason"); r && r->is_string() && clean_text(r->as_string(), true))
    e.reason = std::string(r->as_string()).substr(0, 600);
  auto updated = fire_as_applicant(ctx, row, e, "");
  return http::json_response(ctx.req, status::ok, view_json(load_view(ctx, updated)));
}

}  // namespace

void add_api_routes(router& r) {
  //     method      pattern                                    runs on     handler
  r.add(verb::post,  "/api/v1/requests",                        run_on::db, api_file);
  r.add(verb::get,   "/api/v1/requests/{tracking_no}",          run_on::db, api_status);
  r.add(verb::post,  "/api/v1/requests/{tracking_no}/correction", run_on::db, api_correct);
  r.add(verb::get,   "/api/v1/requests/{tracking_no}/letters/{seq}", run_on::db, api_letter);
  r.add(verb::post,  "/api/v1/requests/{tracking_no}/withdraw", run_on::db, api_withdraw);
}

}  // namespace gongkai::citizen
