// The annual report across years: events entered after a year's cut-off but dated inside it count in
// the next year, so each year's 四 is the next year's 二. On SQLite and on MariaDB.
#include <catch2/catch.hpp>

#include "sql/cases.hpp"
#include "sql/reports.hpp"
#include "tests/support/prepared_database.hpp"
#include "tests/support/test_db.hpp"
#include "tests/workflow/support.hpp"

#include <random>

using namespace gongkai;
using namespace gongkai::workflow;
using report::counts;
using test::day;

namespace {

using test::noon_ms;

struct years_builder : test::prepared_database {
  int next = 1;
  std::string open(applicant_category category, date received, long long at_ms) {
    char no[32];
    std::snprintf(no, sizeof no, "Y-%06d", next++);
    case_event e;
    e.kind = event_kind::register_case;
    e.on = received;
    e.actor_role = role::applicant;
    auto row = cases::create(db, no, e, actor{role::applicant, "applicant"}, cal, at_ms);
    const std::string cat(to_string(category));
    db.run(database::access::write, [&](connection& c) {
      c.sql << "INSERT INTO applications (case_id, category, name, phone, address, description, info_form, delivery, "
               "channel, access_code_hash, created_at) VALUES (:c, :k, 'x', '13800138000', 'x', 'x', 'paper', 'post', "
               "'online', 'h', 0)",
          soci::use(row.id), soci::use(cat);
    });
    return no;
  }
  void fire(const std::string& no, case_event e, long long at_ms) {
    cases::fire(db, no, std::nullopt, e, actor{e.actor_role, "t"}, cal, at_ms);
  }
  void simple(const std::string& no, event_kind k, date on, long long at_ms, role r = role::staff) {
    case_event e;
    e.kind = k;
    e.on = on;
    e.actor_role = r;
    fire(no, e, at_ms);
  }
  void answer(const std::string& no, date on, const std::string& code, long long at_ms) {
    case_event e;
    e.kind = event_kind::answer;
    e.on = on;
    e.actor_role = role::staff;
    e.outcome = code;
    e.reply_text = "答复";
    if (code == "2") e.withheld = "第3页涉及个人隐私";
    fire(no, e, at_ms);
  }
  void appeal(const std::string& no, date on, long long at_ms) {
    case_event e;
    e.kind = event_kind::file_appeal;
    e.on = on;
    e.actor_role = role::staff;
    e.appeal = appeal_kind::reconsideration;
    fire(no, e, at_ms);
  }
  void decide(const std::string& no, date on, long long at_ms) {
    case_event e;
    e.kind = event_kind::decide_appeal;
    e.on = on;
    e.actor_role = role::staff;
    e.result = appeal_result::upheld;
    fire(no, e, at_ms);
  }
};

// The year whose figures an event belongs to: its date's year, or the year it was recorded in if later.
int report_year(date on, long long recorded_ms) { return std::max(year_of(on), year_of(china_date(recorded_ms / 1000))); }

}  // namespace

TEST_CASE("an answer entered after the year ended but dated inside it counts in the next year", "[storage]") {
  years_builder h;
  using C = applicant_category;
  // Received and accepted 2025-12-15; answered on 2026-01-05 with the date 2025-12-30.
  auto a = h.open(C::natural_person, day("2025-12-15"), noon_ms(day("2025-12-15")));
  h.simple(a, event_kind::accept, day("2025-12-15"), noon_ms(day("2025-12-15")));
  h.answer(a, day("2025-12-30"), "1", noon_ms(day("2026-01-05")));
  // A letter received 2025-12-30, registered on 2026-01-04: new in 2026.
  auto b = h.open(C::commercial, day("2025-12-30"), noon_ms(day("2026-01-04")));
  // A reconsideration filed 2025-12-29, entered on 2026-01-06: in 2026's table 四.
  auto c = h.open(C::research, day("2025-11-03"), noon_ms(day("2025-11-03")));
  h.answer(c, day("2025-11-10"), "3.4", noon_ms(day("2025-11-10")));
  h.appeal(c, day("2025-12-29"), noon_ms(day("2026-01-06")));

  auto y2025 = reports::annual(h.db, 2025);
  auto y2026 = reports::annual(h.db, 2026);
  //                                     自然人 商业 科研 公益 法律 其他 总计
  CHECK(y2025.at("received").values == counts{1, 0, 1, 0, 0, 0, 2});
  CHECK(y2025.at("carried_forward").values == counts{1, 0, 0, 0, 0, 0, 1});  // a: not answered by the cut-off
  CHECK(y2025.appeals[0][4] == 0);
  CHECK(y2026.at("received").values == counts{0, 1, 0, 0, 0, 0, 1});         // b
  CHECK(y2026.at("carried_over").values == counts{1, 0, 0, 0, 0, 0, 1});     // a
  CHECK(y2026.at("1").values == counts{1, 0, 0, 0, 0, 0, 1});                // a, concluded in 2026's figures
  CHECK(y2026.at("total").values == counts{1, 0, 0, 0, 0, 0, 1});
  CHECK(y2026.at("carried_forward").values == counts{0, 1, 0, 0, 0, 0, 1});
  CHECK(y2026.appeals[0] == std::array<long long, 5>{0, 0, 0, 1, 1});       // c's reconsideration
  CHECK(y2025.at("carried_forward").values == y2026.at("carried_over").values);
  CHECK(y2026.balanced_with_previous_year() == true);
  CHECK(y2025.balanced());
  CHECK(y2026.balanced());
}

TEST_CASE("the balance check covers the link between years", "[storage]") {
  years_builder h;
  auto a = h.open(applicant_category::natural_person, day("2025-12-15"), noon_ms(day("2025-12-15")));
  auto t = reports::annual(h.db, 2026);
  REQUIRE(t.balanced_with_previous_year());
  CHECK(*t.balanced_with_previous_year());
  // Figures whose 二 does not match the year before's 四 are not balanced, even if the year itself adds up.
  auto broken = t;
  auto& over = const_cast<report::row&>(broken.at("carried_over"));
  auto& forward = const_cast<report::row&>(broken.at("carried_forward"));
  over.values[0] += 1;
  over.values[6] += 1;
  forward.values[0] += 1;
  forward.values[6] += 1;
  CHECK(broken.balanced_within_year());
  CHECK(broken.balanced_with_previous_year() == false);
  CHECK_FALSE(broken.balanced());
  // A published previous year is the one the link is checked against.
  reports::freeze(h.db, 2025, reports::annual(h.db, 2025), "head", unix_now());
  auto frozen = reports::frozen(h.db, 2025);
  REQUIRE(frozen);
  CHECK(frozen->figures.balanced());
  CHECK(reports::annual(h.db, 2026).balanced());
}

TEST_CASE("property: with late entries, every year balances and each year's 四 is the next year's 二", "[storage]") {
  years_builder h;
  std::mt19937 rng(2025);
  struct truth {
    applicant_category category;
    int received_year;
    std::optional<int> concluded_year;
    std::string outcome;
    std::optional<int> appeal_year;
    std::optional<int> decided_recorded_year;
  };
  std::vector<truth> cases;
  const std::vector<std::string> codes = {"1", "2", "3.1", "3.4", "4.1", "5.2"};
  const applicant_category cats[] = {applicant_category::natural_person, applicant_category::commercial,
                                     applicant_category::research, applicant_category::public_interest,
                                     applicant_category::legal_services, applicant_category::other};
  for (int n = 0; n < 140; ++n) {
    // Receipts cluster around the year ends so that late entries cross them often.
    const char* ends[] = {"2024-12-31", "2025-12-31", "2026-12-31"};
    date received = day(ends[rng() % 3]) + std::chrono::days{static_cast<int>(rng() % 40) - 30};
    while (!h.cal.is_working_day(received)) received += std::chrono::days{1};
    long long last = 0;
    // Each event is entered on its day, or (one in three) up to 12 days later; the log stays in order.
    auto entered = [&](date on) {
      long long at = noon_ms(on) + (rng() % 3 == 0 ? static_cast<long long>(1 + rng() % 12) * 86400000LL : 0);
      last = std::max(at, last + 1000);
      return last;
    };
    auto category = cats[rng() % 6];
    auto at = entered(received);
    auto no = h.open(category, received, at);
    truth t{category, report_year(received, at), std::nullopt, "", std::nullopt, std::nullopt};
    date on = received + std::chrono::days{1 + static_cast<int>(rng() % 15)};
    switch (rng() % 4) {
      case 0: break;  // still open
      case 1:
        at = entered(on);
        h.simple(no, event_kind::withdraw, on, at, role::applicant);
        t.concluded_year = report_year(on, at);
        t.outcome = "6.3";
        break;
      default: {
        h.simple(no, event_kind::accept, received, entered(received));
        auto code = codes[rng() % codes.size()];
        at = entered(on);
        h.answer(no, on, code, at);
        t.concluded_year = report_year(on, at);
        t.outcome = code;
        if (rng() % 3 == 0) {
          date filed = on + std::chrono::days{3 + static_cast<int>(rng() % 10)};
          at = entered(filed);
          h.appeal(no, filed, at);
          t.appeal_year = report_year(filed, at);
          if (rng() % 2 == 0) {
            date decided = filed + std::chrono::days{5 + static_cast<int>(rng() % 20)};
            at = entered(decided);
            h.decide(no, decided, at);
            t.decided_recorded_year = year_of(china_date(at / 1000));
          }
        }
      }
    }
    cases.push_back(t);
  }
  std::optional<report::annual_tables> previous;
  for (int year : {2024, 2025, 2026, 2027}) {
    auto t = reports::annual(h.db, year);
    INFO(year);
    CHECK(t.balanced_within_year());
    CHECK(t.balanced_with_previous_year() == true);
    CHECK(t.balanced());
    if (previous) CHECK(previous->at("carried_forward").values == t.at("carried_over").values);
    counts received{}, carried{}, total{}, forward{};
    std::map<std::string, long long> by_outcome;
    std::array<long long, 5> reconsideration{};
    for (const auto& c : cases) {
      int col = static_cast<int>(c.category);
      auto count = [&](counts& x) {
        x[col]++;
        x[6]++;
      };
      if (c.appeal_year == year) {
        ++reconsideration[c.decided_recorded_year && *c.decided_recorded_year <= year ? 0 : 3];
        ++reconsideration[4];
      }
      if (c.received_year > year) continue;
      if (c.concluded_year && *c.concluded_year < year) continue;
      count(c.received_year == year ? received : carried);
      if (c.concluded_year == year) {
        count(total);
        by_outcome[c.outcome]++;
      } else {
        count(forward);
      }
    }
    CHECK(t.at("received").values == received);
    CHECK(t.at("carried_over").values == carried);
    CHECK(t.at("total").values == total);
    CHECK(t.at("carried_forward").values == forward);
    for (const auto& [code, n] : by_outcome) CHECK(t.at(code).values[6] == n);
    CHECK(t.appeals[0] == reconsideration);
    previous = t;
  }
}
