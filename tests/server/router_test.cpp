// Handlers and the route table, called directly: no socket.
#include <catch2/catch.hpp>

#include "server/config.hpp"
#include "server/routes.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

using namespace gongkai;
namespace bhttp = boost::beast::http;

namespace {

http::response call(const router& r, http::verb method, const std::string& target, const std::string& body = {},
                    const std::string& content_type = {}) {
  static const config cfg;
  http::request req{method, target, 11};
  if (!content_type.empty()) req.set(bhttp::field::content_type, content_type);
  req.body() = body;
  req.prepare_payload();
  auto m = r.find(method, http::path_of(target));
  static const services none;
  return r.dispatch(m, req, cfg, none);
}

boost::json::object error_of(const http::response& res) {
  REQUIRE(res[bhttp::field::content_type].starts_with("application/json"));
  return boost::json::parse(res.body()).as_object().at("error").as_object();
}

}  // namespace

TEST_CASE("GET /healthz answers ok with security headers", "[router]") {
  auto routes = make_routes();
  auto res = call(routes, http::verb::get, "/healthz");
  CHECK(res.result() == http::status::ok);
  CHECK(boost::json::parse(res.body()).at("status") == "ok");
  CHECK(res["Content-Security-Policy"].find("frame-ancestors 'none'") != std::string::npos);
  CHECK(res["Content-Security-Policy"].find("unsafe-inline") == std::string::npos);
  CHECK(res["X-Content-Type-Options"] == "nosniff");
  CHECK(res["Referrer-Policy"] == "no-referrer");
}

TEST_CASE("unknown paths: JSON error under /api/, an HTML page elsewhere", "[router]") {
  auto routes = make_routes();
  auto api = call(routes, http::verb::get, "/api/v1/nothing");
  CHECK(api.result() == http::status::not_found);
  CHECK(error_of(api).at("code") == "not_found");
  CHECK(error_of(api).at("message").as_string().size() > 0);

  auto page = call(routes, http::verb::get, "/nothing");
  CHECK(page.result() == http::status::not_found);
  CHECK(page[bhttp::field::content_type] == "text/html; charset=utf-8");
  CHECK(page.body().find("<html lang=\"zh-CN\">") != std::string::npos);
  CHECK(page["Content-Security-Policy"].size() > 0);
}

TEST_CASE("a known path with the wrong method is 405 with Allow", "[router]") {
  auto routes = make_routes();
  auto res = call(routes, http::verb::post, "/healthz");
  CHECK(res.result() == http::status::method_not_allowed);
  CHECK(res[bhttp::field::allow] == "GET, HEAD");
  auto api = call(routes, http::verb::put, "/api/v1/session");
  CHECK(api.result() == http::status::method_not_allowed);
  CHECK(api[bhttp::field::allow] == "DELETE, GET, HEAD, POST");
  CHECK(error_of(api).at("code") == "method_not_allowed");
}

TEST_CASE("HEAD gives the GET headers and no body", "[router]") {
  auto routes = make_routes();
  auto get = call(routes, http::verb::get, "/");
  auto head = call(routes, http::verb::head, "/");
  CHECK(head.result() == http::status::ok);
  CHECK(head.body().empty());
  CHECK(head[bhttp::field::content_length] == std::to_string(get.body().size()));
  CHECK(get.body().find("政府信息公开") != std::string::npos);
}

TEST_CASE("JSON bodies: 415 for another content type, 400 when malformed", "[router]") {
  auto routes = make_routes();
  auto wrong_type = call(routes, http::verb::post, "/api/v1/session", "username=a", "application/x-www-form-urlencoded");
  CHECK(wrong_type.result() == http::status::unsupported_media_type);
  CHECK(error_of(wrong_type).at("code") == "unsupported_media_type");
  auto broken = call(routes, http::verb::post, "/api/v1/session", "{\"username\": ", "application/json");
  CHECK(broken.result() == http::status::bad_request);
  CHECK(error_of(broken).at("code") == "malformed_json");
  auto not_object = call(routes, http::verb::post, "/api/v1/session", "[1,2]", "application/json; charset=utf-8");
  CHECK(not_object.result() == http::status::bad_request);
}

TEST_CASE("failures inside handlers become responses without internal detail", "[router]") {
  router r;
  r.add(http::verb::get, "/api/boom", run_on::io, [](request_context&) -> http::response {
    throw std::runtime_error("SELECT password_hash FROM users");
  });
  r.add(http::verb::get, "/boom", run_on::io, [](request_context&) -> http::response { throw 42; });
  r.add(http::verb::get, "/api/down", run_on::io, [](request_context&) -> http::response {
    throw http::unavailable_error("connection refused");
  });
  r.add(http::verb::get, "/api/fields", run_on::io, [](request_context&) -> http::response {
    throw http::http_error(http::status::unprocessable_entity, "invalid_fields", "字段有误", {{"phone", "格式不对"}});
  });
  auto boom = call(r, http::verb::get, "/api/boom");
  CHECK(boom.result() == http::status::internal_server_error);
  CHECK(boom.body().find("SELECT") == std::string::npos);
  CHECK(error_of(boom).at("code") == "internal_error");

  CHECK(call(r, http::verb::get, "/boom").result() == http::status::internal_server_error);

  auto down = call(r, http::verb::get, "/api/down");
  CHECK(down.result() == http::status::service_unavailable);
  CHECK(down[bhttp::field::retry_after] == "5");
  CHECK(down.body().find("refused") == std::string::npos);

  auto fields = call(r, http::verb::get, "/api/fields");
  CHECK(fields.result() == http::status::unprocessable_entity);
  CHECK(error_of(fields).at("fields").at("phone") == "格式不对");
}

TEST_CASE("route patterns capture segments and match exactly", "[router]") {
  router r;
  r.add(http::verb::get, "/api/v1/requests/{tracking_no}", run_on::io, [](request_context& ctx) {
    return http::text_response(ctx.req, http::status::ok, ctx.params.at("tracking_no"), "text/plain");
  });
  CHECK(call(r, http::verb::get, "/api/v1/requests/2026-000123").body() == "2026-000123");
  CHECK(call(r, http::verb::get, "/api/v1/requests/2026-000123?code=x").body() == "2026-000123");
  CHECK(call(r, http::verb::get, "/api/v1/requests/").result() == http::status::not_found);
  CHECK(call(r, http::verb::get, "/api/v1/requests/a/b").result() == http::status::not_found);
}

TEST_CASE("error pages escape what they show", "[router]") {
  router r;
  r.add(http::verb::get, "/x", run_on::io, [](request_context&) -> http::response {
    throw http::http_error(http::status::bad_request, "bad", "<script>alert(1)</script>", {{"<b>", "<i>"}});
  });
  auto res = call(r, http::verb::get, "/x");
  CHECK(res.body().find("<script>alert") == std::string::npos);
  CHECK(res.body().find("&lt;script&gt;") != std::string::npos);
  CHECK(res.body().find("<b>") == std::string::npos);
}

TEST_CASE("static files are served from the embedded web/static", "[router]") {
  auto routes = make_routes();
  auto css = call(routes, http::verb::get, "/static/app.css");
  CHECK(css.result() == http::status::ok);
  CHECK(css[bhttp::field::content_type] == "text/css; charset=utf-8");
  CHECK(css.body().find("@media print") != std::string::npos);
  CHECK(call(routes, http::verb::get, "/static/missing.css").result() == http::status::not_found);
}

TEST_CASE("form bodies: decoded fields, 415 for another type, 400 when malformed", "[router]") {
  auto form = [](const std::string& body, const std::string& type) {
    http::request req{http::verb::post, "/f", 11};
    req.set(bhttp::field::content_type, type);
    req.body() = body;
    return http::parse_form_body(req);
  };
  auto fields = form("name=%E7%8E%8B%E8%8A%B3&note=a+b%2Bc&name=second", "application/x-www-form-urlencoded");
  CHECK(fields.at("name") == "王芳");
  CHECK(fields.at("note") == "a b+c");
  try {
    form("name=%zz", "application/x-www-form-urlencoded");
    FAIL("a broken escape was accepted");
  } catch (const http::http_error& e) {
    CHECK(e.status == http::status::bad_request);
    CHECK(e.code == "malformed_form");
  }
  try {
    form("{}", "application/json");
    FAIL("JSON was accepted as a form");
  } catch (const http::http_error& e) {
    CHECK(e.status == http::status::unsupported_media_type);
  }
}

TEST_CASE("media types are case-insensitive and may carry parameters and spaces", "[router]") {
  auto routes = make_routes();
  for (const char* type : {"APPLICATION/JSON", "Application/Json; charset=UTF-8", " application/json ;charset=utf-8"}) {
    INFO(type);
    auto res = call(routes, http::verb::post, "/api/v1/session", "[1]", type);
    CHECK(res.result() == http::status::bad_request);  // parsed as JSON (an array), not refused as 415
    CHECK(error_of(res).at("code") == "malformed_json");
  }
  for (const char* type : {"Application/X-WWW-Form-Urlencoded", "APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8"}) {
    INFO(type);
    auto res = call(routes, http::verb::post, "/track", "tracking_no=%ZZ", type);
    CHECK(res.result() == http::status::bad_request);  // parsed as a form (malformed), not 415
  }
}
