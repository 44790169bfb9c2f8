#pragma once
// The annual report from the transition log: aggregated in SQL (a few rows come back whatever the number
// of cases), cut off at the end of the report year (China time), so a past year comes out the same later.
#include "sql/database.hpp"
#include "workflow/report.hpp"

#include <optional>
#include <string>

namespace gongkai::reports {

// The first instant after the year, China time (UTC+8), in Unix milliseconds.
long long cutoff_ms(int year);

std::vector<workflow::report::case_group> case_groups(database& db, int year);
std::vector<workflow::report::appeal_group> appeal_groups(database& db, int year);
workflow::report::annual_tables annual(database& db, int year);

struct frozen_year {
  workflow::report::annual_tables figures;
  std::string locked_by;
  long long locked_at = 0;
};
std::optional<frozen_year> frozen(database& db, int year);
// Freezes a published year's figures; 409 if it is frozen already.
void freeze(database& db, int year, const workflow::report::annual_tables& figures, const std::string& by, long long now_s);

}  // namespace gongkai::reports
