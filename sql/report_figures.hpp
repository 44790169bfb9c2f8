#pragma once
// The report figures kept as counters (workflow/figures.hpp; docs/decisions.md, Reporting). The
// transaction that records an event inserts its deltas into report_figure_deltas (insert-only: no row
// that every filing updates); fold() moves them into report_figures, summed by key, and reads sum both,
// so a figure is right whether or not its deltas were folded yet. The annual report and the monthly
// statistics read these instead of the log; reports::recompute_* and statistics::recompute_for_year
// stay as the reference that `gongkai report verify` and the tests compare them with.
#include "sql/database.hpp"
#include "workflow/figures.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gongkai::report_figures {

// The case row's columns that the monthly figures read; empty if there is no such case.
std::optional<workflow::figures::case_facts> facts_of(connection& c, long long case_id);

// Records deltas of one case, in the caller's transaction.
void add(connection& c, long long case_id, const std::vector<workflow::figures::delta>& deltas);

struct summed {
  std::string category;  // the applicant category for "case", else empty
  std::string k1, k2, k3;
  long long n = 0;
};
// A figure's keys with lo <= k1 <= hi and their sums (folded and not yet folded); zero sums left out.
std::vector<summed> read(connection& c, std::string_view figure, const std::string& lo, const std::string& hi);

// Folds the deltas recorded so far into the summed figures, in one transaction; returns how many.
// Safe on many instances at once (a fold that raced another one rolls back and the next one retries).
long long fold(database& db);

// Recomputes every figure from the transition log and the case rows, replacing what was stored, inside
// the caller's write transaction (migration 0012 fills existing databases with it).
void rebuild(connection& c);

}  // namespace gongkai::report_figures
