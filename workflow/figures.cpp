#include "workflow/figures.hpp"

#include "workflow/case.hpp"

#include <algorithm>
#include <chrono>

namespace gongkai::workflow::figures {

namespace {

int year_of(date d) { return static_cast<int>(std::chrono::year_month_day{d}.year()); }

bool concludes(std::string_view event) {
  return event == to_string(event_kind::answer) || event == to_string(event_kind::withdraw) ||
         event == to_string(event_kind::correction_expired);
}

void add(std::vector<delta>& out, delta d) {
  for (auto it = out.begin(); it != out.end(); ++it)
    if (it->figure == d.figure && it->k1 == d.k1 && it->k2 == d.k2 && it->k3 == d.k3) {
      it->n += d.n;
      if (it->n == 0) out.erase(it);
      return;
    }
  if (d.n != 0) out.push_back(std::move(d));
}

void contributions(std::vector<delta>& out, const case_facts& f, long long sign) {
  if (f.concluded_on) {
    const bool on_time = f.concluded_due && *f.concluded_on <= *f.concluded_due;
    add(out, {"concluded", format_date(*f.concluded_on), format_date(f.received_on), on_time ? "1" : "0", sign});
  }
  // Overdue at a month's end e: received_on <= e < concluded_on and due < e (the due date it had when
  // concluded, else its current one): from the month of max(received, due + 1 day) to the month before
  // the conclusion's.
  const auto due = f.concluded_due ? f.concluded_due : f.reply_due;
  if (!due) return;
  const auto from = month_of(std::max(f.received_on, *due + std::chrono::days{1}));
  if (f.concluded_on && month_of(*f.concluded_on) <= from) return;
  add(out, {"overdue", from, "", "", sign});
  if (f.concluded_on) add(out, {"overdue", month_of(*f.concluded_on), "", "", -sign});
}

}  // namespace

std::string month_of(date d) { return format_date(d).substr(0, 7); }

int report_year(const logged& t) {
  return std::max(year_of(t.effective_on), year_of(china_date(t.occurred_at_ms / 1000)));
}

std::vector<delta> of_transition(const std::vector<logged>& before, const logged& now) {
  std::vector<delta> out;
  const bool monthly = now.event == to_string(event_kind::register_case) ||
                       now.event == to_string(event_kind::request_correction) ||
                       now.event == to_string(event_kind::approve_extension);
  if (monthly) add(out, {"event", month_of(now.effective_on), now.event, "", 1});
  if (now.event == to_string(event_kind::register_case)) add(out, {"case", std::to_string(report_year(now)), "", "", 1});
  if (concludes(now.event) && std::none_of(before.begin(), before.end(), [](const logged& t) { return concludes(t.event); })) {
    // A case counts once, at its first conclusion.
    auto reg = std::find_if(before.begin(), before.end(),
                            [](const logged& t) { return t.event == to_string(event_kind::register_case); });
    if (reg != before.end()) {
      const auto received = std::to_string(report_year(*reg));
      add(out, {"case", received, "", "", -1});
      add(out, {"case", received, std::to_string(report_year(now)), now.report_key, 1});
    }
  }
  if (now.event == to_string(event_kind::file_appeal) && parse_appeal_kind(now.report_key))
    add(out, {"appeal", std::to_string(report_year(now)), now.report_key, "", 1});
  if (now.event == to_string(event_kind::decide_appeal) && parse_appeal_result(now.report_key)) {
    // The decision answers the appeals filed since the previous decision, each counted in its filing
    // year's report only if the decision was recorded by that year's cut-off.
    const int decided = year_of(china_date(now.occurred_at_ms / 1000));
    auto last = std::find_if(before.rbegin(), before.rend(),
                             [](const logged& t) { return t.event == to_string(event_kind::decide_appeal); });
    for (auto it = last.base(); it != before.end(); ++it) {
      if (it->event != to_string(event_kind::file_appeal) || !parse_appeal_kind(it->report_key)) continue;
      const int filed = report_year(*it);
      if (decided > filed) continue;
      add(out, {"appeal", std::to_string(filed), it->report_key, "", -1});
      add(out, {"appeal", std::to_string(filed), it->report_key, now.report_key, 1});
    }
  }
  return out;
}

std::vector<delta> of_case(const std::optional<case_facts>& before, const std::optional<case_facts>& after) {
  std::vector<delta> out;
  if (before == after) return out;
  if (before) contributions(out, *before, -1);
  if (after) contributions(out, *after, 1);
  return out;
}

}  // namespace gongkai::workflow::figures
