#include "sql/statistics.hpp"

#include <algorithm>
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

}  // namespace

monthly for_year(database& db, int year, const working_calendar& cal) {
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
