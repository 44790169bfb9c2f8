// insert_ceiling DB_URL SECONDS [THREADS]: the most filings per second the database itself can take with
// Gongkai's durability (SQLite: WAL, synchronous=FULL, one writer; MariaDB: InnoDB, one transaction each),
// each filing being what a real one writes: the case row, its application row and its first transition,
// in one transaction. The ceiling bench/run.sh holds POST /api/v1/requests against.
#include "core/clock.hpp"
#include "sql/cases.hpp"

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

using namespace gongkai;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: insert_ceiling DB_URL SECONDS [THREADS]\n";
    return 2;
  }
  const auto url = db_url::parse(argv[1]);
  const int seconds = std::stoi(argv[2]);
  const int threads = argc > 3 ? std::stoi(argv[3]) : (url.kind == backend::sqlite ? 1 : 16);
  database db(url, static_cast<std::size_t>(threads));
  prepare_database(db, unix_now_ms());
  std::atomic<long long> next{db.run(database::access::read, [](connection& c) {
    long long n = 0;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT MAX(id) FROM cases", soci::into(n, ind);
    return ind == soci::i_ok ? n : 0;
  }) + 1};
  std::atomic<long long> done{0};
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      while (std::chrono::steady_clock::now() < until) {
        const long long id = next++;
        const std::string no = "C-" + std::to_string(id), day = "2026-11-27";
        const long long now = unix_now_ms();
        db.transact([&](connection& c) {
          c.sql << "INSERT INTO cases (id, tracking_no, state, version, received_on, reply_due, created_at, updated_at, "
                   "clocks_stored, due_sort) VALUES (:i, :n, 'received', 1, :d1, :d2, :t1, :t2, 1, :d3)",
              soci::use(id), soci::use(no), soci::use(day), soci::use(day), soci::use(now), soci::use(now), soci::use(day);
          c.sql << "INSERT INTO applications (case_id, category, name, phone, address, description, info_form, delivery, "
                   "channel, access_code_hash, created_at) VALUES (:i, 'natural_person', '王芳', '13800138000', '北京市', "
                   "'某项目批复文件', 'electronic', 'download', 'online', 'h', :t)",
              soci::use(id), soci::use(now);
          c.sql << "INSERT INTO transitions (case_id, seq, event, from_state, to_state, actor_role, actor, occurred_at, "
                   "effective_on, payload) VALUES (:i, 1, 'register', NULL, 'received', 'applicant', 'applicant', :t, :d, '{}')",
              soci::use(id), soci::use(now), soci::use(day);
        });
        ++done;
      }
    });
  for (auto& th : pool) th.join();
  std::cout << "filings/s " << done.load() / seconds << " (" << done.load() << " in " << seconds << " s, " << threads
            << " writer thread(s))\n";
  return 0;
}
