#include "sql/statistics.hpp"

#include "sql/report_figures.hpp"

#include <algorithm>
#include <tuple>
#include <vector>

namespace gongkai::statistics {

using namespace workflow;

long long monthly::concluded_total() const {
  long long n = 0;
  for (auto v : concluded) n += v;
  return n;
}

namespace {

int month_index(const std::string& iso) { return std::stoi(iso.substr(5, 2)) - 1; }

std::string month_end(int year, int month) {  // month 1..12
  using namespace std::chrono;
  auto last = year_month_day_last{std::chrono::year{year}, month_day_last{std::chrono::month{static_cast<unsigned>(month)}}};
  return format_date(sys_days{last});
}

// The median of the receipt-to-conclusion working days, each counted `n` times.
std::optional<double> median(std::vector<std::pair<int, long long>> days) {
  long long total = 0;
  for (const auto& d : days) total += d.second;
  if (total <= 0) return std::nullopt;
  std::sort(days.begin(), days.end());
  auto nth = [&](long long k) {  // 0-based
    for (const auto& [value, n] : days) {
      if (k < n) return value;
      k -= n;
    }
    return days.back().first;
  };
  return total % 2 ? nth(total / 2) : (nth(total / 2 - 1) + nth(total / 2)) / 2.0;
}

}  // namespace

monthly for_year(database& db, int year, const working_calendar& cal) {
  monthly m;
  m.year = year;
  const std::string y = std::to_string(year);
  db.run(database::access::read, [&](connection& c) {
    for (const auto& s : report_figures::read(c, "event", y + "-01", y + "-12"))
      (s.k2 == "register" ? m.received : s.k2 == "request_correction" ? m.corrections : m.extensions)[month_index(s.k1 + "-01")] += s.n;
    std::vector<std::tuple<date, date, long long>> spans;
    for (const auto& s : report_figures::read(c, "concluded", y + "-01-01", y + "-12-31")) {
      const int i = month_index(s.k1);
      m.concluded[i] += s.n;
      if (s.k3 == "1") m.on_time[i] += s.n;
      auto from = parse_date(s.k2), to = parse_date(s.k1);
      if (from && to) spans.emplace_back(*from, *to, s.n);
    }
    if (!spans.empty()) {
      // Thousands of (receipt, conclusion) pairs a year: their working days counted in one pass.
      date first = std::get<0>(spans.front()), last = std::get<1>(spans.front());
      for (const auto& [from, to, n] : spans) first = std::min(first, from), last = std::max(last, to);
      const working_day_counter count(cal, first, last);
      std::vector<std::pair<int, long long>> days;
      for (const auto& [from, to, n] : spans) days.emplace_back(count.between(from, to), n);
      m.median_working_days = median(std::move(days));
    }
    // Each month's overdue figure is the sum of the changes up to it.
    long long running = 0;
    std::array<long long, 12> change{};
    for (const auto& s : report_figures::read(c, "overdue", "0000-00", y + "-12"))
      (s.k1 < y + "-01" ? running : change[month_index(s.k1 + "-01")]) += s.n;
    for (int i = 0; i < 12; ++i) m.overdue_at_end[i] = running += change[i];
  });
  return m;
}

std::vector<std::string> differences(const monthly& expected, const monthly& actual) {
  std::vector<std::string> out;
  auto compare = [&](const char* name, const std::array<long long, 12>& a, const std::array<long long, 12>& b) {
    for (int i = 0; i < 12; ++i)
      if (a[i] != b[i])
        out.push_back(std::to_string(expected.year) + "-" + (i < 9 ? "0" : "") + std::to_string(i + 1) + " " + name +
                      ": log " + std::to_string(a[i]) + ", figures " + std::to_string(b[i]));
  };
  compare("received", expected.received, actual.received);
  compare("concluded", expected.concluded, actual.concluded);
  compare("on_time", expected.on_time, actual.on_time);
  compare("corrections", expected.corrections, actual.corrections);
  compare("extensions", expected.extensions, actual.extensions);
  compare("overdue_at_end", expected.overdue_at_end, actual.overdue_at_end);
  auto text = [](const std::optional<double>& v) { return v ? std::to_string(*v) : std::string("none"); };
  if (expected.median_working_days != actual.median_working_days)
    out.push_back(std::to_string(expected.year) + " median_working_days: log " + text(expected.median_working_days) +
                  ", figures " + text(actual.median_working_days));
  return out;
}

monthly recompute_for_year(database& db, int year, const working_calendar& cal) {
  monthly m;
  m.year = year;
  const std::string first = std::to_string(year) + "-01-01", last = std::to_string(year) + "-12-31";
  db.run(database::access::read, [&](connection& c) {
    {
      soci::rowset<soci::row> rows =
          (c.sql.prepare << "SELECT SUBSTR(effective_on, 1, 7), event, COUNT(*) FROM transitions"
                            " WHERE event IN ('register', 'request_correction', 'approve_extension')"
                            " AND effective_on >= :f AND effective_on <= :l GROUP BY SUBSTR(effective_on, 1, 7), event",
           soci::use(first), soci::use(last));
      for (const auto& r : rows) {
        int i = month_index(r.get<std::string>(0) + "-01");
        auto event = r.get<std::string>(1);
        auto n = row_integer(r, 2);
        (event == "register" ? m.received : event == "request_correction" ? m.corrections : m.extensions)[i] += n;
      }
    }
    {
      // First conclusions in the year: the cases row keeps the first conclusion date and outcome.
      soci::rowset<soci::row> rows =
          (c.sql.prepare << "SELECT received_on, concluded_on, concluded_due FROM cases"
                            " WHERE concluded_on >= :f AND concluded_on <= :l",
           soci::use(first), soci::use(last));
      std::vector<int> days;
      for (const auto& r : rows) {
        auto concluded = r.get<std::string>(1);
        int i = month_index(concluded);
        m.concluded[i]++;
        if (r.get_indicator(2) == soci::i_ok && concluded <= r.get<std::string>(2)) m.on_time[i]++;
        auto from = parse_date(r.get<std::string>(0)), to = parse_date(concluded);
        if (from && to) days.push_back(working_days_between(cal, *from, *to));
      }
      if (!days.empty()) {
        std::sort(days.begin(), days.end());
        auto n = days.size();
        m.median_working_days = n % 2 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2.0;
      }
    }
    {
      // Overdue at each month's end, in one pass over the cases.
      std::string sql = "SELECT ";
      std::vector<std::string> ends;
      for (int month = 1; month <= 12; ++month) ends.push_back(month_end(year, month));
      for (int i = 0; i < 12; ++i) {
        const std::string e = "'" + ends[i] + "'";  // dates we formatted ourselves, not user input
        sql += std::string(i ? ", " : "") + "SUM(CASE WHEN received_on <= " + e + " AND (concluded_on IS NULL OR concluded_on > " +
               e + ") AND COALESCE(concluded_due, reply_due) < " + e + " THEN 1 ELSE 0 END)";
      }
      sql += " FROM cases WHERE received_on <= :l AND (concluded_on IS NULL OR concluded_on >= :f)";
      soci::rowset<soci::row> rows = (c.sql.prepare << sql, soci::use(last), soci::use(first));
      for (const auto& r : rows)
        for (int i = 0; i < 12; ++i) m.overdue_at_end[i] = r.get_indicator(i) == soci::i_ok ? row_integer(r, i) : 0;
    }
  });
  return m;
}

}  // namespace gongkai::statistics
