// Times the annual report over a generated database of N cases (default 1,000,000) and their transitions.
//   report_bench DB_URL [N]
// The database is filled with plain INSERTs (fast, not through the state machine), then
// reports::annual is timed for each year; the figures are checked to balance.
#include "core/clock.hpp"
#include "sql/cases.hpp"
#include "sql/report_figures.hpp"
#include "sql/reports.hpp"
#include "sql/search_index.hpp"
#include "sql/statistics.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <sstream>

using namespace gongkai;
using clock_type = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: report_bench DB_URL [N]\n";
    return 2;
  }
  const long long n = argc > 2 ? std::stoll(argv[2]) : 1'000'000;
  database db(db_url::parse(argv[1]), 1);
  prepare_database(db, unix_now_ms());
  const char* categories[] = {"natural_person", "commercial", "research", "public_interest", "legal_services", "other"};
  const char* outcomes[] = {"1", "2", "3.4", "4.1", "5.2", "6.3"};
  // Names and request texts for the search index: 20 surnames (王 one in 20), short requests.
  const char* surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                            "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
  const char* given[] = {"芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"};
  const char* topics[] = {"财政预算", "征地补偿", "环境影响评价", "规划许可", "行政处罚决定", "采购合同", "拆迁安置", "教育经费",
                          "医保基金", "道路建设"};
  const char* documents[] = {"文件", "批复", "会议纪要", "统计数据", "执行情况"};
  auto started = clock_type::now();
  long long transitions = 0;
  long long present = db.run(database::access::read, [](connection& c) {
    long long k = 0;
    c.sql << "SELECT COUNT(*) FROM cases", soci::into(k);
    return k;
  });
  if (present >= n) std::cout << "reusing the " << present << " cases already in the database\n";
  else db.run(database::access::write, [&](connection& c) {
    std::mt19937 rng(1);
    const bool mysql = c.kind == backend::mysql;
    const long long batch = 1000;  // rows per INSERT on both backends
    std::string cases_sql, apps_sql, trans_sql;
    auto flush = [&] {
      if (cases_sql.empty()) return;
      c.sql << "INSERT INTO cases (id, tracking_no, state, version, received_on, reply_due, concluded_on, concluded_due, "
               "outcome, created_at, updated_at, clocks_stored, due_sort) VALUES " + cases_sql;
      c.sql << "INSERT INTO applications (case_id, category, name, phone, address, description, info_form, delivery, channel, "
               "access_code_hash, created_at) VALUES " + apps_sql;
      c.sql << "INSERT INTO transitions (case_id, seq, event, from_state, to_state, actor_role, actor, occurred_at, effective_on, "
               "payload, report_key) VALUES " + trans_sql;
      cases_sql.clear();
      apps_sql.clear();
      trans_sql.clear();
    };
    // The search index is written by search_index::add as filing does; SQLite's default page cache (2 MB)
    // would spill the gram b-tree's pages to the WAL over and over in this one long transaction.
    if (!mysql) c.sql << "PRAGMA cache_size = -2000000";
    c.sql << (mysql ? "START TRANSACTION" : "BEGIN");
    for (long long id = 1; id <= n; ++id) {
      int day = static_cast<int>(rng() % (3 * 365));
      auto received = workflow::date{std::chrono::days{19723 + day}};  // from 2024-01-01
      auto rdate = workflow::format_date(received);
      long long at = (std::chrono::duration_cast<std::chrono::seconds>(received.time_since_epoch()).count() + 4 * 3600) * 1000;
      char no[32];
      std::snprintf(no, sizeof no, "B-%09lld", id);
      auto sep = [](std::string& s) { if (!s.empty()) s += ","; };
      const auto due = workflow::format_date(received + std::chrono::days{28});
      const bool concludes = rng() % 10 != 0;  // 90% concluded, 5-30 days later
      const auto concluded = received + std::chrono::days{5 + static_cast<int>(rng() % 25)};
      const char* outcome = outcomes[rng() % 6];
      sep(cases_sql);
      if (concludes)
        cases_sql += "(" + std::to_string(id) + ",'" + no + "','answered',2,'" + rdate + "',NULL,'" +
                     workflow::format_date(concluded) + "','" + due + "','" + outcome + "',0,0,1,'9999-12-31')";
      else
        cases_sql += "(" + std::to_string(id) + ",'" + no + "','under_review',2,'" + rdate + "','" + due + "',NULL,NULL,NULL,0,0,1,'" + due + "')";
      sep(apps_sql);
      const std::string name = std::string(surnames[rng() % 20]) + given[rng() % 20] + (rng() % 2 ? given[rng() % 20] : "");
      const std::string text = std::to_string(2020 + rng() % 6) + "年" + topics[rng() % 10] + documents[rng() % 5] + " 第" +
                               std::to_string(rng() % 100) + "号";
      apps_sql += "(" + std::to_string(id) + ",'" + categories[rng() % 6] + "','" + name + "','1','x','" + text +
                  "','paper','post','online','h',0)";
      search_index::add(c, id, name, text);  // as applications::file does
      sep(trans_sql);
      trans_sql += "(" + std::to_string(id) + ",1,'register',NULL,'received','applicant','a'," + std::to_string(at) + ",'" +
                   rdate + "','{}',NULL)";
      ++transitions;
      if (concludes) {
        long long cat = at + static_cast<long long>((concluded - received).count()) * 86400000LL;
        trans_sql += ",(" + std::to_string(id) + ",2,'accept','received','under_review','staff','s'," + std::to_string(at) + ",'" +
                     rdate + "','{}',NULL)";
        trans_sql += ",(" + std::to_string(id) + ",3,'answer','under_review','answered','staff','s'," + std::to_string(cat) +
                     ",'" + workflow::format_date(concluded) + "','{}','" + outcome + "')";
        transitions += 2;
      }
      if (id % batch == 0) flush();
    }
    flush();
    c.sql << "COMMIT";
  });
  auto filled = clock_type::now();
  if (present < n) std::cout << "filled " << n << " cases and " << transitions << " transitions in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(filled - started).count() << " ms\n";
  // The rows above bypass cases::fire, so the report figures are filled the way migration 0012 fills an
  // existing database: recomputed from the log.
  const bool empty_figures = db.run(database::access::read, [](connection& c) {
    long long k = 0;
    c.sql << "SELECT COUNT(*) FROM report_figures", soci::into(k);
    return k == 0;
  });
  if (present < n || empty_figures) {
    auto r0 = clock_type::now();
    db.transact([](connection& c) { report_figures::rebuild(c); });
    std::cout << "report figures rebuilt from the log (the migration 0012 fill) in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - r0).count() << " ms\n";
  }
  for (int year : {2024, 2025, 2026}) {
    auto t0 = clock_type::now();
    auto t = reports::annual(db, year);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0).count();
    std::cout << "annual report " << year << ": " << ms << " ms; received " << t.at("received").values[6] << ", concluded "
              << t.at("total").values[6] << ", carried forward " << t.at("carried_forward").values[6]
              << (t.balanced() ? ", balanced" : ", NOT BALANCED") << "\n";
    if (!t.balanced()) return 1;
    auto s0 = clock_type::now();
    auto cal = calendar_store::load(db);
    auto m = statistics::for_year(db, year, cal);
    std::cout << "monthly statistics " << year << ": "
              << std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - s0).count() << " ms; concluded "
              << m.concluded_total() << ", median " << m.median_working_days.value_or(-1) << " working days\n";
    auto l0 = clock_type::now();
    auto log = reports::recompute_annual(db, year);
    auto l1 = clock_type::now();
    auto mlog = statistics::recompute_for_year(db, year, cal);
    auto l2 = clock_type::now();
    const bool same = workflow::report::figures_json(log) == workflow::report::figures_json(t) &&
                      statistics::differences(mlog, m).empty();
    std::cout << "  recomputed from the log: annual " << std::chrono::duration_cast<std::chrono::milliseconds>(l1 - l0).count()
              << " ms, monthly " << std::chrono::duration_cast<std::chrono::milliseconds>(l2 - l1).count() << " ms; "
              << (same ? "equal to the figures" : "DIFFERENT FROM THE FIGURES") << "\n";
    if (!same) return 1;
  }
  return 0;
}
