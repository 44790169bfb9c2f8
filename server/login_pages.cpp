
#include "server/staff_common.hpp"
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

// ---- Login ----
http::response login_form(request_context& ctx, status s, const std::string& error, const std::string& username) {
  data d;
  d.set("csrf", crypto::sign_form_token(ctx.svc.form_key, "login", ctx.now_s(), 3600));
  d.set("username", username);
  if (!error.empty()) d.set("error", error);
  return http::html_response(ctx.req, s, render_page("工作人员登录", "login", d));
}

http::response login_page(request_context& ctx) { return login_form(ctx, status::ok, "", ""); }

http::response login_submit(request_context& ctx) {
  auto form = http::parse_form_body(ctx.req);
  if (!crypto::verify_form_token(ctx.svc.form_key, "login", http::value_of(form, "csrf"), ctx.now_s()))
    throw http::http_error(status::forbidden, "form_token_invalid", "表单已失效，请刷新页面后重新提交");
  auto username = http::value_of(form, "username");
  auto in = auth::log_in(ctx, username, http::value_of(form, "password"), "page");
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

}  // namespace

void add_login_routes(router& r) {
  //     method      pattern                                  runs on     handler
  r.add(verb::get,   "/login",                                run_on::io, login_page);
  r.add(verb::post,  "/login",                                run_on::db, login_submit);
  r.add(verb::post,  "/logout",                               run_on::db, logout_submit);
}

}  // namespace gongkai::staff
