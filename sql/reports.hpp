#pragma once
// The annual report, cut off at the end of the report year (China time), so a past year comes out the same
// later: read from counters kept with each event, and recomputed from the transition log to check them.
#include "sql/database.hpp"
#include "workflow/report.hpp"

#include <optional>
#include <string>

namespace gongkai::reports {

// The first instant after the year, China time (UTC+8), in Unix milliseconds.
long long cutoff_ms(int year);

// The groups a year's tables are built from, read from the report figures (sql/report_figures.hpp).
// case_groups has every year received up to `year`; build() counts a conclusion after it as open.
std::vector<workflow::report::case_group> case_groups(database& db, int year);
std::vector<workflow::report::appeal_group> appeal_groups(database& db, int year);
workflow::report::annual_tables annual(database& db, int year);

// The same, recomputed from the transition log: the reference the figures are checked against.
std::vector<workflow::report::case_group> recompute_case_groups(database& db, int year);
std::vector<workflow::report::appeal_group> recompute_appeal_groups(database& db, int year);
workflow::report::annual_tables recompute_annual(database& db, int year);

struct frozen_year {
  workflow::report::annual_tables figures;
  std::string locked_by;
  long long locked_at = 0;
};
std::optional<frozen_year> frozen(database& db, int year);
// Freezes a published year's figures; 409 if it is frozen already.
void freeze(database& db, int year, const workflow::report::annual_tables& figures, const std::string& by, long long now_s);

}  // namespace gongkai::reports
