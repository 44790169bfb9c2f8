#include "workflow/calendar.hpp"

#include <boost/json/parse.hpp>

#include <cstdio>

namespace gongkai::workflow {

using namespace std::chrono;

std::optional<int> parse_year(std::string_view text) {
  if (text.size() != 4 || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  const int year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  if (year < 2008 || year > 2100) return std::nullopt;
  return year;
}

std::optional<date> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  auto num = [&](std::size_t at, std::size_t len) {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  year_month_day ymd{year{num(0, 4)}, month{static_cast<unsigned>(num(5, 2))}, day{static_cast<unsigned>(num(8, 2))}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

std::string format_date(date d) {
  year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

int year_of(date d) { return static_cast<int>(year_month_day{d}.year()); }

int weekday_of(date d) { return static_cast<int>(weekday{d}.iso_encoding()); }

date china_date(long long unix_seconds) {
  long long local = unix_seconds + 8 * 3600;
  long long day_number = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  return date{days{day_number}};
}

std::string weekday_name_zh(date d) {
  static const char* names[] = {"", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"};
  return names[weekday_of(d)];
}

namespace {

std::vector<date> date_list(const boost::json::value& v, const std::string& where) {
  std::vector<date> out;
  if (!v.is_array()) throw calendar_error(where + " must be a list of dates");
  for (const auto& item : v.as_array()) {
    if (!item.is_string()) throw calendar_error(where + " must be a list of dates");
    auto d = parse_date(item.as_string());
    if (!d) throw calendar_error(where + ": not a date: " + std::string(item.as_string()));
    out.push_back(*d);
  }
  return out;
}

}  // namespace

std::vector<year_schedule> parse_schedules(std::string_view json) {
  boost::system::error_code ec;
  auto root = boost::json::parse(json, ec);
  if (ec || !root.is_object()) throw calendar_error("the schedule must be a JSON object keyed by year");
  std::vector<year_schedule> out;
  for (const auto& [key, value] : root.as_object()) {
    year_schedule y;
    std::string k(key);
    if (k.size() != 4 || k.find_first_not_of("0123456789") != std::string::npos)
      throw calendar_error("not a year: " + k);
    y.year = std::stoi(k);
    if (!value.is_object()) throw calendar_error(k + " must be an object");
    const auto& o = value.as_object();
    if (!o.contains("off_days") || !o.contains("makeup_workdays"))
      throw calendar_error(k + " needs off_days and makeup_workdays");
    y.off_days = date_list(o.at("off_days"), k + ".off_days");
    y.makeup_workdays = date_list(o.at("makeup_workdays"), k + ".makeup_workdays");
    if (o.contains("papers") && o.at("papers").is_array())
      for (const auto& p : o.at("papers").as_array())
        if (p.is_string()) y.papers.emplace_back(p.as_string());
    std::set<date> off(y.off_days.begin(), y.off_days.end());
    for (auto d : y.off_days)
      if (year_of(d) != y.year && year_of(d) != y.year - 1)
        throw calendar_error(k + ": off day " + format_date(d) + " is outside the year");
    for (auto d : y.makeup_workdays) {
      if (off.count(d)) throw calendar_error(k + ": " + format_date(d) + " is both an off day and a working day");
      if (weekday_of(d) < 6) throw calendar_error(k + ": make-up working day " + format_date(d) + " is not a weekend day");
      if (year_of(d) != y.year && year_of(d) != y.year - 1)
        throw calendar_error(k + ": make-up day " + format_date(d) + " is outside the year");
    }
    out.push_back(std::move(y));
  }
  return out;
}

working_calendar::working_calendar(const std::vector<year_schedule>& years) {
  for (const auto& y : years) add(y);
}

void working_calendar::add(const year_schedule& y) {
  years_.insert(y.year);
  off_.insert(y.off_days.begin(), y.off_days.end());
  makeup_.insert(y.makeup_workdays.begin(), y.makeup_workdays.end());
}

bool working_calendar::is_holiday(date d) const { return off_.count(d) > 0; }
bool working_calendar::is_makeup_day(date d) const { return makeup_.count(d) > 0; }

bool working_calendar::is_working_day(date d) const {
  if (makeup_.count(d)) return true;
  if (off_.count(d)) return false;
  return weekday_of(d) <= 5;
}

int working_calendar::schedule_adjustment(date first, date last) const {
  int n = 0;
  for (auto it = off_.lower_bound(first); it != off_.end() && *it <= last; ++it)
    if (weekday_of(*it) <= 5 && !makeup_.count(*it)) --n;
  for (auto it = makeup_.lower_bound(first); it != makeup_.end() && *it <= last; ++it)
    if (weekday_of(*it) >= 6) ++n;
  return n;
}

bool working_calendar::is_provisional(date d) const {
  return !years_.count(year_of(d)) && !off_.count(d) && !makeup_.count(d);
}

day_count add_working_days(const working_calendar& cal, date start, int n) {
  if (n < 1) throw std::invalid_argument("add_working_days needs n >= 1");
  day_count out{start, {}, {}, false};
  date d = start;
  for (int counted = 0; counted < n;) {
    d += days{1};
    if (cal.is_provisional(d)) out.provisional = true;
    if (cal.is_working_day(d)) {
      ++counted;
      if (weekday_of(d) >= 6) out.makeup_days_counted.push_back(d);
    } else if (weekday_of(d) <= 5) {
      out.holidays_crossed.push_back(d);
    }
  }
  out.end = d;
  return out;
}

int working_days_between(const working_calendar& cal, date from, date to) {
  if (to <= from) return 0;
  // Mondays to Fridays by arithmetic (a page lists cases overdue by years), then the schedule's days.
  const long long span = (to - from).count();
  int n = static_cast<int>(span / 7) * 5;
  for (date d = from + days{span / 7 * 7 + 1}; d <= to; d += days{1})
    if (weekday_of(d) <= 5) ++n;
  return n + cal.schedule_adjustment(from + days{1}, to);
}

working_day_counter::working_day_counter(const working_calendar& cal, date first, date last) : first_(first) {
  upto_.push_back(0);
  for (date d = first + days{1}; d <= last; d += days{1}) upto_.push_back(upto_.back() + (cal.is_working_day(d) ? 1 : 0));
}

int working_day_counter::between(date from, date to) const {
  if (to <= from) return 0;
  return upto_.at(static_cast<std::size_t>((to - first_).count())) - upto_.at(static_cast<std::size_t>((from - first_).count()));
}

date next_working_day_on_or_after(const working_calendar& cal, date d) {
  while (!cal.is_working_day(d)) d += days{1};
  return d;
}

}  // namespace gongkai::workflow
