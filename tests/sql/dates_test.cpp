// The law's dates in storage: time events dated on the day their period ends, events dated in the
// future refused. On SQLite and on MariaDB from the same source.
#include <catch2/catch.hpp>

#include "server/http.hpp"
#include "sql/cases.hpp"
#include "app/sweeper.hpp"
#include "tests/support/prepared_database.hpp"
#include "tests/support/test_db.hpp"
#include "tests/workflow/support.hpp"

using namespace gongkai;
using namespace gongkai::workflow;
using test::day;
using test::event;
using test::clerk;
using test::applicant;

namespace {


// Noon, China time, of a date.
long long noon_of(const char* iso) { return test::noon_ms(day(iso)); }

struct fixture : test::prepared_database {
  // Each event recorded at noon of its own date, as if entered on the day.
  case_row create(const std::string& no, const char* received) {
    auto e = event(event_kind::register_case, received, role::applicant);
    e.channel = "online";
    return cases::create(db, no, e, applicant, cal, noon_of(received));
  }
  case_row fire(const std::string& no, case_event e, long long at_ms = 0) {
    return cases::fire(db, no, std::nullopt, e, clerk, cal, at_ms ? at_ms : noon_of(format_date(e.on).c_str()));
  }
  stored_transition last(const std::string& no) { return cases::transitions(db, cases::find(db, no)->id).back(); }
  int count(const std::string& no) { return static_cast<int>(cases::transitions(db, cases::find(db, no)->id).size()); }
};

}  // namespace

TEST_CASE("an expired consultation is dated on the third party's last day, however late the sweeper runs", "[storage]") {
  fixture f;
  // Received 2025-05-06, consulted 2025-05-26 after 14 working days; the third party's 15 working days
  // end 2025-06-17 (Dragon Boat 05-31..06-02 off); the remaining 6 are counted after it: due 2025-06-25.
  f.create("2025-000001", "2025-05-06");
  f.fire("2025-000001", event(event_kind::accept, "2025-05-06"));
  auto consult = event(event_kind::consult, "2025-05-26");
  consult.party = "某公司";
  f.fire("2025-000001", consult);
  CHECK(sweeper::sweep(f.db, f.cal, noon_of("2025-06-17")).fired == 0);  // the last day is still inside the period
  // The sweeper was down from 06-17 to 06-23.
  CHECK(sweeper::sweep(f.db, f.cal, noon_of("2025-06-23")).fired == 1);
  auto t = f.last("2025-000001");
  CHECK(t.event == "consultation_expired");
  CHECK(format_date(t.effective_on) == "2025-06-17");
  CHECK(china_date(t.occurred_at_ms / 1000) == day("2025-06-23"));  // when it was recorded stays known
  auto row = cases::find(f.db, "2025-000001");
  CHECK(row->state == case_state::under_review);
  REQUIRE(row->reply_due);
  CHECK(format_date(*row->reply_due) == "2025-06-25");
  CHECK(sweeper::sweep(f.db, f.cal, noon_of("2025-06-24")).fired == 0);
}

TEST_CASE("an expired correction period is dated on its last day, however late the sweeper runs", "[storage]") {
  fixture f;
  f.create("2025-000002", "2025-09-01");
  auto ask = event(event_kind::request_correction, "2025-09-02");  // 15 wd, National Day off: ends 2025-09-23
  ask.items = "请写明文号";
  f.fire("2025-000002", ask);
  CHECK(sweeper::sweep(f.db, f.cal, noon_of("2025-09-23")).fired == 0);
  CHECK(sweeper::sweep(f.db, f.cal, noon_of("2025-10-10")).fired == 1);  // after days of downtime
  auto t = f.last("2025-000002");
  CHECK(t.event == "correction_expired");
  CHECK(format_date(t.effective_on) == "2025-09-23");
  auto row = cases::find(f.db, "2025-000002");
  CHECK(row->state == case_state::answered);
  CHECK(row->outcome == "6.1");
  REQUIRE(row->concluded_on);
  CHECK(format_date(*row->concluded_on) == "2025-09-23");
}

TEST_CASE("time events: the machine takes a date before today, never one before the previous event", "[storage]") {
  fixture f;
  f.create("2025-000003", "2025-05-06");
  f.fire("2025-000003", event(event_kind::accept, "2025-05-06"));
  auto consult = event(event_kind::consult, "2025-05-26");
  consult.party = "某公司";
  f.fire("2025-000003", consult);
  const actor system{role::system, "system"};
  auto before_end = event(event_kind::consultation_expired, "2025-06-16", role::system);
  try {
    cases::fire(f.db, "2025-000003", std::nullopt, before_end, system, f.cal, noon_of("2025-06-20"));
    FAIL("an expiry inside the period was accepted");
  } catch (const domain_error& e) {
    CHECK(http::status_of(e) == http::status::unprocessable_entity);
  }
  auto before_consult = event(event_kind::consultation_expired, "2025-05-23", role::system);
  CHECK_THROWS_AS(cases::fire(f.db, "2025-000003", std::nullopt, before_consult, system, f.cal, noon_of("2025-06-20")),
                  domain_error);
  CHECK(f.count("2025-000003") == 3);
  auto on_last_day = event(event_kind::consultation_expired, "2025-06-17", role::system);
  cases::fire(f.db, "2025-000003", std::nullopt, on_last_day, system, f.cal, noon_of("2025-06-20"));
  CHECK(format_date(f.last("2025-000003").effective_on) == "2025-06-17");
}

TEST_CASE("an event dated after today (China time) is refused with 422 and stores nothing", "[storage]") {
  fixture f;
  f.create("2025-000004", "2025-05-06");
  const int before = f.count("2025-000004");
  const int version = cases::find(f.db, "2025-000004")->version;
  // 2025-05-07 00:30 in China is still 2025-05-06 in UTC: "today" is the China date.
  const long long just_after_midnight = noon_of("2025-05-07") - 11 * 3600 * 1000LL - 30 * 60 * 1000LL;
  CHECK(china_date(just_after_midnight / 1000) == day("2025-05-07"));
  for (const char* on : {"2062-11-28", "2025-05-08"}) {
    INFO(on);
    try {
      f.fire("2025-000004", event(event_kind::accept, on), just_after_midnight);
      FAIL("an event dated in the future was accepted");
    } catch (const domain_error& e) {
      CHECK(http::status_of(e) == http::status::unprocessable_entity);
      CHECK(e.code == "date_in_future");
    }
  }
  CHECK(f.count("2025-000004") == before);
  CHECK(cases::find(f.db, "2025-000004")->version == version);
  CHECK(cases::find(f.db, "2025-000004")->state == case_state::received);
  // Today (China) and earlier are fine.
  f.fire("2025-000004", event(event_kind::accept, "2025-05-07"), just_after_midnight);
  CHECK(f.count("2025-000004") == before + 1);
  // A registration dated in the future is refused the same way.
  auto reg = event(event_kind::register_case, "2025-05-09", role::applicant);
  reg.channel = "online";
  CHECK_THROWS_AS(cases::create(f.db, "2025-000005", reg, applicant, f.cal, just_after_midnight), domain_error);
  CHECK_FALSE(cases::find(f.db, "2025-000005"));
}
