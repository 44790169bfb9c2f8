#pragma once
// The login throttle, shared by every instance through the database (table login_failures), used by every
// password check: the form login, POST /api/v1/session and the current password on the password page.
//
// Policy (docs/decisions.md, "Logins"): failures are counted per account and per client address. The first
// few failures cost nothing; after that each further attempt must wait a delay that doubles with every
// failure, capped at a few minutes (account) or a quarter of an hour (address). An attempt inside the delay
// is refused without looking at the password, so it neither helps a guesser nor extends the delay. There is
// no hard lock: once the delay has passed, the right password succeeds and clears the account's count.
// Counts are forgotten an hour after the last failure.
#include "sql/audit.hpp"
#include "sql/database.hpp"

#include <optional>
#include <string>

namespace gongkai::login_throttle {

struct rule {
  int free_failures;       // failures before any delay
  long long max_delay_ms;  // cap of the doubling delay
};
inline constexpr rule per_account{5, 5 * 60 * 1000};
inline constexpr rule per_address{20, 15 * 60 * 1000};
inline constexpr long long forget_after_ms = 60 * 60 * 1000;

// The delay after the n-th failure under `r` (0 while n <= free_failures): 1 s, 2 s, 4 s ... up to the cap.
long long delay_after(const rule& r, int failures);

// Before a password is checked: the seconds to wait when the account or the address is still in its
// delay (the refusal is recorded in the audit log as `kind`_throttled), or nullopt when the attempt may go
// ahead. An attempt that would start a delay if it failed reserves the slot, so concurrent attempts on
// any instance wait instead of all being checked.
std::optional<long long> check(database& db, const std::string& account, const audit::origin& by, std::string_view kind,
                               long long now_ms);

// Inside the caller's write transaction: counts a failure for the account and the address.
void record_failure(connection& c, const std::string& account, const std::string& client, long long now_ms);
// Inside the caller's write transaction: the right password clears the account's count (not the address's,
// or one valid account would let an address keep guessing others).
void record_success(connection& c, const std::string& account);

}  // namespace gongkai::login_throttle
