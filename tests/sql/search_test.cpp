// Text search and keyset paging of the work queue on each backend: the gram index answers exactly what a
// substring search of the normalized name and request text answers (checked against that definition,
// computed here over the same applications), and paging by cursor lists every case once, in order.
#include <catch2/catch.hpp>

#include "sql/applications.hpp"
#include "sql/search_index.hpp"
#include "sql/staff.hpp"
#include "tests/support/prepared_database.hpp"
#include "tests/workflow/support.hpp"
#include "workflow/search.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <thread>

using namespace gongkai;
using namespace gongkai::workflow;
using test::day;

namespace {

struct search_fixture : test::prepared_database {
  struct filed_case {
    std::string tracking_no, name, description;
  };
  std::vector<filed_case> filed;

  void file(const std::string& name, const std::string& description, const char* received = "2026-03-02") {
    application a;
    a.name = name;
    a.phone = "13800138000";
    a.address = "北京市";
    a.description = description;
    a.info_form = "electronic";
    a.delivery = "download";
    auto f = applications::file(db, a, "online", day(received), "", test::applicant, cal, unix_now_ms());
    filed.push_back({f.row.tracking_no, name, description});
  }

  std::set<std::string> searched(const std::string& q, int postings_read = search_index::drive_limit) {
    staff_store::queue_filter f;
    f.search = q;
    f.search_postings_read = postings_read;
    f.page_size = 1000;
    f.today = day("2026-03-02");
    std::set<std::string> out;
    for (const auto& r : staff_store::queue(db, f).rows) out.insert(r.tracking_no);
    return out;
  }

  // The definition: the query, normalized, is a substring of the normalized name or request text.
  std::set<std::string> expected(const std::string& q) {
    const auto nq = search::normalize(q);
    std::set<std::string> out;
    for (const auto& c : filed)
      if (search::normalize(c.name).find(nq) != std::string::npos ||
          search::normalize(c.description).find(nq) != std::string::npos)
        out.insert(c.tracking_no);
    return out;
  }
};

const std::vector<std::pair<std::string, std::string>> applications_text = {
    {"王芳", "请求公开2025年财政预算执行情况"},
    {"汪王明", "征地补偿标准文件"},
    {"李王", "第12号规划许可 批复"},
    {"张伟", "环境影响评价报告（ABC 化工）"},
    {"ABC Trading Co.", "采购合同 No. 2025-17"},
    {"abc trading co.", "教育经费统计数据"},
    {"Zoë Müller", "Cafe\xCC\x81 permits 2024"},  // decomposed é in the request text
    {"王", "王王王"},
    {"陈静", "医保基金 使用情况"},
    {"北京某某科技有限公司", "道路建设 财政 预算"},
};

const std::vector<std::string> queries = {
    "王", "芳", "汪", "王芳", "王明", "王王", "财政", "财政预算", "政预", "预算执行情况", "2025", "25", "2", "No.",
    "abc", "ABC", "ab", "a", "abc trading", "c t", "ë", "Zoë", "café", "e", "12号", "规划许可 批复", "财政 预算",
    "科技有限", "不存在", "%", "_", "!", "Müller", "permits 2024",
};

}  // namespace

TEST_CASE("text search answers a substring search of name and request text, on each backend", "[storage]") {
  search_fixture f;
  for (const auto& [name, text] : applications_text) f.file(name, text);
  for (const auto& q : queries) {
    INFO(q);
    CHECK(f.searched(q) == f.expected(q));
    CHECK(f.searched(q, 0) == f.expected(q));  // every gram common: the order's index walked instead
  }
  // The definition is not vacuous: one-character Chinese and Latin queries find several cases.
  CHECK(f.expected("王").size() == 4);
  CHECK(f.expected("abc").size() == 3);
  CHECK(f.expected("café").size() == 1);
  // A tracking number finds its case alone, through the unique index.
  CHECK(f.searched(f.filed[3].tracking_no) == std::set<std::string>{f.filed[3].tracking_no});
  CHECK(f.searched(" " + f.filed[3].tracking_no + " ") == std::set<std::string>{f.filed[3].tracking_no});
}

TEST_CASE("applications stored before the search index are indexed once at start, by concurrent instances", "[storage]") {
  search_fixture f;
  for (const auto& [name, text] : applications_text) f.file(name, text);
  // As before migration 0013: no index rows, and the progress row the migration leaves.
  f.db.run(database::access::write, [](connection& c) {
    c.sql << "DELETE FROM search_grams";
    c.sql << "DELETE FROM search_texts";
    c.sql << "INSERT INTO search_backfill (id, done_through) VALUES (1, 0)";
  });
  CHECK(f.searched("王").empty());
  auto other = f.s.open(2);
  long long a = 0, b = 0;
  std::thread one([&] { a = search_index::backfill(f.db); });
  std::thread two([&] { b = search_index::backfill(*other); });
  one.join();
  two.join();
  CHECK(a + b == static_cast<long long>(applications_text.size()));  // each application indexed by one of them
  CHECK(search_index::backfill(f.db) == 0);                           // and never again
  for (const auto& q : queries) {
    INFO(q);
    CHECK(f.searched(q) == f.expected(q));
  }
}

TEST_CASE("keyset pages list every case once, in order, while cases are filed", "[storage]") {
  search_fixture f;
  std::mt19937 rng(7);
  const char* days[] = {"2026-03-02", "2026-03-03", "2026-03-05", "2026-03-09", "2026-03-10"};
  for (int i = 0; i < 23; ++i) f.file("王" + std::to_string(i), "文件", days[rng() % 5]);
  for (bool by_received : {false, true}) {
    INFO(by_received);
    std::set<std::string> before;
    for (const auto& c : f.filed) before.insert(c.tracking_no);
    staff_store::queue_filter q;
    q.today = day("2026-03-02");
    q.page_size = 4;
    q.sort_by_received = by_received;
    q.search = "王";  // through the index, and without it below
    for (bool search : {true, false}) {
      q.search = search ? "王" : "";
      q.after.reset();
      std::vector<staff_store::queue_row> seen;
      for (int pages = 0; pages < 100; ++pages) {
        auto page = staff_store::queue(f.db, q);
        CHECK(static_cast<int>(page.rows.size()) <= q.page_size);
        seen.insert(seen.end(), page.rows.begin(), page.rows.end());
        f.file("王new" + std::to_string(f.filed.size()), "文件", days[rng() % 5]);  // filed meanwhile
        if (!page.next) break;
        q.after = page.next;
      }
      std::set<std::string> once;
      for (const auto& r : seen) CHECK(once.insert(r.tracking_no).second);  // no case twice
      for (const auto& no : before) CHECK(once.count(no) == 1);             // every earlier case
      for (std::size_t i = 1; i < seen.size(); ++i) {
        if (by_received) CHECK(seen[i - 1].received_on >= seen[i].received_on);
        else CHECK(seen[i - 1].reply_due.value_or(date::max()) <= seen[i].reply_due.value_or(date::max()));
      }
    }
  }
}

TEST_CASE("the cases due soon start today: overdue cases, first in the due order, do not crowd them out", "[storage]") {
  search_fixture f;
  for (int i = 0; i < 6; ++i) f.file("李" + std::to_string(i), "文件", "2026-01-05");  // due in February: overdue
  f.file("李soon", "文件", "2026-03-02");                                             // due 2026-03-30
  staff_store::queue_filter q;
  q.today = day("2026-03-27");
  q.page_size = 3;  // fewer than the overdue cases
  q.due_by = day("2026-04-01");
  CHECK(staff_store::queue(f.db, q).rows.front().tracking_no != f.filed.back().tracking_no);
  q.due_from = q.today;
  auto soon = staff_store::queue(f.db, q);
  REQUIRE(soon.rows.size() == 1);
  CHECK(soon.rows[0].tracking_no == f.filed.back().tracking_no);
  CHECK(soon.total == 1);
}

TEST_CASE("the dashboard's waiting lists are bounded: one more than the cap tells that there are more", "[storage]") {
  search_fixture f;
  for (int i = 0; i < staff_store::waiting_list_cap + 2; ++i) f.file("赵" + std::to_string(i), "文件", "2026-03-02");
  auto open = staff_store::correction_window_open(f.db, f.cal, day("2026-03-02"));
  CHECK(static_cast<int>(open.size()) == staff_store::waiting_list_cap + 1);
  CHECK(open.front().tracking_no == f.filed.front().tracking_no);  // the earliest first
}
