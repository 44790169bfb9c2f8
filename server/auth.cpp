#include "server/auth.hpp"

#include "server/config.hpp"
#include "core/crypto.hpp"
#include "sql/staff.hpp"

#include <boost/beast/http/field.hpp>

namespace gongkai::auth {

std::string session_token(const http::request& req) {
  auto header = req[http::bhttp::field::authorization];
  if (header.starts_with("Bearer ")) return std::string(header.substr(7));
  auto cookies = req[http::bhttp::field::cookie];
  constexpr std::string_view name = "gk_session=";
  for (auto pos = cookies.find(name); pos != std::string_view::npos; pos = cookies.find(name, pos + 1)) {
    if (pos != 0 && cookies[pos - 1] != ' ' && cookies[pos - 1] != ';') continue;
    auto value = cookies.substr(pos + name.size());
    return std::string(value.substr(0, value.find(';')));
  }
  return {};
}

std::optional<user> current_user(request_context& ctx) {
  auto token = session_token(ctx.req);
  if (token.empty() || token.size() > 200) return std::nullopt;
  if (auto u = sessions::resume(*ctx.db, token, ctx.now_s(), session_idle_seconds)) return u;
  if (token.starts_with("gk_")) return staff_store::api_token_user(*ctx.db, token);  // issued to an office system
  return std::nullopt;
}

user require(request_context& ctx, std::initializer_list<std::string_view> roles) {
  auto u = current_user(ctx);
  if (!u) {
    if (http::is_api_path(ctx.path)) throw http::http_error(http::status::unauthorized, "unauthenticated", "请先登录");
    http::http_error e(http::status::see_other, "login_required", "请先登录");
    e.location = "/login";
    throw e;
  }
  // A one-time password must be replaced before anything else (pages only; the API answers 403).
  if (u->must_change_password && ctx.path != "/account/password" && ctx.path != "/logout" && ctx.path != "/api/v1/session") {
    if (http::is_api_path(ctx.path))
      throw http::http_error(http::status::forbidden, "must_change_password", "请先修改初始密码");
    http::http_error e(http::status::see_other, "must_change_password", "请先修改初始密码");
    e.location = "/account/password";
    throw e;
  }
  if (roles.size() == 0) return *u;
  for (auto r : roles)
    if (u->has_role(r)) return *u;
  throw http::http_error(http::status::forbidden, "forbidden", "您的角色无权进行此操作");
}

http::response redirect(request_context& ctx, const std::string& location) {
  http::response res{http::status::see_other, ctx.req.version()};
  http::add_security_headers(res);
  res.set(http::bhttp::field::location, location);
  res.set(http::bhttp::field::cache_control, "no-store");
  res.keep_alive(ctx.req.keep_alive());
  res.prepare_payload();
  return res;
}

namespace {

std::string purpose(request_context& ctx) {
  // Bound to this session: a token taken from another session's page does not work here.
  return "staff:" + crypto::token_hash(session_token(ctx.req)).substr(0, 16);
}

}  // namespace

std::string form_token(request_context& ctx) {
  return crypto::sign_form_token(ctx.svc.form_key, purpose(ctx), ctx.now_s(), session_lifetime_seconds);
}

void check_form_token(request_context& ctx, const std::map<std::string, std::string>& form) {
  auto it = form.find("csrf");
  if (it == form.end() || it->second.empty() ||
      !crypto::verify_form_token(ctx.svc.form_key, purpose(ctx), it->second, ctx.now_s()))
    throw http::http_error(http::status::forbidden, "form_token_invalid", "表单已失效，请刷新页面后重新提交");
}

std::string session_cookie(const std::string& token, bool secure) {
  std::string c = "gk_session=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                  std::to_string(session_lifetime_seconds);
  if (secure) c += "; Secure";
  return c;
}

std::string cleared_cookie() { return "gk_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"; }

}  // namespace gongkai::auth
