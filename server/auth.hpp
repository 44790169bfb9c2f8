#pragma once
// Who is calling: staff sessions (cookie for pages, bearer token for the API), role checks, and the
// anti-forgery tokens of staff forms (bound to the session).
#include "server/router.hpp"
#include "sql/users.hpp"

#include <initializer_list>
#include <optional>
#include <string>

namespace gongkai::auth {

constexpr long long session_lifetime_seconds = 12 * 3600;  // absolute expiry
constexpr long long session_idle_seconds = 30 * 60;        // idle expiry

// The session token from "Authorization: Bearer ..." (API clients) or the gk_session cookie (pages).
std::string session_token(const http::request& req);
std::optional<user> current_user(request_context& ctx);

// The user, who must hold one of `roles` (any role when empty). Not logged in: 401 (API) or a redirect
// to /login (pages); wrong role: 403.
user require(request_context& ctx, std::initializer_list<std::string_view> roles = {});

// A response that sends the browser to `location` (303 See Other).
http::response redirect(request_context& ctx, const std::string& location);

// Anti-forgery tokens for staff forms, bound to the caller's session.
std::string form_token(request_context& ctx);
void check_form_token(request_context& ctx, const std::map<std::string, std::string>& form);

std::string session_cookie(const std::string& token, bool secure);
std::string cleared_cookie();

}  // namespace gongkai::auth
