#include "sql/database.hpp"

#include "core/log.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

namespace gongkai {


namespace {

const soci::backend_factory& factory_for(backend kind) {
  return kind == backend::sqlite ? *soci::factory_sqlite3() : *soci::factory_mysql();
}

}  // namespace

connection::connection(const db_url& url) : sql(factory_for(url.kind), url.soci_connect_string()), kind(url.kind) {
  if (kind == backend::sqlite) {
    // The busy timeout first: another process may be creating the file or switching it to WAL.
    sql << "PRAGMA busy_timeout=10000";
    // WAL lets readers run beside the one writer; FULL makes each commit durable before we answer.
    // Switching to WAL takes an exclusive lock that the busy handler does not wait for: retry briefly.
    for (int attempt = 0;; ++attempt) {
      try {
        sql << "PRAGMA journal_mode=WAL";
        break;
      } catch (const soci::soci_error&) {
        if (attempt >= 100) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    sql << "PRAGMA synchronous=FULL";
    sql << "PRAGMA foreign_keys=ON";
  } else {
    sql << "SET NAMES utf8mb4 COLLATE utf8mb4_bin";
    sql << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
    sql << "SET SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'";
  }
}

long long row_integer(const soci::row& r, std::size_t column) {
  switch (r.get_properties(column).get_data_type()) {
    case soci::dt_integer: return r.get<int>(column);
    case soci::dt_long_long: return r.get<long long>(column);
    case soci::dt_unsigned_long_long: return static_cast<long long>(r.get<unsigned long long>(column));
    // Aggregates (COUNT, SUM) have no declared type: SQLite reports them as text or double, MySQL's
    // SUM as DECIMAL.
    case soci::dt_double: return static_cast<long long>(r.get<double>(column));
    case soci::dt_string: return std::stoll(r.get<std::string>(column));
    default: throw std::runtime_error("column " + std::to_string(column) + " is not an integer");
  }
}

long long connection::last_insert_id() {
  long long id = 0;
  if (kind == backend::sqlite) sql << "SELECT last_insert_rowid()", soci::into(id);
  else sql << "SELECT LAST_INSERT_ID()", soci::into(id);
  return id;
}

write_transaction::write_transaction(database& db, connection& c) : c_(c) {
  if (c_.kind == backend::sqlite) {
    writer_lock_ = std::unique_lock(db.sqlite_writer());
    c_.sql << "BEGIN IMMEDIATE";
  } else {
    c_.sql << "START TRANSACTION";
  }
  open_ = true;
}

write_transaction::~write_transaction() {
  if (!open_) return;
  try {
    c_.sql << "ROLLBACK";
  } catch (...) {
    // The connection is gone; the server rolled the transaction back itself.
  }
}

void write_transaction::commit() {
  c_.sql << "COMMIT";
  open_ = false;
}

struct database::grouped_write {
  const std::function<void(connection&)>* work;
  std::exception_ptr error;
  bool done = false;
};

// Leader and followers: a caller queues its write; if no group is committing, it becomes the committer
// and takes every write queued so far (its own included); the others wait. Groups form by themselves
// while a commit is syncing, so a lone write pays no added delay.
void database::run_grouped(const std::function<void(connection&)>& work) {
  grouped_write mine{&work, nullptr, false};
  std::unique_lock lock(group_mutex_);
  group_queue_.push_back(&mine);
  while (!mine.done) {
    if (group_committing_) {
      group_done_.wait(lock);
      continue;
    }
    group_committing_ = true;
    std::vector<grouped_write*> group;
    group.swap(group_queue_);
    lock.unlock();
    commit_group(group);
    lock.lock();
    for (auto* w : group) w->done = true;
    group_committing_ = false;
    group_done_.notify_all();
  }
  if (mine.error) std::rethrow_exception(mine.error);
}

void database::commit_group(const std::vector<grouped_write*>& group) {
  try {
    run(access::write, [&](connection& c) {
      write_transaction tx(*this, c);
      for (auto* w : group) {
        c.sql << "SAVEPOINT grouped_write";
        try {
          (*w->work)(c);
        } catch (...) {
          w->error = std::current_exception();
          c.sql << "ROLLBACK TO grouped_write";
        }
        c.sql << "RELEASE grouped_write";
      }
      tx.commit();
      ++group_commits_;
    });
  } catch (...) {
    // The transaction is gone (a failed rollback or commit): nothing of the group was stored.
    auto failure = std::current_exception();
    for (auto* w : group)
      if (!w->error) w->error = failure;
  }
}

database::database(db_url url, std::size_t pool_size) : url_(std::move(url)), pool_size_(std::max<std::size_t>(1, pool_size)) {}

database::~database() = default;

database::lease::lease(database& d) : db(d), conn(d.acquire()) {}
database::lease::~lease() { db.release(std::move(conn), broken); }

std::unique_ptr<connection> database::acquire() {
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < pool_size_; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
  }
  try {
    return std::make_unique<connection>(url_);
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    available_.notify_one();
    throw unavailable_error(std::string("cannot connect to the database: ") + e.what());
  }
}

void database::release(std::unique_ptr<connection> c, bool broken) {
  {
    std::lock_guard lock(mutex_);
    if (broken || !c) {
      --open_;
    } else {
      idle_.push_back(std::move(c));
    }
  }
  available_.notify_one();
}

bool database::connection_lost(connection& c) {
  if (c.kind == backend::sqlite) return false;
  try {
    return !c.sql.is_connected();
  } catch (...) {
    return true;
  }
}

bool database::retryable(const soci::soci_error& e) {
  // ER_LOCK_DEADLOCK (also Galera's certification failure) and ER_LOCK_WAIT_TIMEOUT.
  if (const auto* m = dynamic_cast<const soci::mysql_soci_error*>(&e)) return m->err_num_ == 1213 || m->err_num_ == 1205;
  return false;
}

void database::pause_before_retry(int attempt) {
  std::this_thread::sleep_for(std::chrono::milliseconds(randombytes_uniform(10u << attempt) + 1));
}

std::string loggable_error(const std::exception& e) {
  const auto* db = dynamic_cast<const soci::soci_error*>(&e);
  if (!db) return e.what();
  std::string out = "database error";
  if (const auto* m = dynamic_cast<const soci::mysql_soci_error*>(db)) out += " mysql=" + std::to_string(m->err_num_);
  if (const auto* q = dynamic_cast<const soci::sqlite3_soci_error*>(db)) out += " sqlite=" + std::to_string(q->result());
  out += " category=" + std::to_string(static_cast<int>(db->get_error_category()));
  // SOCI's message is '<backend message> while executing "<statement>" with :a="value", ...': keep only
  // the statement's first words, which name it (placeholders only, never values).
  const std::string what = db->what();
  constexpr std::string_view marker = "while executing \"";
  if (auto at = what.find(marker); at != std::string::npos) {
    auto statement = what.substr(at + marker.size());
    statement = statement.substr(0, statement.find('"'));
    std::string name;
    int words = 0;
    for (std::size_t i = 0; i < statement.size() && words < 4; ++i) {
      const char ch = statement[i];
      if (ch == ' ' || ch == '\n') {
        if (!name.empty() && name.back() != ' ') {
          name += ' ';
          ++words;
        }
      } else if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') {
        name += ch;
      } else {
        break;
      }
    }
    while (!name.empty() && name.back() == ' ') name.pop_back();
    out += " statement=\"" + name + "\"";
  }
  return out;
}

void database::refresh_statistics() {
  if (kind() != backend::sqlite) return;
  run(access::write, [&](connection& c) {
    std::lock_guard writer(sqlite_writer_);  // ANALYZE writes sqlite_stat1
    c.sql << "PRAGMA analysis_limit=20000";  // enough rows per index to tell the states apart; 20 ms at 1 M cases
    c.sql << "ANALYZE";
  });
}

bool database::ping() {
  try {
    return run(access::read, [](connection& c) {
      int one = 0;
      c.sql << "SELECT 1", soci::into(one);
      return one == 1;
    });
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace gongkai
