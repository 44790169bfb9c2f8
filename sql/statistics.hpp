#pragma once
// Monthly figures for supervisors and the public statistics page: aggregates only, no personal data.
#include "sql/database.hpp"
#include "workflow/calendar.hpp"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gongkai::statistics {

struct monthly {
  int year = 0;
  std::array<long long, 12> received{};     // applications received in the month
  std::array<long long, 12> concluded{};    // first conclusions in the month
  std::array<long long, 12> on_time{};      // of those, on or before the due date they had
  std::array<long long, 12> corrections{};  // correction notices sent
  std::array<long long, 12> extensions{};   // extensions approved
  std::array<long long, 12> overdue_at_end{};  // open and past due at the month's last day
  std::optional<double> median_working_days;   // receipt to first conclusion, for conclusions in the year
  long long concluded_total() const;
};

// Overdue at a month's end counts the cases open that day whose due date, as finally set (the due date
// they had when concluded, or their current one), had passed: extensions granted after that day are
// taken as known.
// Read from the report figures (sql/report_figures.hpp): a few hundred rows whatever the history.
monthly for_year(database& db, int year, const workflow::working_calendar& cal);
// The same, recomputed from the transition log and every case row: the reference the figures are checked against.
monthly recompute_for_year(database& db, int year, const workflow::working_calendar& cal);
// The fields on which two versions of a year differ, as readable lines (empty when they agree).
std::vector<std::string> differences(const monthly& expected, const monthly& actual);

}  // namespace gongkai::statistics
