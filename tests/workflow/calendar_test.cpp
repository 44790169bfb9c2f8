#include <catch2/catch.hpp>

#include "tests/workflow/support.hpp"

#include <random>

using namespace gongkai;
using namespace gongkai::workflow;
using test::builtin_calendar;
using test::day;

namespace {

std::string due(const char* received, int n) {
  return format_date(add_working_days(builtin_calendar(), day(received), n).end);
}

}  // namespace

TEST_CASE("dates parse strictly and format back", "[workflow]") {
  CHECK(format_date(day("2024-02-29")) == "2024-02-29");
  CHECK_FALSE(parse_date("2023-02-29"));
  CHECK_FALSE(parse_date("2026-13-01"));
  CHECK_FALSE(parse_date("2026-1-01"));
  CHECK_FALSE(parse_date("2026/01/01"));
  CHECK_FALSE(parse_date(""));
  CHECK(weekday_of(day("2026-11-27")) == 5);
  CHECK(weekday_name_zh(day("2026-01-04")) == "星期日");
}

TEST_CASE("working days: weekends, official holidays and make-up workdays (including Sundays)", "[workflow]") {
  const auto& cal = builtin_calendar();
  CHECK(cal.is_working_day(day("2026-11-27")));        // a Friday
  CHECK_FALSE(cal.is_working_day(day("2026-11-28")));  // a Saturday
  CHECK_FALSE(cal.is_working_day(day("2026-10-01")));  // National Day
  CHECK_FALSE(cal.is_working_day(day("2026-02-17")));  // Spring Festival, a Tuesday
  CHECK(cal.is_working_day(day("2026-01-04")));        // make-up workday on a Sunday
  CHECK(cal.is_working_day(day("2026-02-28")));        // make-up workday on a Saturday
  CHECK(cal.is_working_day(day("2018-12-29")));        // 2019's notice: Saturday 2018-12-29 worked
  CHECK_FALSE(cal.is_working_day(day("2018-12-31")));  // ... and Monday 2018-12-31 off
  CHECK_FALSE(cal.is_working_day(day("2022-12-31")));  // covered by 2023's notice
  CHECK(cal.is_makeup_day(day("2019-02-03")));
  CHECK(cal.is_holiday(day("2020-01-31")));  // the 2020 Spring Festival extension
}

TEST_CASE("only loaded years are confirmed; other dates are provisional", "[workflow]") {
  const auto& cal = builtin_calendar();
  CHECK(cal.loaded_years() == std::set<int>{2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026});
  CHECK_FALSE(cal.is_provisional(day("2026-12-31")));
  CHECK(cal.is_provisional(day("2027-01-01")));
  CHECK(cal.is_working_day(day("2027-01-01")));  // a Friday: weekends-only fallback
  CHECK(cal.is_provisional(day("2018-12-28")));
  CHECK_FALSE(cal.is_provisional(day("2018-12-30")));  // listed by 2019's notice
}

TEST_CASE("the n-th working day after a date, across holidays, make-up days and year ends", "[workflow]") {
  // Expected dates were counted by hand against the State Council notices and cross-checked with an
  // independent script over the same schedule.
  CHECK(due("2019-01-28", 20) == "2019-02-28");  // Spring Festival 2019, make-up 02-02 and 02-03
  CHECK(due("2019-01-31", 20) == "2019-03-05");
  CHECK(due("2018-12-28", 1) == "2018-12-29");   // a make-up Saturday is the first working day
  CHECK(due("2018-12-28", 20) == "2019-01-28");  // across 2018-12-30..2019-01-01
  CHECK(due("2020-01-20", 20) == "2020-02-25");  // Spring Festival 2020 with its extension
  CHECK(due("2021-02-08", 7) == "2021-02-23");   // make-up Sunday 2021-02-07 is before the count
  CHECK(due("2022-12-30", 20) == "2023-02-02");  // 2022-12-31 from 2023's notice
  CHECK(due("2023-09-27", 20) == "2023-10-31");  // Mid-Autumn + National Day 2023
  CHECK(due("2024-02-05", 20) == "2024-03-08");  // Spring Festival 2024, make-up 02-04 and 02-18
  CHECK(due("2024-02-08", 5) == "2024-02-21");
  CHECK(due("2025-12-31", 20) == "2026-01-29");  // make-up Sunday 2026-01-04 counted
  CHECK(due("2026-02-10", 20) == "2026-03-16");  // Spring Festival 2026, make-up Saturdays
  CHECK(due("2026-09-25", 7) == "2026-10-12");   // make-up Saturday 2026-10-10 counted
  CHECK(due("2026-09-25", 20) == "2026-10-29");  // National Day 2026
}

TEST_CASE("counts report what they crossed and whether they are provisional", "[workflow]") {
  auto c = add_working_days(builtin_calendar(), day("2026-09-25"), 7);
  CHECK(c.holidays_crossed.size() == 5);  // 10-01, 10-02, 10-05, 10-06, 10-07 (Mon-Fri)
  CHECK(format_date(c.holidays_crossed.front()) == "2026-10-01");
  REQUIRE(c.makeup_days_counted.size() == 1);
  CHECK(format_date(c.makeup_days_counted.front()) == "2026-10-10");
  CHECK_FALSE(c.provisional);

  auto beyond = add_working_days(builtin_calendar(), day("2026-12-20"), 20);
  CHECK(format_date(beyond.end) == "2027-01-15");  // 2027-01-01 counted: no 2027 schedule loaded
  CHECK(beyond.provisional);
  auto before = add_working_days(builtin_calendar(), day("2018-06-01"), 20);
  CHECK(format_date(before.end) == "2018-06-29");
  CHECK(before.provisional);
  CHECK(format_date(add_working_days(builtin_calendar(), day("2027-03-01"), 20).end) == "2027-03-29");
}

TEST_CASE("property: a due date is a working day, and more working days never give an earlier date", "[workflow]") {
  const auto& cal = builtin_calendar();
  std::mt19937 rng(20261127);
  std::uniform_int_distribution<int> offset(0, 365 * 9);
  std::uniform_int_distribution<int> length(1, 60);
  const date first = day("2018-07-01");
  for (int i = 0; i < 3000; ++i) {
    date start = first + std::chrono::days{offset(rng)};
    int n = length(rng);
    auto a = add_working_days(cal, start, n).end;
    auto b = add_working_days(cal, start, n + 1).end;
    INFO(format_date(start) << " + " << n);
    REQUIRE(cal.is_working_day(a));
    REQUIRE(b > a);
    REQUIRE(working_days_between(cal, start, a) == n);
    // A later start never gives an earlier due date.
    REQUIRE(add_working_days(cal, start + std::chrono::days{1}, n).end >= a);
  }
}

TEST_CASE("schedules are validated when parsed", "[workflow]") {
  CHECK_THROWS_AS(parse_schedules("[]"), calendar_error);
  CHECK_THROWS_AS(parse_schedules(R"({"2027": {"off_days": ["2027-02-30"], "makeup_workdays": []}})"), calendar_error);
  CHECK_THROWS_AS(parse_schedules(R"({"2027": {"off_days": ["2027-02-06"], "makeup_workdays": ["2027-02-06"]}})"),
                  calendar_error);
  CHECK_THROWS_WITH(parse_schedules(R"({"2027": {"off_days": [], "makeup_workdays": ["2027-02-08"]}})"),
                    Catch::Contains("not a weekend day"));
  CHECK_THROWS_AS(parse_schedules(R"({"2027": {"off_days": []}})"), calendar_error);
  auto ok = parse_schedules(R"({"2027": {"off_days": ["2027-01-01"], "makeup_workdays": ["2027-02-07"]}})");
  REQUIRE(ok.size() == 1);
  working_calendar cal(ok);
  CHECK_FALSE(cal.is_working_day(day("2027-01-01")));
  CHECK_FALSE(cal.is_provisional(day("2027-06-01")));
}

#include "workflow/application.hpp"

TEST_CASE("receipt dates by channel (Art. 31)", "[workflow]") {
  using workflow::intake_channel;
  auto today = day("2026-11-27");
  // In person and orally: the day it is handed in.
  CHECK_FALSE(check_receipt_date(intake_channel::in_person, day("2026-11-20"), day("2026-11-20"), today));
  CHECK(check_receipt_date(intake_channel::in_person, day("2026-11-21"), day("2026-11-20"), today));
  CHECK(check_receipt_date(intake_channel::oral, day("2026-11-23"), day("2026-11-20"), today));
  // Registered mail: the day the agency signs for it, after it was posted.
  CHECK_FALSE(check_receipt_date(intake_channel::registered_mail, day("2026-11-24"), day("2026-11-20"), today));
  CHECK(check_receipt_date(intake_channel::registered_mail, day("2026-11-19"), day("2026-11-20"), today));
  // Ordinary mail and fax: the day both sides confirm; never in the future.
  CHECK_FALSE(check_receipt_date(intake_channel::ordinary_mail, day("2026-11-26"), day("2026-11-18"), today));
  CHECK(check_receipt_date(intake_channel::fax, day("2026-11-28"), day("2026-11-27"), today));
  CHECK(workflow::parse_channel("registered_mail") == intake_channel::registered_mail);
  CHECK_FALSE(workflow::parse_channel("pigeon"));
  CHECK(workflow::receipt_rule_zh(intake_channel::registered_mail).find("签收") != std::string_view::npos);
}

TEST_CASE("property: working days between two dates equal a day-by-day count, across years of schedules", "[workflow]") {
  const auto& cal = gongkai::test::builtin_calendar();
  std::mt19937 rng(12);
  const auto base = gongkai::test::day("2019-12-20");
  for (int i = 0; i < 3000; ++i) {
    const auto from = base + std::chrono::days{static_cast<int>(rng() % 2800)};
    const auto to = from + std::chrono::days{static_cast<int>(rng() % 1200) - 20};
    int by_day = 0;
    for (auto d = from + std::chrono::days{1}; d <= to; d += std::chrono::days{1})
      if (cal.is_working_day(d)) ++by_day;
    INFO(format_date(from) << " .. " << format_date(to));
    REQUIRE(working_days_between(cal, from, to) == by_day);
  }
}
