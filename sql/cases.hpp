#pragma once
// Cases and their transition log, and the calendar as stored. Every accepted event is one transaction:
// append the transition, update the case row with a version check. A second actor working from the
// same version gets a conflict, never a lost update or a duplicate transition.
#include "sql/calendar_store.hpp"
#include "sql/database.hpp"
#include "workflow/case_machine.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gongkai {

struct case_row {
  long long id = 0;
  std::string tracking_no;
  workflow::case_state state = workflow::case_state::received;
  int version = 0;
  workflow::date received_on{};
  std::optional<workflow::date> reply_due;
  bool due_provisional = false;
  std::optional<workflow::date> concluded_on;
  std::string outcome;
  std::string assignee;  // the staff user handling the case, or empty
};

struct actor {
  workflow::role role;
  std::string name;  // a staff user name, "applicant" or "system"
};

// One stored transition, as the timeline shows it.
struct stored_transition {
  int seq = 0;
  std::string event;  // an event_kind name, or "calendar_updated" for a recomputation
  std::optional<workflow::case_state> from;
  workflow::case_state to{};
  std::string actor_role;
  std::string actor;
  long long occurred_at_ms = 0;
  workflow::date effective_on{};
  std::string payload;  // JSON
  std::string report_key;  // what the annual report counts (0005_reports.sql), or empty
};

namespace cases {

// The machine's history: the stored transitions that are machine events (bookkeeping rows skipped).
workflow::case_history machine_history(const std::vector<stored_transition>& stored);
// Every clock of a case from its stored log (the case row keeps the ones lists need; this is for one
// case's page, its letters as they stood, and recomputations after a calendar change).
workflow::deadlines clocks_of(const std::vector<stored_transition>& stored, const workflow::working_calendar& cal);

// Registers a case (its register_case event is transition 1). Throws domain_error (conflict) if the tracking
// number exists, 422 if the machine refuses the event.
case_row create(database& db, const std::string& tracking_no, const workflow::case_event& registration,
                const actor& who, const workflow::working_calendar& cal, long long now_ms);

// The same, inside the caller's write transaction on `c`.
case_row create_in(connection& c, const std::string& tracking_no, const workflow::case_event& registration,
                   const actor& who, const workflow::working_calendar& cal, long long now_ms);

// Writes the applicant's notice of receipt for a case created on `c` (after its application row).
void notify_registration(connection& c, const case_row& row, const workflow::case_event& registration,
                         const workflow::working_calendar& cal, long long now_ms);

std::optional<case_row> find(database& db, const std::string& tracking_no);
std::optional<case_row> find_on(connection& c, const std::string& tracking_no);
std::vector<stored_transition> transitions(database& db, long long case_id);
std::vector<stored_transition> transitions_on(connection& c, long long case_id);

// Fires one event. With expected_version, a case that changed since is a 409 conflict. A refusal by
// the machine is 409 (not in this state), 403 (role) or 422 (a rule), with the machine's message.
case_row fire(database& db, const std::string& tracking_no, std::optional<int> expected_version,
              const workflow::case_event& event, const actor& who, const workflow::working_calendar& cal,
              long long now_ms);

// Appends a bookkeeping transition (assign, note): the state does not change, the version does, so a
// concurrent change is a conflict like any other. `also` runs in the same transaction.
case_row record(database& db, const std::string& tracking_no, std::optional<int> expected_version, std::string_view event,
                const std::string& payload_json, const actor& who, long long now_ms,
                const std::function<void(connection&, long long case_id)>& also = {});

// The same, inside the caller's write transaction on `c` (several changes that stand or fall together).
case_row record_in(connection& c, const std::string& tracking_no, std::optional<int> expected_version,
                   std::string_view event, const std::string& payload_json, const actor& who, long long now_ms,
                   const std::function<void(connection&, long long case_id)>& also = {});

// Recomputes the due date of every open case under `cal`; each case whose date changes gets a
// calendar_updated transition. Returns how many changed. Runs inside the caller's transaction.
int recompute_open_cases(database& db, connection& c, const workflow::working_calendar& cal, const std::string& why,
                         long long now_ms);

}  // namespace cases

}  // namespace gongkai
