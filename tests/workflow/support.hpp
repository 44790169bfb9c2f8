#pragma once
#include "core/embedded.hpp"
#include "workflow/calendar.hpp"
#include "workflow/case.hpp"

#include <string>

namespace gongkai::test {

inline const workflow::working_calendar& builtin_calendar() {
  static const workflow::working_calendar cal(workflow::parse_schedules(embedded::builtin_holidays()));
  return cal;
}

inline workflow::date day(const char* iso) {
  auto d = workflow::parse_date(iso);
  if (!d) throw std::invalid_argument(iso);
  return *d;
}

inline workflow::case_event event(workflow::event_kind kind, const char* on,
                                  workflow::role actor = workflow::role::staff) {
  workflow::case_event e;
  e.kind = kind;
  e.on = day(on);
  e.actor_role = actor;
  return e;
}

}  // namespace gongkai::test
