#include "sql/sweeper.hpp"

#include "server/access_log.hpp"
#include "workflow/deadlines.hpp"

namespace gongkai::sweeper {

using namespace workflow;

result sweep(database& db, const working_calendar& cal, long long now_ms) {
  result out;
  const date today = china_date(now_ms / 1000);
  auto waiting = db.run(database::access::read, [](connection& c) {
    std::vector<std::string> numbers;
    soci::rowset<std::string> rows =
        (c.sql.prepare << "SELECT tracking_no FROM cases WHERE state IN ('correction_requested', 'consulting') ORDER BY id");
    for (const auto& n : rows) numbers.push_back(n);
    return numbers;
  });
  const actor system{role::system, "system"};
  for (const auto& no : waiting) {
    auto row = cases::find(db, no);
    if (!row) continue;
    auto clocks = compute_deadlines(cases::machine_history(cases::transitions(db, row->id)), cal);
    case_event e;
    e.on = today;
    e.actor_role = role::system;
    // A period ends at the end of its last day; the event is due the day after.
    if (row->state == case_state::correction_requested && clocks.correction_period.due && today > *clocks.correction_period.due)
      e.kind = event_kind::correction_expired;
    else if (row->state == case_state::consulting && clocks.consultation.due && today > *clocks.consultation.due)
      e.kind = event_kind::consultation_expired;
    else
      continue;
    try {
      cases::fire(db, no, row->version, e, system, cal, now_ms);
      ++out.fired;
    } catch (const http::http_error& err) {
      if (err.status != http::status::conflict) throw;
      ++out.conflicts;  // someone else acted first: nothing to do
    }
  }
  if (out.fired || out.conflicts)
    log::event("info", "sweeper", "fired " + std::to_string(out.fired) + ", conflicts " + std::to_string(out.conflicts));
  return out;
}

}  // namespace gongkai::sweeper
