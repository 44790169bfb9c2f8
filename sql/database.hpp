#pragma once
// Storage access through SOCI: a pool of connections (one per database thread), statements prepared once
// per connection and reused, explicit write transactions, and the embedded migrations.
//
// Backends: SQLite (WAL, busy timeout, synchronous=FULL, one writer at a time) and MariaDB/MySQL
// (utf8mb4, pooled connections, re-established when lost). A read may be retried once on a fresh
// connection; a write is never sent twice: a write that fails because the connection was lost raises
// unavailable_error (503) and the client decides.
#include "core/errors.hpp"
#include "sql/db_url.hpp"

#include <soci/soci.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <typeindex>
#include <unordered_map>
#include <vector>

namespace gongkai {

using backend = db_url::backend;

// One pooled database connection and the statements prepared on it.
class connection {
 public:
  connection(const db_url& url);
  soci::session sql;
  const backend kind;

  // A statement type S is a struct constructed from soci::session& that binds its own members with
  // soci::use/soci::into and prepares once; it lives as long as the connection.
  template <class S>
  S& prepared() {
    auto& slot = statements_[std::type_index(typeid(S))];
    if (!slot) slot = std::make_shared<S>(sql);
    return *std::static_pointer_cast<S>(slot);
  }
  void forget_statements() { statements_.clear(); }

  // The id of the row just inserted on this connection.
  long long last_insert_id();

 private:
  std::unordered_map<std::type_index, std::shared_ptr<void>> statements_;
};

class database;

// An integer column of a soci::row, whatever width the backend reports for it (SQLite's INTEGER
// PRIMARY KEY is an int to SOCI, MySQL's BIGINT a long long).
long long row_integer(const soci::row& r, std::size_t column);

// Runs a prepared query that yields at most one row (a lookup by unique key); true if it found one.
// It steps the statement to its end: on SQLite a statement left in the middle of its result keeps a
// read snapshot open, and a later BEGIN IMMEDIATE on the same connection then fails with SQLITE_BUSY.
inline bool fetch_one(soci::statement& st) {
  bool found = st.execute(true);
  if (found) st.fetch();
  return found;
}

// One write transaction: SQLite's BEGIN IMMEDIATE under the process's writer lock, or START TRANSACTION
// on MySQL. Rolled back unless commit() is called.
class write_transaction {
 public:
  write_transaction(database& db, connection& c);
  ~write_transaction();
  void commit();
  write_transaction(const write_transaction&) = delete;
  write_transaction& operator=(const write_transaction&) = delete;

 private:
  connection& c_;
  std::unique_lock<std::mutex> writer_lock_;
  bool open_ = false;
};

class database {
 public:
  enum class access { read, write };

  // Connections are opened on first use, so the server starts (and answers 503) while the database is
  // down. pool_size bounds concurrent connections.
  database(db_url url, std::size_t pool_size);
  ~database();

  backend kind() const { return url_.kind; }
  const db_url& url() const { return url_; }

  // Leases a connection and runs f(connection&). A lost connection becomes unavailable_error (a read
  // is first retried once on a new connection); other database errors propagate unchanged.
  template <class F>
  auto run(access a, F&& f) -> decltype(f(std::declval<connection&>())) {
    for (int attempt = 0;; ++attempt) {
      lease l(*this);
      try {
        return f(*l.conn);
      } catch (const soci::soci_error& e) {
        if (!connection_lost(*l.conn)) throw;
        l.broken = true;
        if (a == access::write || attempt > 0) throw unavailable_error(e.what());
      }
    }
  }

  // Runs f(connection&) inside one write transaction and commits it; returns what f returns. When the
  // database rolled the transaction back to break a deadlock or a lock wait (MariaDB 1213, 1205; a
  // Galera certification failure reports 1213 too), nothing of it was stored, so it runs again, up to
  // five times with a short random pause. f must not act outside the database (no mail, no response).
  template <class F>
  auto transact(F&& f) -> decltype(f(std::declval<connection&>())) {
    using result = decltype(f(std::declval<connection&>()));
    for (int attempt = 1;; ++attempt) {
      try {
        return run(access::write, [&](connection& c) -> result {
          write_transaction tx(*this, c);
          if constexpr (std::is_void_v<result>) {
            f(c);
            tx.commit();
          } else {
            result r = f(c);
            tx.commit();
            return r;
          }
        });
      } catch (const soci::soci_error& e) {
        if (attempt >= 5 || !retryable(e)) throw;
        pause_before_retry(attempt);
      }
    }
  }

  // Group commit for intake on SQLite's single writer: f runs in one write transaction shared with the
  // grouped writes waiting at that moment, each in a savepoint of its own, and one COMMIT (one sync) makes
  // the group durable. A write whose f throws is rolled back to its savepoint and the error goes to its
  // caller alone; when the commit fails, every write of the group fails. No caller returns before the
  // commit that stored its write. f must be safe to run in any order with the others (they are
  // independent filings). MariaDB/InnoDB groups commits itself: this is transact(f) there.
  template <class F>
  auto transact_grouped(F&& f) -> decltype(f(std::declval<connection&>())) {
    using result = decltype(f(std::declval<connection&>()));
    if (kind() != backend::sqlite) return transact(std::forward<F>(f));
    if constexpr (std::is_void_v<result>) {
      run_grouped([&](connection& c) { f(c); });
    } else {
      std::optional<result> out;
      run_grouped([&](connection& c) { out.emplace(f(c)); });
      return std::move(*out);
    }
  }

  // How many group commits this process has made (SQLite): measured by the tests and the benchmark.
  long long group_commits() const { return group_commits_.load(); }

  // Refreshes the query planner's statistics where the backend needs it: SQLite plans without them (an
  // approximate ANALYZE, bounded per index); InnoDB keeps its own. Run at start and by a background job.
  void refresh_statistics();

  // SELECT 1 on a pooled connection; false when the database cannot be reached.
  bool ping();

  // Applies the embedded migrations not yet recorded in schema_migrations. Safe to run from several
  // instances at once (a lock row serialises them). Returns the number applied.
  int migrate();
  int schema_version();

  std::mutex& sqlite_writer() { return sqlite_writer_; }

 private:
  struct lease {
    explicit lease(database& db);
    ~lease();
    database& db;
    std::unique_ptr<connection> conn;
    bool broken = false;
  };
  std::unique_ptr<connection> acquire();
  void release(std::unique_ptr<connection> c, bool broken);
  static bool connection_lost(connection& c);
  static bool retryable(const soci::soci_error& e);
  static void pause_before_retry(int attempt);
  struct grouped_write;
  void run_grouped(const std::function<void(connection&)>& work);
  void commit_group(const std::vector<grouped_write*>& group);

  db_url url_;
  std::size_t pool_size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<connection>> idle_;
  std::size_t open_ = 0;  // connections leased or idle
  std::mutex sqlite_writer_;
  std::mutex group_mutex_;
  std::condition_variable group_done_;
  std::vector<grouped_write*> group_queue_;
  bool group_committing_ = false;
  std::atomic<long long> group_commits_{0};
};

// The embedded migrations, ordered: version, name, statements (dialect placeholders already expanded).
struct migration {
  int version;
  std::string name;
  std::vector<std::string> statements;
};
std::vector<migration> load_migrations(backend kind);


// What may be logged of a failure: for a database error its category, the backend's error number and
// the statement's text up to its first placeholder-free clause, never the bound values or the backend's
// message (MariaDB's "Duplicate entry '...'" quotes the data); for anything else, what() as it is.
std::string loggable_error(const std::exception& e);

}  // namespace gongkai
