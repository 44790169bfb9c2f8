#pragma once
// What the staff page families share: the acting role and assignment rules, building and firing an
// event from submitted fields, the navigation bar, <select> options.
#include "server/auth.hpp"
#include "server/templates.hpp"
#include "sql/staff.hpp"
#include "workflow/case_machine.hpp"

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gongkai::staff {

// The names every page family of this side uses.
namespace json = boost::json;
using namespace workflow;
using http::status;
using http::verb;
using kainjow::mustache::data;

inline const std::string case_changed = "此案件已被他人更新，请刷新后重试";

std::shared_ptr<const workflow::working_calendar> calendar(request_context& ctx);
bool is_supervisor(const user& u);
// The machine roles this user may act in.
std::vector<workflow::role> machine_roles(const user& u);
// Which events exist in each state for each role (the transition table, computed once).
const std::set<workflow::event_kind>& permitted(workflow::case_state s, workflow::role r);
std::optional<workflow::role> acting_role(const user& u, workflow::case_state s, workflow::event_kind k);
// Staff act on their own cases; supervisors on any (403 not_assigned).
void require_handler(const user& u, const case_row& row);
// Builds an event from submitted fields (form or JSON, as strings), dated `today` unless "on" says
// otherwise. 422 for a malformed field.
workflow::case_event event_from_fields(workflow::event_kind kind, const std::map<std::string, std::string>& f,
                                       workflow::role r, workflow::date today);
int parse_version(const std::string& v);
// A JSON body's members as strings (integers as their digits), as the staff API takes fields; 422
// invalid_fields naming any member of another type. Arrays are left to the caller.
std::map<std::string, std::string> json_fields(request_context& ctx);
// Working days from `today` to a case's due date: negative once it is past (queue page and API).
int working_days_left(const workflow::working_calendar& cal, workflow::date today, workflow::date due);
// "2026-03-01.42": where a queue page ends, as the next page's link (after=) carries it; nullopt otherwise.
std::optional<staff_store::queue_cursor> parse_queue_cursor(const std::string& v);
// Fires an event for a staff user: the acting role, the assignment rule, the version check.
case_row fire_for(request_context& ctx, const user& u, const std::string& tracking_no, const std::string& event_name,
                  const std::map<std::string, std::string>& fields, int version);
// The enabled staff accounts as <select> options, `selected` marked (assignment forms).
template_data staff_options(request_context& ctx, const std::string& selected);
// The navigation bar's data: who is logged in, the form token, which menus they see.
template_data nav(request_context& ctx, const user& u);

// The options of a <select> over an enumeration (value, Chinese label, selected).
template <class Range>
template_data select_options(const Range& values, const std::string& selected) {
  template_data list{template_data::type::list};
  for (auto v : values) {
    template_data o;
    o.set("value", std::string(to_string(v)));
    o.set("label", std::string(name_zh(v)));
    o.set("selected", selected == to_string(v));
    list.push_back(o);
  }
  return list;
}

// Each page family adds its routes (server/staff_login.cpp, queue.cpp, case_page.cpp, registration.cpp,
// dashboard.cpp, staff_api.cpp).
void add_login_routes(router& r);
void add_queue_routes(router& r);
void add_case_routes(router& r);
void add_registration_routes(router& r);
void add_dashboard_routes(router& r);
void add_staff_api_routes(router& r);  // server/staff_api.cpp

}  // namespace gongkai::staff
