// Intake under concurrency, on SQLite and on MariaDB from the same source: filings that share a commit
// (SQLite's group commit) are stored exactly once each, and a refused filing in a group stores nothing
// and does not take the others down with it.
#include <catch2/catch.hpp>

#include "sql/applications.hpp"
#include "tests/support/prepared_database.hpp"
#include "tests/workflow/support.hpp"

#include <atomic>
#include <latch>
#include <set>
#include <thread>

using namespace gongkai;
using namespace gongkai::workflow;
using test::applicant;
using test::day;

namespace {

application sample(int n) {
  application a;
  a.name = "王芳" + std::to_string(n);
  a.phone = "13800138000";
  a.address = "北京市东城区";
  a.description = "某项目批复文件";
  a.info_form = "electronic";
  a.delivery = "download";
  return a;
}

long long count(database& db, const std::string& sql) {
  return db.run(database::access::read, [&](connection& c) {
    long long n = 0;
    c.sql << sql, soci::into(n);
    return n;
  });
}

}  // namespace

TEST_CASE("concurrent filings: each accepted one stored once, refused ones store nothing", "[storage]") {
  test::prepared_database f;
  const long long now_ms = test::noon_ms(day("2026-03-02"));
  // Nonces already used: filing with one of them is refused (403) inside its group.
  const int threads = 8, per_thread = 30, limit = 25;
  std::vector<std::string> used;
  for (int i = 0; i < threads; ++i) {
    used.push_back("replayed-nonce-" + std::to_string(i));
    f.db.transact([&](connection& c) { applications::consume_nonce(c, used.back(), now_ms / 1000); });
  }
  std::atomic<int> accepted{0}, replayed{0}, limited{0}, other{0};
  std::mutex m;
  std::set<std::string> numbers;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      const std::string client = "client-" + std::to_string(t);
      for (int i = 0; i < per_thread; ++i) {
        // Every seventh filing replays a used nonce; each client may file `limit` times in the window.
        const std::string nonce = i % 7 == 3 ? used[t] : "";
        const rate_limit::quota q{"file", client, limit, 3600, now_ms / 1000};
        try {
          auto r = applications::file(f.db, sample(t * 100 + i), "online", day("2026-03-02"), nonce, applicant, f.cal,
                                      now_ms, &q);
          std::lock_guard lock(m);
          numbers.insert(r.row.tracking_no);
          ++accepted;
        } catch (const domain_error& e) {
          if (e.code == "form_replayed") ++replayed;
          else if (e.code == "rate_limited") ++limited;
          else ++other;
        }
      }
    });
  for (auto& t : pool) t.join();

  // Per client: 30 attempts, 4 replays (i = 3, 10, 17, 24) counted nothing; of the 26 others, 25 fit.
  CHECK(other == 0);
  CHECK(replayed == threads * 4);
  CHECK(limited == threads * 1);
  CHECK(accepted == threads * limit);
  CHECK(numbers.size() == static_cast<std::size_t>(accepted.load()));
  // Stored exactly once each, with nothing from the refused ones, and the year's numbers dense from 1.
  CHECK(count(f.db, "SELECT COUNT(*) FROM cases") == accepted);
  CHECK(count(f.db, "SELECT COUNT(*) FROM applications") == accepted);
  CHECK(count(f.db, "SELECT COUNT(*) FROM transitions") == accepted);
  CHECK(count(f.db, "SELECT COUNT(*) FROM outbox") == accepted);
  CHECK(count(f.db, "SELECT last_number FROM tracking_counters WHERE year = 2026") == accepted);
  CHECK(*numbers.begin() == "2026-000001");
  CHECK(*numbers.rbegin() == "2026-" + std::string(6 - std::to_string(accepted.load()).size(), '0') +
                                 std::to_string(accepted.load()));
}

TEST_CASE("filings waiting while a commit syncs share the next commit (SQLite group commit)", "[storage]") {
  test::prepared_database f;
  if (f.db.kind() != backend::sqlite) {
    // InnoDB groups commits itself: the grouped path is a plain transaction there, and counts nothing.
    applications::file(f.db, sample(1), "online", day("2026-03-02"), "", applicant, f.cal, test::noon_ms(day("2026-03-02")));
    CHECK(f.db.group_commits() == 0);
    return;
  }
  const long long before = f.db.group_commits();
  const int filings = 8;
  std::vector<std::thread> pool;
  {
    // Hold the writer: the first filing waits for it inside its commit while the others queue behind it.
    std::unique_lock writer(f.db.sqlite_writer());
    std::latch started(filings);
    for (int i = 0; i < filings; ++i)
      pool.emplace_back([&, i] {
        started.count_down();
        applications::file(f.db, sample(i), "online", day("2026-03-02"), "", applicant, f.cal,
                           test::noon_ms(day("2026-03-02")));
      });
    started.wait();  // every thread is running; give them a moment to queue behind the held writer
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (auto& t : pool) t.join();
  CHECK(count(f.db, "SELECT COUNT(*) FROM cases") == filings);
  // The first filing's group, then one group for all that queued while it waited: at most two commits
  // for eight filings (one each without grouping).
  const long long commits = f.db.group_commits() - before;
  CHECK(commits >= 1);
  CHECK(commits <= 2);
}
