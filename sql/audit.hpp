#pragma once
// The security audit trail: logins, failed logins, throttling, password resets and changes, role changes,
// disabling and enabling, API tokens issued and revoked. Each row is written inside the transaction of the
// change it records, so a change that fails (or rolls back) leaves no row, and no change goes unrecorded.
// Rows never hold a password; `client` is the peer address as the server sees it.
#include "sql/database.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gongkai::audit {

// Who did it, from where and when. An empty actor (the command line, the system) and an empty client (not
// over HTTP) are stored as NULL; `at_ms` is the request's or the command's "now" (storage reads no clock).
struct origin {
  std::string actor;
  std::string client;
  long long at_ms = 0;
};

struct entry {
  long long id = 0;
  long long at_ms = 0;
  std::optional<std::string> actor;
  std::string kind;  // login, login_failed, login_throttled, password_reset, password_changed, ...
  std::optional<std::string> target;
  std::optional<std::string> client;
  std::string detail;  // a JSON object
};

// Appends one row inside the caller's write transaction. `detail` is a JSON object (never a password).
void record(connection& c, const origin& by, std::string_view kind, std::string_view target,
            std::string_view detail = "{}");

// The newest `limit` rows, newest first (for the admin page).
std::vector<entry> recent(database& db, int limit);

}  // namespace gongkai::audit
