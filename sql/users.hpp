#pragma once
// Staff accounts, roles and login sessions.
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

// Throws http_error 409 "username_taken" if the name exists, 422 on an invalid name or role.
long long create(database& db, const std::string& username, const std::string& display_name,
                 const std::string& password_hash, const std::vector<std::string>& roles, bool must_change_password);
std::optional<user> find(database& db, const std::string& username);
// Checks the password (Argon2id) for an enabled account.
std::optional<user> authenticate(database& db, const std::string& username, const std::string& password);
bool set_password(database& db, const std::string& username, const std::string& password_hash, bool must_change);
// Disabling also ends every session of the account.
bool set_disabled(database& db, const std::string& username, bool disabled);
bool any_admin(database& db);
// Replaces the roles of an account (422 on an unknown role).
bool set_roles(database& db, const std::string& username, const std::vector<std::string>& roles);
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

}  // namespace sessions

}  // namespace gongkai
