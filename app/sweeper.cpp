#include "app/sweeper.hpp"

#include "core/log.hpp"
#include "sql/outbox.hpp"
#include "workflow/deadlines.hpp"

#include <boost/json.hpp>

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
    const auto history = cases::machine_history(cases::transitions(db, row->id));
    auto clocks = compute_deadlines(history, cal);
    case_event e;
    e.actor_role = role::system;
    // A period ends at the end of its last day: the event is fired once that day is over, and dated on
    // it whenever the sweeper gets to it (after downtime too), so no pause runs a day too long.
    std::optional<date> ended;
    if (row->state == case_state::correction_requested && clocks.correction_period.due && today > *clocks.correction_period.due) {
      e.kind = event_kind::correction_expired;
      ended = clocks.correction_period.due;
    } else if (row->state == case_state::consulting && clocks.consultation.due && today > *clocks.consultation.due) {
      e.kind = event_kind::consultation_expired;
      ended = clocks.consultation.due;
    } else {
      continue;
    }
    e.on = *ended;
    if (!history.empty() && history.back().event.on > e.on) e.on = history.back().event.on;  // never before the event it follows
    try {
      cases::fire(db, no, row->version, e, system, cal, now_ms);
      ++out.fired;
    } catch (const domain_error& err) {
      if (err.kind != error_kind::conflict) throw;
      ++out.conflicts;  // someone else acted first: nothing to do
    }
  }
  if (out.fired || out.conflicts)
    log::event("info", "sweeper", "fired " + std::to_string(out.fired) + ", conflicts " + std::to_string(out.conflicts));
  return out;
}

int remind(database& db, const working_calendar& cal, long long now_ms) {
  const date today = china_date(now_ms / 1000);
  struct open_case {
    long long id;
    std::string tracking_no, assignee;
    date due;
  };
  auto open = db.run(database::access::read, [](connection& c) {
    std::vector<open_case> out;
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT id, tracking_no, assignee, reply_due FROM cases WHERE reply_due IS NOT NULL AND state IN "
                          "('received', 'under_review') ORDER BY id");
    for (const auto& r : rows)
      out.push_back({row_integer(r, 0), r.get<std::string>(1),
                     r.get_indicator(2) == soci::i_ok ? r.get<std::string>(2) : std::string(),
                     parse_date(r.get<std::string>(3)).value_or(date{})});
    return out;
  });
  int written = 0, overdue = 0;
  for (const auto& oc : open) {
    const std::string due = format_date(oc.due);
    const std::string data = boost::json::serialize(boost::json::object{{"tracking_no", oc.tracking_no}, {"due", due}});
    const std::string key = "case:" + std::to_string(oc.id) + ":";
    std::string kind;
    if (today > oc.due) {
      kind = "overdue";
      ++overdue;
    } else if (today == oc.due) {
      kind = "due_today";
    } else if (working_days_between(cal, today, oc.due) <= 3) {  // once, within 3 working days of the due date
      kind = "due_soon";
    }
    if (kind.empty()) continue;
    db.run(database::access::write, [&](connection& c) {
      write_transaction tx(db, c);
      if (!oc.assignee.empty() && outbox::enqueue_for_user(c, oc.id, oc.assignee, kind, data, key + kind + ":" + due, now_ms))
        ++written;
      if (kind == "overdue" && outbox::enqueue_overdue_for_applicant(c, oc.id, oc.tracking_no, oc.due, now_ms)) ++written;
      tx.commit();
    });
  }
  // The supervisors' daily digest.
  auto reviewing = db.run(database::access::read, [](connection& c) {
    std::vector<long long> ids;
    soci::rowset<soci::row> rows = (c.sql.prepare << "SELECT id FROM cases WHERE state = 'under_review'");
    for (const auto& r : rows) ids.push_back(row_integer(r, 0));
    return ids;
  });
  int approvals = 0;
  for (auto id : reviewing)
    if (compute_deadlines(cases::machine_history(cases::transitions(db, id)), cal).extension_days_pending > 0) ++approvals;
  if (overdue + approvals > 0) {
    const std::string data = boost::json::serialize(boost::json::object{
        {"date", format_date(today)}, {"overdue", std::to_string(overdue)}, {"approvals", std::to_string(approvals)}});
    auto supervisors = db.run(database::access::read, [](connection& c) {
      std::vector<std::string> names;
      soci::rowset<std::string> rows = (c.sql.prepare << "SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id "
                                                         "WHERE r.role = 'supervisor' AND u.disabled = 0 ORDER BY u.username");
      for (const auto& n : rows) names.push_back(n);
      return names;
    });
    for (const auto& name : supervisors)
      db.run(database::access::write, [&](connection& c) {
        write_transaction tx(db, c);
        if (outbox::enqueue_for_user(c, 0, name, "digest", data, "digest:" + format_date(today) + ":" + name, now_ms))
          ++written;
        tx.commit();
      });
  }
  return written;
}

}  // namespace gongkai::sweeper
