#pragma once
// The sweeper: fires the machine's time events for every case whose clock has run out (a correction
// period that ended: 逾期不补正; a consultation whose 15 working days passed), as the system actor,
// through the same transition code as a person's action. Safe on any number of instances: each event
// is fired with the version the sweeper read, so only one instance's transition is stored.
#include "sql/cases.hpp"

namespace gongkai::sweeper {

struct result {
  int fired = 0;      // time events stored by this run
  int conflicts = 0;  // cases another instance (or a person) changed first
};

result sweep(database& db, const workflow::working_calendar& cal, long long now_ms);

// Reminders, each written once (their dedupe keys make a repeat, from any instance, write nothing): to the
// assignee 3 working days before a reply is due, on the due date, and when it is overdue; to the
// applicant when the reply is overdue (with their remedies); and to each supervisor a daily digest of
// overdue cases and extensions waiting for approval. Returns how many notices were written.
int remind(database& db, const workflow::working_calendar& cal, long long now_ms);

}  // namespace gongkai::sweeper
