#pragma once
// The working-day calendar (工作日): Monday-Friday, minus official holidays (放假), plus the weekend days
// officially made working days (调休上班). Years whose schedule is loaded are confirmed; any other date
// falls back to weekends-only and is marked provisional wherever it is shown. Pure code, no I/O.
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gongkai::workflow {

using date = std::chrono::sys_days;

std::optional<date> parse_date(std::string_view iso);  // "YYYY-MM-DD", a real calendar date
std::string format_date(date d);                       // "YYYY-MM-DD"
int year_of(date d);
int weekday_of(date d);  // 1 = Monday ... 7 = Sunday
std::string weekday_name_zh(date d);  // 星期一 ...
// The local calendar date in China (UTC+8, no daylight saving) of a Unix time in seconds.
date china_date(long long unix_seconds);

struct calendar_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One year's official schedule as published by the State Council General Office (its notice may cover
// days of the previous year: 2019's covers 2018-12-29..31).
struct year_schedule {
  int year = 0;
  std::vector<date> off_days;
  std::vector<date> makeup_workdays;
  std::vector<std::string> papers;  // sources
};

// A report or calendar year written as four digits, 2008 (the Regulations' first year) to 2100.
std::optional<int> parse_year(std::string_view text);

// Parses {"2026": {"off_days": [...], "makeup_workdays": [...], "papers": [...]}, ...}. Throws
// calendar_error naming the problem (bad date, a day both off and working, a makeup day not on a weekend...).
std::vector<year_schedule> parse_schedules(std::string_view json);

class working_calendar {
 public:
  working_calendar() = default;
  explicit working_calendar(const std::vector<year_schedule>& years);
  void add(const year_schedule& y);

  bool is_working_day(date d) const;
  bool is_holiday(date d) const;   // an official off day (including weekend days inside a holiday block)
  bool is_makeup_day(date d) const;
  // A date is confirmed when its year's schedule (or a notice that lists it) is loaded.
  bool is_provisional(date d) const;
  const std::set<int>& loaded_years() const { return years_; }
  // Working days in [first, last] minus its Mondays to Fridays: makeup weekend days less official off
  // days on Mondays to Fridays.
  int schedule_adjustment(date first, date last) const;

 private:
  std::set<date> off_;
  std::set<date> makeup_;
  std::set<int> years_;
};

// The result of counting working days, with what the count crossed (for explanations).
struct day_count {
  date end;
  std::vector<date> holidays_crossed;   // official off days on Mon-Fri skipped
  std::vector<date> makeup_days_counted;  // weekend days counted as working days
  bool provisional = false;  // some counted day lies in a year whose schedule is not loaded
};

// The n-th working day strictly after `start` (the start day is not counted). n >= 1.
day_count add_working_days(const working_calendar& cal, date start, int n);

// Working days in (from, to]: 0 when to <= from.
int working_days_between(const working_calendar& cal, date from, date to);

// working_days_between for many spans inside [first, last]: each answer in constant time after one pass.
class working_day_counter {
 public:
  working_day_counter(const working_calendar& cal, date first, date last);
  int between(date from, date to) const;  // equals working_days_between(cal, from, to) for dates in range

 private:
  date first_;
  std::vector<int> upto_;  // working days in (first, first + i]
};


// The first working day on or after d (a period ending on a holiday ends on the next working day).
date next_working_day_on_or_after(const working_calendar& cal, date d);

}  // namespace gongkai::workflow
