// Migrations: the embedded SQL files, applied once each under a lease that every instance respects.
#include "sql/database.hpp"

#include "core/embedded.hpp"
#include "core/log.hpp"
#include "sql/report_figures.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace gongkai {

std::vector<migration> load_migrations(backend kind) {
  // One file per migration, the same meaning on both backends; a few placeholders carry the dialect.
  const std::vector<std::pair<std::string, std::string>> dialect =
      kind == backend::sqlite
          ? std::vector<std::pair<std::string, std::string>>{{"{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT"},
                                                             {"{{table_options}}", ""}}
          : std::vector<std::pair<std::string, std::string>>{
                {"{{id}}", "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"},
                {"{{table_options}}", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"}};
  std::vector<migration> out;
  for (const auto& f : embedded::files()) {
    constexpr std::string_view dir = "sql/migrations/";
    if (!f.path.starts_with(dir) || !f.path.ends_with(".sql")) continue;
    auto file = f.path.substr(dir.size());
    migration m;
    m.version = std::stoi(std::string(file.substr(0, 4)));
    m.name = std::string(file.substr(5, file.size() - 9));
    std::string text(f.content);
    for (const auto& [from, to] : dialect)
      for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
    // Statements end with ';' at the end of a line; lines starting with -- are comments. A line that
    // starts with @sqlite or @mysql is a one-line statement for that backend only.
    const std::string mine = kind == backend::sqlite ? "@sqlite " : "@mysql ";
    std::string current;
    std::size_t start = 0;
    while (start < text.size()) {
      auto end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      start = end + 1;
      auto first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
      if (line[first] == '@') {
        if (line.compare(first, mine.size(), mine) != 0) continue;
        line = line.substr(first + mine.size());
      }
      current += line + "\n";
      auto last = line.find_last_not_of(" \t\r");
      if (line[last] == ';') {
        current.erase(current.rfind(';'));
        m.statements.push_back(std::move(current));
        current.clear();
      }
    }
    if (current.find_first_not_of(" \t\r\n") != std::string::npos) m.statements.push_back(current);
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

int database::schema_version() {
  return run(access::read, [](connection& c) {
    soci::indicator ind;
    int v = 0;
    c.sql << "SELECT MAX(version) FROM schema_migrations", soci::into(v, ind);
    return ind == soci::i_ok ? v : 0;
  });
}

namespace {

// [Gongkai rule] The migration lock is a lease: a row naming its holder (host, process, nonce) whose
// time the holder renews every two seconds from a connection of its own. A holder that died stops
// renewing and its row is taken over after `lease_seconds`; a holder on this host whose process is gone
// is taken over at once. No GET_LOCK (Galera lacks it), and no wait for a dead holder beyond the lease.
constexpr long long lease_seconds = 10;
constexpr auto heartbeat_every = std::chrono::seconds(2);

// The database server's clock, in Unix seconds: one clock for every instance's lease (no skew between
// hosts), and no clock read in storage.
std::string db_now(backend kind) {
  return kind == backend::sqlite ? "CAST(strftime('%s', 'now') AS INTEGER)" : "UNIX_TIMESTAMP()";
}

std::string this_host() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// A holder on this host whose process no longer exists.
bool holder_is_dead(const std::string& holder) {
  std::istringstream in(holder);
  std::string host;
  long pid = 0;
  if (!(in >> host >> pid) || host != this_host() || pid <= 0) return false;
  if (pid == static_cast<long>(getpid())) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// Renews the lease until destroyed, on its own connection (the migrating one is busy with DDL).
class lease_keeper {
 public:
  lease_keeper(const db_url& url, std::string holder) : url_(url), holder_(std::move(holder)), thread_([this] { run(); }) {}
  ~lease_keeper() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void run() {
    std::unique_ptr<connection> c;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, heartbeat_every, [this] { return stop_; })) {
      lock.unlock();
      try {
        if (!c) c = std::make_unique<connection>(url_);
        c->sql << "UPDATE schema_lock SET acquired_at = " + db_now(c->kind) + " WHERE id = 1 AND holder = :h",
            soci::use(holder_);
      } catch (const std::exception& e) {
        c.reset();  // try again on a new connection next time; the lease runs out if this keeps failing
        log::event("warning", "migration lease not renewed", loggable_error(e));
      }
      lock.lock();
    }
  }

  db_url url_;
  std::string holder_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

namespace {

// What a migration needs beyond its SQL: a fill of existing rows computed in C++, run after the
// statements and committed together with the migration's record, so it happens exactly once.
using data_step = void (*)(connection&);
data_step data_step_of(int version) {
  switch (version) {
    case 12: return report_figures::rebuild;  // the report figures from the log
    default: return nullptr;
  }
}

}  // namespace

int database::migrate() {
  auto options = kind() == backend::mysql ? std::string(" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin") : "";
  return run(access::write, [&](connection& c) {
    c.sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, "
             "name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)" + options;
    c.sql << "CREATE TABLE IF NOT EXISTS schema_lock (id INT NOT NULL PRIMARY KEY, holder VARCHAR(100) NOT NULL, "
             "acquired_at BIGINT NOT NULL)" + options;
    const std::string holder = this_host().substr(0, 60) + " " + std::to_string(getpid()) + " " + log::next_request_id();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (;;) {
      try {
        std::string current;
        long long renewed = 0, now = 0;
        c.sql << "SELECT holder, acquired_at, " + db_now(kind()) + " FROM schema_lock WHERE id = 1", soci::into(current),
            soci::into(renewed), soci::into(now);
        if (c.sql.got_data() && (renewed < now - lease_seconds || holder_is_dead(current))) {
          // Take over a lapsed lease: only the row as it was read, so two instances cannot both take it.
          c.sql << "DELETE FROM schema_lock WHERE id = 1 AND holder = :h AND acquired_at = :t", soci::use(current),
              soci::use(renewed);
          log::event("info", "migration lock taken over from a holder that is gone");
        }
        c.sql << "INSERT INTO schema_lock (id, holder, acquired_at) VALUES (1, :h, " + db_now(kind()) + ")",
            soci::use(holder);
        break;
      } catch (const soci::soci_error&) {
        if (connection_lost(c)) throw;
        if (std::chrono::steady_clock::now() > give_up)
          throw std::runtime_error("migration lock held by another running instance for too long");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    lease_keeper keeper(url(), holder);
    int applied = 0;
    try {
      for (const auto& m : load_migrations(kind())) {
        int present = 0;
        c.sql << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(m.version), soci::into(present);
        if (present) continue;
        // SQLite runs DDL in the transaction; MySQL commits DDL implicitly, so its migrations are
        // written to be re-runnable (IF NOT EXISTS) and the lock row keeps instances from racing.
        if (kind() == backend::sqlite) c.sql << "BEGIN IMMEDIATE";
        for (const auto& s : m.statements) c.sql << s;
        const auto step = data_step_of(m.version);
        if (step && kind() == backend::mysql) c.sql << "START TRANSACTION";  // after the DDL's implicit commits
        if (step) step(c);
        c.sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, " + db_now(kind()) + ")",
            soci::use(m.version), soci::use(m.name);
        if (kind() == backend::sqlite || step) c.sql << "COMMIT";
        log::event("info", "migration applied", std::to_string(m.version) + "_" + m.name);
        ++applied;
      }
    } catch (...) {
      try { c.sql << "ROLLBACK"; } catch (...) {}
      try { c.sql << "DELETE FROM schema_lock WHERE id = 1 AND holder = :h", soci::use(holder); } catch (...) {}
      throw;
    }
    c.sql << "DELETE FROM schema_lock WHERE id = 1 AND holder = :h", soci::use(holder);
    return applied;
  });
}

}  // namespace gongkai
