#pragma once
// The case state machine (Boost.MSM; its transition table is in case_machine.cpp). The machine decides
// whether an event is allowed in the current state, for the actor's role, with the guards that carry the
// law; the clocks are computed from the history by compute_deadlines. Pure code, no I/O.
#include "workflow/calendar.hpp"
#include "workflow/case.hpp"
#include "workflow/deadlines.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gongkai::workflow {

enum class refusal_kind {
  not_in_state,  // the event does not exist in this state (HTTP 409)
  forbidden,     // this role may not fire it (HTTP 403)
  invalid,       // a guard failed: a rule of law or a missing field (HTTP 422)
};

struct refusal {
  refusal_kind kind;
  std::string message;  // Chinese, says why
};

struct verdict {
  bool accepted = false;
  std::optional<case_state> from;
  case_state to = case_state::received;
  std::optional<refusal> refused;
};

class case_machine {
 public:
  explicit case_machine(const working_calendar& cal, deadline_settings settings = {});
  ~case_machine();
  case_machine(const case_machine&) = delete;
  case_machine& operator=(const case_machine&) = delete;

  // Puts a machine that has seen no event into a stored state, with that case's history (MSM's
  // set_states would copy state objects without changing the active state, so the machine has a
  // restore event from its initial pseudo-state to each state instead).
  void restore(case_state state, case_history history);

  // Fires one event. Accepted: the machine moves, and the event is appended to its history. Refused:
  // nothing changes and the verdict says why.
  verdict fire(const case_event& event);

  std::optional<case_state> state() const;  // empty before register/restore
  const case_history& history() const;
  const deadlines& current_deadlines() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Events that `r` may fire in state `s` (a guard may still refuse them for their fields or dates).
std::vector<event_kind> permitted_events(case_state s, role r, const working_calendar& cal);

}  // namespace gongkai::workflow
