// The route table and the platform's handlers (health, readiness, static files, staff sessions).
#include "server/routes.hpp"

#include "server/admin.hpp"
#include "server/auth.hpp"
#include "server/login.hpp"
#include "server/citizen.hpp"
#include "server/report_routes.hpp"
#include "server/statistics_page.hpp"
#include "server/staff.hpp"
#include "core/clock.hpp"
#include "server/config.hpp"
#include "core/embedded.hpp"
#include "server/templates.hpp"
#include "sql/database.hpp"
#include "sql/cases.hpp"
#include "sql/users.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace gongkai {

namespace {

namespace json = boost::json;
using http::status;
using http::verb;


http::response healthz(request_context& ctx) {
  return http::json_response(ctx.req, status::ok, json::object{{"status", "ok"}});
}

http::response readyz(request_context& ctx) {
  if (!ctx.db->ping()) throw http::unavailable_error("database unreachable");
  json::object body{{"status", "ready"}, {"schema_version", ctx.db->schema_version()}};
  if (test_clock::enabled()) {
    body["test_mode"] = true;
    body["clock"] = test_clock::format_iso8601_china(ctx.now_ms);
  }
  return http::json_response(ctx.req, status::ok, body);
}

// Test mode only: moves the clock forward by {"advance_seconds": N} and/or {"advance_days": N}, or to
// {"at": "2026-12-01T09:00:00+08:00"} (never back). Staff sessions move with it (sessions::follow_clock).
http::response move_clock(request_context& ctx) {
  if (!test_clock::enabled()) throw http::http_error(status::not_found, "not_found", "您访问的页面不存在");
  auto body = http::parse_json_body(ctx.req);
  long long ms = 0;
  if (auto* s = body.if_contains("advance_seconds"); s && s->is_int64()) ms += s->as_int64() * 1000;
  if (auto* d = body.if_contains("advance_days"); d && d->is_int64()) ms += d->as_int64() * 86'400'000;
  if (auto* at = body.if_contains("at")) {
    auto target = at->is_string() ? test_clock::parse_iso8601(std::string(at->as_string())) : std::nullopt;
    if (!target)
      throw http::http_error(status::unprocessable_entity, "invalid_fields", "时间格式有误",
                             {{"at", "须为带时区的 ISO 8601 时间，如 2026-12-01T09:00:00+08:00"}});
    ms += *target - ctx.now_ms;
  }
  if (ms <= 0 || ms > 3660LL * 86'400'000)
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "时钟只能向前调整", {{"advance_seconds", "须为正数"}});
  test_clock::advance(ms);
  sessions::follow_clock(*ctx.db, (ms + 999) / 1000);
  return http::json_response(ctx.req, status::ok, json::object{{"clock", test_clock::format_iso8601_china(ctx.now_ms + ms)}});
}

// The API's OpenAPI 3.1 description (docs/openapi.json, compiled in).
http::response openapi(request_context& ctx) {
  auto doc = embedded::find("docs/openapi.json");
  if (!doc) throw http::http_error(status::not_found, "not_found", "您访问的页面不存在");
  auto res = http::text_response(ctx.req, status::ok, std::string(*doc), "application/json; charset=utf-8");
  res.set(http::bhttp::field::cache_control, "public, max-age=3600");
  return res;
}

http::response index_page(request_context& ctx) {
  return http::html_response(ctx.req, status::ok, render_page("首页", "index", template_data{}));
}

std::string_view content_type_for(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

http::response static_file(request_context& ctx) {
  const auto& name = ctx.params.at("file");
  auto content = embedded::find("web/static/" + name);
  if (!content || name.find("..") != std::string::npos)
    throw http::http_error(status::not_found, "not_found", "您访问的页面不存在");
  auto res = http::text_response(ctx.req, status::ok, std::string(*content), content_type_for(name));
  res.set(http::bhttp::field::cache_control, "public, max-age=3600");
  return res;
}

user require_user(request_context& ctx) { return auth::require(ctx); }

json::object user_json(const user& u) {
  json::array roles;
  for (const auto& r : u.roles) roles.emplace_back(r);
  return {{"username", u.username}, {"display_name", u.display_name}, {"roles", roles},
          {"must_change_password", u.must_change_password}};
}

std::string string_field(const json::object& body, std::string_view name, std::map<std::string, std::string>& errors) {
  auto it = body.find(name);
  if (it == body.end() || !it->value().is_string() || it->value().as_string().empty()) {
    errors[std::string(name)] = "必填，且须为字符串";
    return {};
  }
  return std::string(it->value().as_string());
}

http::response login(request_context& ctx) {
  auto body = http::parse_json_body(ctx.req);
  std::map<std::string, std::string> errors;
  auto username = string_field(body, "username", errors);
  auto password = string_field(body, "password", errors);
  if (!errors.empty())
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "请求字段有误", std::move(errors));
  auto in = auth::log_in(ctx, username, password, "api");
  if (in.check.result == auth::verdict::throttled) return auth::throttled_response(ctx, in.check.retry_after_s);
  if (in.check.result != auth::verdict::ok)
    throw http::http_error(status::unauthorized, "invalid_credentials", "用户名或密码错误");
  const auto& s = in.session;
  auto res = http::json_response(ctx.req, status::created, json::object{{"token", s.token}, {"expires_at", s.expires_at},
                                                                        {"user", user_json(*in.check.who)}});
  res.set(http::bhttp::field::set_cookie, auth::session_cookie(s.token, ctx.cfg.secure_cookies));
  return res;
}

http::response whoami(request_context& ctx) {
  return http::json_response(ctx.req, status::ok, json::object{{"user", user_json(require_user(ctx))}});
}

http::response logout(request_context& ctx) {
  require_user(ctx);
  sessions::close(*ctx.db, auth::session_token(ctx.req));
  http::response res{status::no_content, ctx.req.version()};
  http::add_security_headers(res);
  res.keep_alive(ctx.req.keep_alive());
  res.set(http::bhttp::field::set_cookie, auth::cleared_cookie());
  return res;
}

}  // namespace

router make_routes() {
  router r;
  //     method       pattern               runs on  handler
  r.add(verb::get,    "/",                  run_on::io, index_page);
  r.add(verb::get,    "/static/{file}",     run_on::io, static_file);
  r.add(verb::get,    "/healthz",           run_on::io, healthz);
  r.add(verb::get,    "/readyz",            run_on::db, readyz);
  r.add(verb::post,   "/api/v1/session",    run_on::db, login);
  r.add(verb::post,   "/api/v1/test/clock", run_on::db, move_clock);
  r.add(verb::get,    "/api/v1/openapi.json", run_on::io, openapi);
  r.add(verb::get,    "/api/v1/session",    run_on::db, whoami);
  r.add(verb::delete_, "/api/v1/session",   run_on::db, logout);
  citizen::add_routes(r);
  staff::add_routes(r);
  admin::add_routes(r);
  report_routes::add_routes(r);
  statistics_page::add_routes(r);
  return r;
}

}  // namespace gongkai
