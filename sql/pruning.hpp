#pragma once
// Pruning what expires: ended sessions, old rate-limit windows, used anti-forgery nonces whose tokens can
// no longer verify, and login-throttle counts that are forgotten. Run by the sweeper once per sweep, in
// bounded batches (each batch its own short transaction), so a backlog never becomes one long lock. Safe on
// any number of instances at once: deleting a row that is already gone deletes nothing.
#include "sql/database.hpp"

namespace gongkai::pruning {

struct limits {
  int batch_rows = 500;  // rows per DELETE
  int max_batches = 20;  // per table per run; the rest waits for the next sweep
};

// How long a row is kept after it stopped mattering.
constexpr long long rate_limit_keep_seconds = 24 * 3600;   // windows are at most an hour long
constexpr long long form_nonce_keep_seconds = 24 * 3600;   // form tokens live at most a few hours

struct result {
  int sessions = 0;
  int rate_limits = 0;
  int form_nonces = 0;
  int login_failures = 0;
};

// Deletes sessions past their absolute expiry or idle longer than `session_idle_seconds`, rate-limit
// windows and used nonces older than a day, and login-throttle rows whose count is forgotten and whose delay
// has passed.
result prune(database& db, long long now_s, long long session_idle_seconds, limits l = {});

}  // namespace gongkai::pruning
