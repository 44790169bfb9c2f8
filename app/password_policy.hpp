#pragma once
// The one password policy, used wherever a password is set: the admin page (new accounts, resets), a
// user's own change, and `gongkai user add|passwd|bootstrap`.
#include <optional>
#include <string>
#include <string_view>

namespace gongkai::password_policy {

constexpr std::size_t min_length = 12;   // characters
constexpr std::size_t max_length = 200;  // characters (Argon2id would take more, but nobody types it)

// Why `password` is refused (a message for the user, in Chinese), or nullopt when it is acceptable:
// shorter than 12 characters or longer than 200, blank or whitespace only, control characters, one
// character (or a group of up to three) repeated, fewer than 12 characters besides the account's
// own name, or a common password
// (server/common_passwords.txt, compared without regard to ASCII case).
std::optional<std::string> problem(std::string_view password, std::string_view username = {});

// A random one-time password (crypto::random_password) that the policy accepts.
std::string one_time_password();

}  // namespace gongkai::password_policy
