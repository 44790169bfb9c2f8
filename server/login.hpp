#pragma once
// The one login path: every password check of a staff account (the login page, POST /api/v1/session, the
// current password on the password page) goes through check_password, under one throttle
// (sql/logins.hpp) and the bounded password hashing of server/crypto.
#include "server/router.hpp"
#include "sql/users.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gongkai::auth {

enum class verdict { ok, wrong, throttled };

struct password_check {
  verdict result = verdict::wrong;
  std::optional<user> who;     // when ok
  long long retry_after_s = 0;  // when throttled
};

// Throttle (per account and per address), then the Argon2id check. A failure is counted and recorded in the
// audit log as `<kind>_failed` in one transaction; a refusal as `<kind>_throttled`. On success the account's
// count is cleared and `on_success` runs in that same transaction.
password_check check_password(request_context& ctx, const std::string& username, const std::string& password,
                              std::string_view kind, const std::function<void(connection&, const user&)>& on_success);

struct login_result {
  password_check check;
  sessions::created session;  // when check.result == ok
};

// Logs in: check_password, then a new session and the audit row "login" in one transaction. `via` ("api",
// "page") goes into the audit row.
login_result log_in(request_context& ctx, const std::string& username, const std::string& password, std::string_view via);

// 429 with Retry-After, for a throttled attempt (JSON under /api/, else the HTML error page).
http::response throttled_response(request_context& ctx, long long retry_after_s);

}  // namespace gongkai::auth
