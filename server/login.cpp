#include "server/login.hpp"

#include "server/auth.hpp"
#include "sql/audit.hpp"
#include "sql/cases.hpp"
#include "sql/logins.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace gongkai::auth {

password_check check_password(request_context& ctx, const std::string& username, const std::string& password,
                              std::string_view kind, const std::function<void(connection&, const user&)>& on_success) {
  database& db = *ctx.db;
  const audit::origin by{"", std::string(ctx.client), ctx.now_ms};
  if (auto wait = login_throttle::check(db, username, by, kind, ctx.now_ms))
    return {verdict::throttled, std::nullopt, *wait};
  auto u = users::authenticate(db, username, password);  // waits for a hashing slot, outside any transaction
  const long long now_ms = ctx.now_ms;
  db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    if (u) {
      login_throttle::record_success(c, username);
      on_success(c, *u);
    } else {
      login_throttle::record_failure(c, username, by.client, now_ms);
      audit::record(c, by, std::string(kind) + "_failed", username.substr(0, 64));
    }
    tx.commit();
  });
  if (!u) return {verdict::wrong, std::nullopt, 0};
  return {verdict::ok, std::move(u), 0};
}

login_result log_in(request_context& ctx, const std::string& username, const std::string& password, std::string_view via) {
  login_result out;
  out.check = check_password(ctx, username, password, "login", [&](connection& c, const user& u) {
    out.session = sessions::open(c, u.id, ctx.now_s(), session_lifetime_seconds);
    audit::record(c, {u.username, std::string(ctx.client), ctx.now_ms}, "login", u.username,
                  boost::json::serialize(boost::json::object{{"via", via}}));
  });
  return out;
}

http::response throttled_response(request_context& ctx, long long retry_after_s) {
  auto res = http::error_response(ctx.req, http::http_error(http::status::too_many_requests, "login_throttled",
                                                             "登录尝试过于频繁，请" + std::to_string(retry_after_s) +
                                                                 "秒后再试"));
  res.set(http::bhttp::field::retry_after, std::to_string(retry_after_s));
  return res;
}

}  // namespace gongkai::auth
