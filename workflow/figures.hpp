#pragma once
// The report figures kept as counters (docs/decisions.md, Reporting): what one logged event, or one change
// of a case row, adds to the per-year and per-month figures. Pure: storage writes these deltas in the
// transaction that records the event, and a rebuild from the log applies the same rules.
//
// Figures and their keys (all text, so one table holds them):
//   case      k1 = year received, k2 = year of the first conclusion ("" if none), k3 = its outcome code;
//             by applicant category, which storage takes from the application when it sums.
//   appeal    k1 = year filed, k2 = kind, k3 = result of the decision counted for that year ("" if none).
//   event     k1 = "YYYY-MM" of the effective date, k2 = register, request_correction or approve_extension.
//   concluded k1 = first conclusion date, k2 = receipt date, k3 = "1" if on or before the due date it had.
//   overdue   k1 = "YYYY-MM": +1 from the month whose last day first finds the case past due, -1 from the
//             month it concluded in; a month's overdue_at_end is the sum of every k1 up to it.
#include "workflow/calendar.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gongkai::workflow::figures {

struct delta {
  std::string figure, k1, k2, k3;
  long long n = 0;
  bool operator==(const delta&) const = default;
};

// One logged transition, as the figures need it.
struct logged {
  std::string event;  // as stored: an event name or a bookkeeping name
  long long occurred_at_ms = 0;
  date effective_on{};
  std::string report_key;
};

// The year an event's figures belong to: the year of its date, unless it was recorded after that year's
// cut-off (China time); then the year it was recorded in. Events are never dated in the future, so this
// is the later of the two years.
int report_year(const logged& t);

// What appending `now` to a case whose earlier transitions are `before` (in order) adds.
std::vector<delta> of_transition(const std::vector<logged>& before, const logged& now);

// The columns of a case row the monthly figures read.
struct case_facts {
  date received_on{};
  std::optional<date> concluded_on, concluded_due, reply_due;
  bool operator==(const case_facts&) const = default;
};

// What changing a case row from `before` to `after` adds (either may be absent: a new or no case).
std::vector<delta> of_case(const std::optional<case_facts>& before, const std::optional<case_facts>& after);

// "YYYY-MM" of a date.
std::string month_of(date d);

}  // namespace gongkai::workflow::figures
