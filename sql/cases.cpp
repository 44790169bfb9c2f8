#include "sql/cases.hpp"

#include "core/clock.hpp"
#include "core/embedded.hpp"
#include "sql/outbox.hpp"
#include "sql/webhooks.hpp"
#include "sql/report_figures.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <map>

namespace gongkai {

using namespace workflow;


namespace {

// Where a case without a reply due date sorts in the queue (after every real date; migration 0011).
constexpr std::string_view no_due_sort_key = "9999-12-31";

constexpr std::string_view calendar_updated = "calendar_updated";

// The one place a machine refusal becomes an HTTP status.
domain_error refusal_error(const refusal& r) {
  switch (r.kind) {
    case refusal_kind::not_in_state: return {error_kind::conflict, "not_allowed_in_state", r.message};
    case refusal_kind::forbidden: return {error_kind::forbidden, "forbidden", r.message};
    case refusal_kind::invalid: break;
  }
  return {error_kind::invalid, "rule_violated", r.message};
}

domain_error conflict() {
  return {error_kind::conflict, "conflict", "案件已被他人更新，请刷新后重试"};
}

// An event takes effect on a day that has begun (China date): a date in the future would make every
// later event "earlier than the previous one", and the append-only log could not be corrected.
void refuse_future_date(const case_event& e, long long now_ms) {
  const date today = china_date(now_ms / 1000);
  if (e.on > today)
    throw domain_error(error_kind::invalid, "date_in_future",
                           "事件日期 " + format_date(e.on) + " 晚于今天（" + format_date(today) + "），不能预先登记");
}

struct select_case {
  std::string tracking_no;
  long long id = 0;
  std::string state, received_on, reply_due, concluded_on, outcome, assignee;
  int version = 0, provisional = 0;
  soci::indicator due_ind{}, concluded_ind{}, outcome_ind{}, assignee_ind{};
  soci::statement st;
  explicit select_case(soci::session& s)
      : st((s.prepare << "SELECT id, state, version, received_on, reply_due, due_provisional, concluded_on, outcome, "
                         "assignee FROM cases WHERE tracking_no = :t",
            soci::use(tracking_no), soci::into(id), soci::into(state), soci::into(version), soci::into(received_on),
            soci::into(reply_due, due_ind), soci::into(provisional), soci::into(concluded_on, concluded_ind),
            soci::into(outcome, outcome_ind), soci::into(assignee, assignee_ind))) {}
};

struct insert_transition {
  long long case_id = 0, occurred_at = 0;
  int seq = 0;
  std::string event, from_state, to_state, actor_role, actor, effective_on, payload, report_key;
  soci::indicator from_ind = soci::i_ok, key_ind = soci::i_null;
  soci::statement st;
  explicit insert_transition(soci::session& s)
      : st((s.prepare << "INSERT INTO transitions (case_id, seq, event, from_state, to_state, actor_role, actor, "
                         "occurred_at, effective_on, payload, report_key) VALUES (:c, :s, :e, :f, :t, :r, :a, :o, :d, :p, :k)",
            soci::use(case_id), soci::use(seq), soci::use(event), soci::use(from_state, from_ind), soci::use(to_state),
            soci::use(actor_role), soci::use(actor), soci::use(occurred_at), soci::use(effective_on),
            soci::use(payload), soci::use(report_key, key_ind))) {}
};

// What the annual report counts for this event (see 0005_reports.sql), or empty.
std::string report_key_of(std::string_view event, const std::string& payload) {
  auto kind = parse_event(event);
  if (!kind) return {};
  switch (*kind) {
    case event_kind::withdraw: return std::string(outcome_withdrawn);
    case event_kind::correction_expired: return std::string(outcome_abandoned_correction);
    case event_kind::answer:
    case event_kind::file_appeal:
    case event_kind::decide_appeal: {
      auto e = event_from_payload(*kind, date{}, role::system, payload);
      if (*kind == event_kind::answer) return e.outcome;
      if (*kind == event_kind::file_appeal) return e.appeal ? std::string(to_string(*e.appeal)) : std::string();
      return e.result ? std::string(to_string(*e.result)) : std::string();
    }
    default: return {};
  }
}

// The case row and the clocks the machine computed in this transaction (stored, so that lists and the
// sweeper never recompute a case's history).
struct update_case {
  std::string state, reply_due, concluded_on, outcome, period_due, due_sort;
  soci::indicator due_ind = soci::i_ok, concluded_ind = soci::i_ok, outcome_ind = soci::i_ok, period_ind = soci::i_ok;
  int provisional = 0, version = 0, extension_pending = 0;
  long long now = 0, id = 0;
  soci::statement st;
  explicit update_case(soci::session& s)
      : st((s.prepare << "UPDATE cases SET state = :s, reply_due = :d, due_provisional = :p, concluded_on = :c, "
                         "outcome = :o, period_due = :w, extension_pending = :x, clocks_stored = 1, due_sort = :q, "
                         "version = version + 1, updated_at = :n WHERE id = :i AND version = :v",
            soci::use(state), soci::use(reply_due, due_ind), soci::use(provisional), soci::use(concluded_on, concluded_ind),
            soci::use(outcome, outcome_ind), soci::use(period_due, period_ind), soci::use(extension_pending),
            soci::use(due_sort), soci::use(now), soci::use(id), soci::use(version))) {}
};

date must_date(const std::string& s) {
  auto d = parse_date(s);
  if (!d) throw std::runtime_error("stored date is malformed");
  return *d;
}

std::optional<case_row> load_case(connection& c, const std::string& tracking_no) {
  auto& q = c.prepared<select_case>();
  q.tracking_no = tracking_no;
  if (!fetch_one(q.st)) return std::nullopt;
  case_row r;
  r.id = q.id;
  r.tracking_no = tracking_no;
  auto st = parse_state(q.state);
  if (!st) throw std::runtime_error("stored state is unknown");
  r.state = *st;
  r.version = q.version;
  r.received_on = must_date(q.received_on);
  if (q.due_ind == soci::i_ok) r.reply_due = must_date(q.reply_due);
  r.due_provisional = q.provisional != 0;
  if (q.concluded_ind == soci::i_ok) r.concluded_on = must_date(q.concluded_on);
  if (q.outcome_ind == soci::i_ok) r.outcome = q.outcome;
  if (q.assignee_ind == soci::i_ok) r.assignee = q.assignee;
  return r;
}

std::vector<stored_transition> load_transitions(connection& c, long long case_id) {
  std::vector<stored_transition> out;
  soci::rowset<soci::row> rows =
      (c.sql.prepare << "SELECT seq, event, from_state, to_state, actor_role, actor, occurred_at, effective_on, payload, "
                        "report_key FROM transitions WHERE case_id = :c ORDER BY seq",
       soci::use(case_id));
  for (const auto& row : rows) {
    stored_transition t;
    t.seq = static_cast<int>(row_integer(row, 0));
    t.event = row.get<std::string>(1);
    if (row.get_indicator(2) == soci::i_ok) t.from = parse_state(row.get<std::string>(2));
    t.to = parse_state(row.get<std::string>(3)).value_or(case_state::received);
    t.actor_role = row.get<std::string>(4);
    t.actor = row.get<std::string>(5);
    t.occurred_at_ms = row_integer(row, 6);
    t.effective_on = must_date(row.get<std::string>(7));
    t.payload = row.get<std::string>(8);
    if (row.get_indicator(9) == soci::i_ok) t.report_key = row.get<std::string>(9);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

deadlines cases::clocks_of(const std::vector<stored_transition>& stored, const working_calendar& cal) {
  return compute_deadlines(machine_history(stored), cal);
}

case_history cases::machine_history(const std::vector<stored_transition>& stored) {
  case_history h;
  for (const auto& t : stored) {
    auto kind = parse_event(t.event);
    if (!kind) continue;  // bookkeeping rows such as calendar_updated
    auto r = parse_role(t.actor_role).value_or(role::system);
    h.push_back(transition_record{static_cast<int>(h.size()) + 1, event_from_payload(*kind, t.effective_on, r, t.payload),
                                  t.from, t.to});
  }
  return h;
}

namespace {

figures::logged logged_of(const stored_transition& t) {
  return {t.event, t.occurred_at_ms, t.effective_on, t.report_key};
}

// Appends a transition after `before` (the case's log so far), with what it adds to the report figures.
void append(connection& c, long long case_id, const std::vector<stored_transition>& before, std::string_view event,
            std::optional<case_state> from, case_state to, const actor& who, date on, const std::string& payload,
            long long now_ms) {
  const int seq = before.empty() ? 1 : before.back().seq + 1;
  auto& ins = c.prepared<insert_transition>();
  ins.case_id = case_id;
  ins.seq = seq;
  ins.event = std::string(event);
  ins.from_state = from ? std::string(to_string(*from)) : std::string();
  ins.from_ind = from ? soci::i_ok : soci::i_null;
  ins.to_state = std::string(to_string(to));
  ins.actor_role = std::string(to_string(who.role));
  ins.actor = who.name;
  ins.occurred_at = now_ms;
  ins.effective_on = format_date(on);
  ins.payload = payload;
  ins.report_key = report_key_of(event, payload);
  ins.key_ind = ins.report_key.empty() ? soci::i_null : soci::i_ok;
  ins.st.execute(true);
  std::vector<figures::logged> logged;
  for (const auto& t : before) logged.push_back(logged_of(t));
  report_figures::add(c, case_id, figures::of_transition(logged, {ins.event, now_ms, on, ins.report_key}));
}

// The report figures read a few columns of the case row: what a change of the row adds to them.
class figures_of_case_row {
 public:
  figures_of_case_row(connection& c, long long id) : c_(c), id_(id), before_(report_figures::facts_of(c, id)) {}
  void changed() { report_figures::add(c_, id_, figures::of_case(before_, report_figures::facts_of(c_, id_))); }

 private:
  connection& c_;
  long long id_;
  std::optional<figures::case_facts> before_;
};

// Updates the case row from the clocks; false when its version moved on (someone else acted first).
bool store_case(connection& c, long long id, int version, case_state state, const deadlines& d, long long now_ms) {
  auto& up = c.prepared<update_case>();
  up.state = std::string(to_string(state));
  up.reply_due = d.reply.due ? format_date(*d.reply.due) : std::string();
  up.due_ind = d.reply.due ? soci::i_ok : soci::i_null;
  up.due_sort = d.reply.due ? up.reply_due : std::string(no_due_sort_key);
  up.provisional = d.reply.provisional ? 1 : 0;
  up.concluded_on = d.concluded && d.first_concluded_on ? format_date(*d.first_concluded_on) : std::string();
  up.concluded_ind = d.concluded && d.first_concluded_on ? soci::i_ok : soci::i_null;
  up.outcome = d.outcome;
  up.outcome_ind = d.outcome.empty() ? soci::i_null : soci::i_ok;
  const auto period = waiting_period_due(state, d);
  up.period_due = period ? format_date(*period) : std::string();
  up.period_ind = period ? soci::i_ok : soci::i_null;
  up.extension_pending = d.extension_days_pending;
  up.now = now_ms;
  up.id = id;
  up.version = version;
  up.st.execute(true);
  return up.st.get_affected_rows() == 1;
}

}  // namespace

namespace cases {

case_row create_in(connection& c, const std::string& tracking_no, const case_event& registration, const actor& who,
                   const working_calendar& cal, long long now_ms) {
  refuse_future_date(registration, now_ms);
  case_machine m(cal);
  auto v = m.fire(registration);
  if (!v.accepted) throw refusal_error(*v.refused);
  if (load_case(c, tracking_no)) throw domain_error(error_kind::conflict, "duplicate", "编号已存在");
  const std::string state(to_string(v.to)), received = format_date(registration.on);
  const long long created = now_ms;
  c.sql << "INSERT INTO cases (tracking_no, state, version, received_on, created_at, updated_at) "
           "VALUES (:t, :s, 0, :r, :c, :u)",
      soci::use(tracking_no), soci::use(state), soci::use(received), soci::use(created), soci::use(created);
  auto id = c.last_insert_id();
  append(c, id, {}, to_string(registration.kind), std::nullopt, v.to, who, registration.on, payload_json(registration),
         now_ms);
  figures_of_case_row row_figures(c, id);
  if (!store_case(c, id, 0, v.to, m.current_deadlines(), now_ms)) throw conflict();
  row_figures.changed();
  return *load_case(c, tracking_no);
}

// The applicant's notice of a new case is written once the application row exists (applications::file),
// so the notice can find the address; see applications.cpp.
void notify_registration(connection& c, const case_row& row, const case_event& registration,
                         const working_calendar& cal, long long now_ms) {
  case_machine m(cal);
  m.fire(registration);
  outbox::enqueue_for_event(c, row.id, row.tracking_no, 1, event_kind::register_case, registration, m.current_deadlines(),
                            now_ms);
  webhooks::enqueue_in(c, row.id, row.tracking_no, 1, std::string(to_string(event_kind::register_case)),
                       format_date(registration.on), std::string(to_string(row.state)), now_ms);
}

case_row create(database& db, const std::string& tracking_no, const case_event& registration, const actor& who,
                const working_calendar& cal, long long now_ms) {
  return db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    auto row = create_in(c, tracking_no, registration, who, cal, now_ms);
    tx.commit();
    return row;
  });
}

std::optional<case_row> find_on(connection& c, const std::string& tracking_no) { return load_case(c, tracking_no); }

std::optional<case_row> find(database& db, const std::string& tracking_no) {
  return db.run(database::access::read, [&](connection& c) { return load_case(c, tracking_no); });
}

std::vector<stored_transition> transitions_on(connection& c, long long case_id) { return load_transitions(c, case_id); }

std::vector<stored_transition> transitions(database& db, long long case_id) {
  return db.run(database::access::read, [&](connection& c) { return load_transitions(c, case_id); });
}

case_row fire(database& db, const std::string& tracking_no, std::optional<int> expected_version, const case_event& event,
              const actor& who, const working_calendar& cal, long long now_ms) {
  refuse_future_date(event, now_ms);
  return db.transact([&](connection& c) {
    auto row = load_case(c, tracking_no);
    if (!row) throw domain_error(error_kind::not_found, "not_found", "没有该申请");
    if (expected_version && *expected_version != row->version) throw conflict();
    auto stored = load_transitions(c, row->id);
    case_machine m(cal);
    m.restore(row->state, machine_history(stored));
    auto v = m.fire(event);
    if (!v.accepted) throw refusal_error(*v.refused);
    // The version check first: it takes the row lock, so a concurrent writer waits here and then
    // finds the version moved on.
    figures_of_case_row row_figures(c, row->id);
    if (!store_case(c, row->id, row->version, v.to, m.current_deadlines(), now_ms)) throw conflict();
    if (m.current_deadlines().concluded && row->reply_due) {
      // The first conclusion keeps the due date it was measured against (the on-time rate).
      const std::string due = format_date(*row->reply_due);
      c.sql << "UPDATE cases SET concluded_due = :d WHERE id = :i AND concluded_due IS NULL", soci::use(due),
          soci::use(row->id);
    }
    row_figures.changed();
    const int seq = stored.empty() ? 1 : stored.back().seq + 1;
    append(c, row->id, stored, to_string(event.kind), v.from, v.to, who, event.on, payload_json(event), now_ms);
    // The notice is written in the same transaction: committed together, or not at all.
    outbox::enqueue_for_event(c, row->id, tracking_no, seq, event.kind, event, m.current_deadlines(), now_ms);
    webhooks::enqueue_in(c, row->id, tracking_no, seq, std::string(to_string(event.kind)), format_date(event.on),
                         std::string(to_string(v.to)), now_ms);
    return *load_case(c, tracking_no);
  });
}

case_row record_in(connection& c, const std::string& tracking_no, std::optional<int> expected_version,
                   std::string_view event, const std::string& payload, const actor& who, long long now_ms,
                   const std::function<void(connection&, long long case_id)>& also) {
  auto row = load_case(c, tracking_no);
  if (!row) throw domain_error(error_kind::not_found, "not_found", "没有该申请：" + tracking_no);
  if (expected_version && *expected_version != row->version) throw conflict();
  soci::statement bump = (c.sql.prepare << "UPDATE cases SET version = version + 1, updated_at = :n "
                                           "WHERE id = :i AND version = :v",
                          soci::use(now_ms), soci::use(row->id), soci::use(row->version));
  bump.execute(true);
  if (bump.get_affected_rows() != 1) throw conflict();
  auto stored = load_transitions(c, row->id);
  append(c, row->id, stored, event, row->state, row->state, who, china_date(now_ms / 1000), payload, now_ms);
  if (also) also(c, row->id);
  return *load_case(c, tracking_no);
}

case_row record(database& db, const std::string& tracking_no, std::optional<int> expected_version, std::string_view event,
                const std::string& payload, const actor& who, long long now_ms,
                const std::function<void(connection&, long long case_id)>& also) {
  return db.transact(
      [&](connection& c) { return record_in(c, tracking_no, expected_version, event, payload, who, now_ms, also); });
}

int recompute_open_cases(database&, connection& c, const working_calendar& cal, const std::string& why, long long now_ms) {
  struct open_case {
    long long id;
    std::string tracking_no;
  };
  std::vector<open_case> open;
  {
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT id, tracking_no FROM cases WHERE state IN " + open_states_sql());
    for (const auto& r : rows) open.push_back({row_integer(r, 0), r.get<std::string>(1)});
  }
  int changed = 0;
  const actor system{role::system, "system"};
  for (const auto& oc : open) {
    auto row = load_case(c, oc.tracking_no);
    auto stored = load_transitions(c, oc.id);
    auto clocks = clocks_of(stored, cal);
    if (clocks.reply.due == row->reply_due && clocks.reply.provisional == row->due_provisional) continue;
    figures_of_case_row row_figures(c, row->id);
    if (!store_case(c, row->id, row->version, row->state, clocks, now_ms)) throw conflict();
    row_figures.changed();
    boost::json::object p{{"reason", why}};
    p["old_due"] = row->reply_due ? boost::json::value(format_date(*row->reply_due)) : boost::json::value(nullptr);
    p["new_due"] = clocks.reply.due ? boost::json::value(format_date(*clocks.reply.due)) : boost::json::value(nullptr);
    p["provisional"] = clocks.reply.provisional;
    const std::string payload = boost::json::serialize(p);
    auto today = stored.back().effective_on;  // the recomputation does not move the case's dates
    append(c, row->id, stored, calendar_updated, row->state, row->state, system, today, payload, now_ms);
    ++changed;
  }
  return changed;
}

}  // namespace cases

}  // namespace gongkai
