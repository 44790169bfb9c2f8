#include "sql/logins.hpp"

#include "core/crypto.hpp"

#include <algorithm>

namespace gongkai::login_throttle {

namespace {

std::string account_bucket(const std::string& account) { return crypto::token_hash("login-account|" + account); }
std::string address_bucket(const std::string& client) { return crypto::token_hash("login-address|" + client); }

struct bucket_state {
  int failures = 0;
  long long last_failure_at = 0;
  long long next_allowed_at = 0;
};

// Reads a bucket under its row lock (MariaDB; SQLite's BEGIN IMMEDIATE already serialises writers).
std::optional<bucket_state> lock_bucket(connection& c, const std::string& bucket) {
  bucket_state b;
  soci::indicator ind = soci::i_null;
  const std::string sql = std::string("SELECT failures, last_failure_at, next_allowed_at FROM login_failures "
                                      "WHERE bucket = :b") +
                          (c.kind == backend::mysql ? " FOR UPDATE" : "");
  c.sql << sql, soci::use(bucket), soci::into(b.failures, ind), soci::into(b.last_failure_at), soci::into(b.next_allowed_at);
  if (!c.sql.got_data() || ind != soci::i_ok) return std::nullopt;
  return b;
}

// Counts forgotten an hour after the last failure.
int live_failures(const bucket_state& b, long long now_ms) {
  return now_ms - b.last_failure_at > forget_after_ms ? 0 : b.failures;
}

void count_failure(connection& c, const std::string& bucket, const rule& r, long long now_ms) {
  // One statement creates the row or takes its exclusive lock (ON DUPLICATE KEY UPDATE locks the existing
  // row exclusively on InnoDB), so two first failures at once cannot deadlock on a shared lock.
  if (c.kind == backend::mysql)
    c.sql << "INSERT INTO login_failures (bucket, failures, last_failure_at, next_allowed_at) VALUES (:b, 0, 0, 0) "
             "ON DUPLICATE KEY UPDATE failures = failures",
        soci::use(bucket);
  else
    c.sql << "INSERT OR IGNORE INTO login_failures (bucket, failures, last_failure_at, next_allowed_at) "
             "VALUES (:b, 0, 0, 0)",
        soci::use(bucket);
  auto b = lock_bucket(c, bucket).value_or(bucket_state{});
  const int failures = live_failures(b, now_ms) + 1;
  const long long next = now_ms + delay_after(r, failures);
  c.sql << "UPDATE login_failures SET failures = :f, last_failure_at = :l, next_allowed_at = :n WHERE bucket = :b",
      soci::use(failures), soci::use(now_ms), soci::use(next), soci::use(bucket);
}

}  // namespace

long long delay_after(const rule& r, int failures) {
  if (failures <= r.free_failures) return 0;
  const int doublings = std::min(failures - r.free_failures - 1, 30);
  return std::min(1000LL << doublings, r.max_delay_ms);
}

std::optional<long long> check(database& db, const std::string& account, const audit::origin& by, std::string_view kind,
                               long long now_ms) {
  const std::pair<std::string, const rule*> buckets[] = {{account_bucket(account), &per_account},
                                                         {address_bucket(by.client), &per_address}};
  return db.run(database::access::write, [&](connection& c) -> std::optional<long long> {
    write_transaction tx(db, c);
    long long wait_ms = 0;
    std::vector<std::pair<std::string, long long>> reservations;
    for (const auto& [bucket, r] : buckets) {  // always the account first, then the address: one lock order
      auto b = lock_bucket(c, bucket);
      if (!b) continue;
      if (b->next_allowed_at > now_ms) {
        wait_ms = std::max(wait_ms, b->next_allowed_at - now_ms);
        continue;
      }
      // A failure now would start (or lengthen) a delay: hold the slot until this attempt is decided.
      if (long long d = delay_after(*r, live_failures(*b, now_ms) + 1); d > 0) reservations.emplace_back(bucket, now_ms + d);
    }
    if (wait_ms > 0) {
      const long long seconds = (wait_ms + 999) / 1000;
      audit::record(c, by, std::string(kind) + "_throttled", account,
                    "{\"retry_after_s\":" + std::to_string(seconds) + "}");
      tx.commit();
      return seconds;
    }
    for (const auto& [bucket, until] : reservations)
      c.sql << "UPDATE login_failures SET next_allowed_at = :n WHERE bucket = :b", soci::use(until), soci::use(bucket);
    tx.commit();
    return std::nullopt;
  });
}

void record_failure(connection& c, const std::string& account, const std::string& client, long long now_ms) {
  count_failure(c, account_bucket(account), per_account, now_ms);
  count_failure(c, address_bucket(client), per_address, now_ms);
}

void record_success(connection& c, const std::string& account) {
  const std::string bucket = account_bucket(account);
  c.sql << "DELETE FROM login_failures WHERE bucket = :b", soci::use(bucket);
}

}  // namespace gongkai::login_throttle
