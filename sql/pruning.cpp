#include "sql/pruning.hpp"

#include "sql/logins.hpp"

namespace gongkai::pruning {

namespace {

// Deletes the rows of `table` matching `where` (with the bound values a, b), at most l.batch_rows per
// statement and l.max_batches statements. SQLite has no DELETE ... LIMIT (by default): it deletes by rowid.
int delete_in_batches(database& db, const char* table, const char* where, long long a, long long b, const limits& l) {
  const std::string t(table), w(where);
  const std::string n = std::to_string(l.batch_rows);
  int total = 0;
  for (int batch = 0; batch < l.max_batches; ++batch) {
    int deleted = db.run(database::access::write, [&](connection& c) {
      const std::string sql = c.kind == backend::mysql
                                  ? "DELETE FROM " + t + " WHERE " + w + " LIMIT " + n
                                  : "DELETE FROM " + t + " WHERE rowid IN (SELECT rowid FROM " + t + " WHERE " + w +
                                        " LIMIT " + n + ")";
      write_transaction tx(db, c);
      soci::statement st = (c.sql.prepare << sql, soci::use(a, "a"), soci::use(b, "b"));
      st.execute(true);
      int rows = static_cast<int>(st.get_affected_rows());
      tx.commit();
      return rows;
    });
    total += deleted;
    if (deleted < l.batch_rows) break;
  }
  return total;
}

}  // namespace

result prune(database& db, long long now_s, long long session_idle_seconds, limits l) {
  result r;
  r.sessions = delete_in_batches(db, "auth_sessions", "expires_at <= :a OR last_seen_at <= :b", now_s,
                                 now_s - session_idle_seconds, l);
  r.rate_limits = delete_in_batches(db, "rate_limits", "window_start < :a AND window_start < :b",
                                    now_s - rate_limit_keep_seconds, now_s - rate_limit_keep_seconds, l);
  r.form_nonces = delete_in_batches(db, "used_form_tokens", "used_at < :a AND used_at < :b",
                                    now_s - form_nonce_keep_seconds, now_s - form_nonce_keep_seconds, l);
  const long long now_ms = now_s * 1000;
  r.login_failures = delete_in_batches(db, "login_failures", "last_failure_at < :a AND next_allowed_at < :b",
                                       now_ms - login_throttle::forget_after_ms, now_ms, l);
  return r;
}

}  // namespace gongkai::pruning
