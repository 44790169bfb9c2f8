#pragma once
// Staff accounts, roles and login sessions.
#include "sql/audit.hpp"
#include "sql/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gongkai {

// Roles a staff account may hold (several at once).
inline constexpr std::string_view all_roles[] = {"staff", "supervisor", "admin"};
bool is_valid_role(std::string_view r);
bool is_valid_username(std::string_view u);  // [a-z0-9._-], 2..64

struct user {
  long long id = 0;
  std::string username;
  std::string display_name;
  std::vector<std::string> roles;
  bool disabled = false;
  bool must_change_password = false;
  bool has_role(std::string_view r) const;
};

namespace users {

// Throws domain_error (conflict) "username_taken" if the name exists, 422 on an invalid name or role.
long long create(database& db, const std::string& username, const std::string& display_name,
                 const std::string& password_hash, const std::vector<std::string>& roles, bool must_change_password,
                 long long now_s);
std::optional<user> find(database& db, const std::string& username);
// Checks the password (Argon2id) for an enabled account.
std::optional<user> authenticate(database& db, const std::string& username, const std::string& password);
// Sets the password and, in the same transaction, ends every session and revokes every API token of the
// account, except the session whose token is `keep_session` (someone changing their own password stays
// logged in where they did it). Recorded in the audit log as `kind`: "password_reset" (an admin, the
// command line) or "password_changed" (the user). False when there is no such account.
bool set_password(database& db, const std::string& username, const std::string& password_hash, bool must_change,
                  const audit::origin& by, std::string_view kind = "password_reset",
                  const std::string& keep_session = {});
// Disabling also ends every session and revokes every API token of the account, for good: enabling it
// again revives neither. Recorded in the audit log ("disabled", "enabled") when it changed anything.
bool set_disabled(database& db, const std::string& username, bool disabled, const audit::origin& by);
// The address notices go to (empty: notices stay in the staff inbox).
void set_email(database& db, const std::string& username, const std::string& email);
bool any_admin(database& db);
// Replaces the roles of an account (422 on an unknown role); recorded in the audit log ("roles_changed").
bool set_roles(database& db, const std::string& username, const std::vector<std::string>& roles,
               const audit::origin& by);
std::vector<user> all(database& db);
// Enabled users holding `role`, by username.
std::vector<user> with_role(database& db, const std::string& role);

}  // namespace users

namespace sessions {

struct created {
  std::string token;  // given to the client once; only its hash is stored
  long long expires_at;
};

created open(database& db, long long user_id, long long now, long long lifetime_seconds);
// The same, inside the caller's write transaction.
created open(connection& c, long long user_id, long long now, long long lifetime_seconds);
// The session's user if the token is known, not expired, not idle longer than idle_seconds and the
// account is enabled; refreshes last_seen_at.
std::optional<user> resume(database& db, const std::string& token, long long now, long long idle_seconds);
void close(database& db, const std::string& token);
// Test mode: the clock moved forward by `seconds`; every session moves with it (expiry and last use), so
// a session open before the move is as fresh after it.
void follow_clock(database& db, long long seconds);

}  // namespace sessions

}  // namespace gongkai
