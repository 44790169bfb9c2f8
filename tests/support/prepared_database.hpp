#pragma once
// What storage tests start from: a scratch database, migrated, with the stored calendar loaded; and the
// instant tests use when they pretend an event was entered on its own day.
#include "sql/cases.hpp"
#include "tests/support/test_db.hpp"

#include <chrono>

namespace gongkai::test {

// Noon, China time (04:00 UTC), of a date, as Unix milliseconds.
inline long long noon_ms(workflow::date d) {
  return (std::chrono::duration_cast<std::chrono::seconds>(d.time_since_epoch()).count() + 4 * 3600) * 1000;
}

// The actors storage tests fire events as.
inline const actor clerk{workflow::role::staff, "clerk"};
inline const actor applicant{workflow::role::applicant, "applicant"};

struct prepared_database {
  scratch_database s;
  database& db = s.db();
  workflow::working_calendar cal;
  prepared_database() {
    prepare_database(db, unix_now_ms());
    cal = calendar_store::load(db);
  }
};

}  // namespace gongkai::test
