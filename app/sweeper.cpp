#include "app/sweeper.hpp"

#include "core/log.hpp"
#include "sql/outbox.hpp"
#include "workflow/deadlines.hpp"

#include <boost/json.hpp>

namespace gongkai::sweeper {

using namespace workflow;

result sweep(database& db, const working_calendar& cal, long long now_ms) {
  result out;
  const std::string today = format_date(china_date(now_ms / 1000));
  struct due_case {
    std::string tracking_no;
    case_state state;
    int version;
    date period_end;
  };
  // The stored clocks say which periods are over: no case's history is read to find them.
  auto due = db.run(database::access::read, [&](connection& c) {
    std::vector<due_case> list;
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT tracking_no, state, version, period_due FROM cases WHERE state IN "
                          "('correction_requested', 'consulting') AND period_due < :t ORDER BY id",
         soci::use(today));
    for (const auto& r : rows)
      list.push_back({r.get<std::string>(0), parse_state(r.get<std::string>(1)).value_or(case_state::closed),
                      static_cast<int>(row_integer(r, 2)), parse_date(r.get<std::string>(3)).value_or(date{})});
    return list;
  });
  const actor system{role::system, "system"};
  for (const auto& dc : due) {
    case_event e;
    e.actor_role = role::system;
    e.kind = dc.state == case_state::correction_requested ? event_kind::correction_expired : event_kind::consultation_expired;
    // A period ends at the end of its last day: the event is fired once that day is over, and dated on
    // it whenever the sweeper gets to it (after downtime too), so no pause runs a day too long. The
    // period began with the case's latest event, so its last day is never before that event.
    e.on = dc.period_end;
    try {
      cases::fire(db, dc.tracking_no, dc.version, e, system, cal, now_ms);
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
  int approvals = db.run(database::access::read, [](connection& c) {
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM cases WHERE state = 'under_review' AND extension_pending > 0", soci::into(n);
    return n;
  });
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
