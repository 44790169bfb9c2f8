#pragma once
// What the staff case page and the staff JSON API share: the whole staff view of a case, and the actions
// on a case besides its events (claim, assign, note, reveal), each rule in one place.
#include "server/staff_common.hpp"
#include "sql/applications.hpp"
#include "workflow/deadlines.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gongkai::staff {

// An event a user may fire from the case page, and the inputs its form shows.
struct event_form {
  workflow::event_kind kind;
  std::vector<const char*> fields;
};
const std::vector<event_form>& event_forms();

struct case_detail {
  case_row row;
  std::vector<stored_transition> log;
  workflow::deadlines clocks;
  std::optional<workflow::application> app;
  bool may_see_identity = false;  // the assignee or a supervisor may reveal masked fields
  bool handler = false;           // the assignee or a supervisor may act on the case
  bool overdue = false;           // past the reply due date, not answered (Art. 33)
  int overdue_working_days = 0;
  std::vector<const event_form*> allowed;  // the events the machine allows now, for this user's roles
  bool can_claim = false, can_assign = false;
};

// A timeline step's name for staff: the event's name, or the bookkeeping row's.
std::string step_name_zh(const stored_transition& t);

// 404 if there is no such case.
case_detail load_detail(request_context& ctx, const user& u, const std::string& tracking_no);

// A staff member takes an unassigned case (a supervisor may take any): 403 without the staff role, 409
// already_assigned, 409 conflict on a stale version.
void claim(request_context& ctx, const user& u, const std::string& tracking_no, int version);
// A supervisor assigns (or, with an empty name, unassigns): 403 otherwise, 422 for an unknown or disabled
// account or one without the staff role.
void assign(request_context& ctx, const user& u, const std::string& tracking_no, int version, const std::string& to);
// Several cases to one staff member, all or none (supervisors).
std::vector<case_row> assign_many(request_context& ctx, const user& u, const std::vector<std::string>& tracking_numbers,
                                  const std::string& to);
// An internal note by the case's handler: 1 to 5,000 characters of valid text (422 otherwise).
void note(request_context& ctx, const user& u, const std::string& tracking_no, int version, const std::string& text);
// Records that this user saw the unmasked identity number and phone (the handler only: 403 otherwise).
void reveal(request_context& ctx, const user& u, const case_row& row);

}  // namespace gongkai::staff
