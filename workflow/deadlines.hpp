#pragma once
// Every clock the law sets on a case, computed from its history and the working-day calendar. A pure
// function: no clock is read inside; "today" is a parameter where it matters.
#include "workflow/calendar.hpp"
#include "workflow/case.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gongkai::workflow {

struct deadline_settings {
  int reply_days = 20;              // Art. 33: 20 working days
  int correction_notice_days = 7;   // Art. 30: ask for a correction within 7 working days
  int correction_period_days = 15;  // [Gongkai rule] default correction period, configurable
  int consultation_days = 15;       // Art. 32/34: 15 working days for the consulted party
  int max_extension_days = 20;      // Art. 33: at most 20 working days in total
  int reconsideration_days = 60;    // 行政复议法 (2023) Art. 20: 60 days
  int litigation_months = 6;        // 行政诉讼法 Art. 46: 6 months
};

// One clock: its due date (if it runs), whether that date rests on an unconfirmed calendar year, and
// how it was counted, in Chinese, for staff and applicants alike.
struct clock {
  std::optional<date> due;
  bool provisional = false;
  std::vector<std::string> explanation;
};

struct deadlines {
  std::optional<date> received;
  clock reply;                     // 答复期限
  bool reply_paused = false;       // a consultation is open: the reply clock stands still
  bool reply_stopped = false;      // a correction is awaited: the clock restarts when it arrives
  int reply_days_counted = 0;      // working days already used (as of the last event)
  int reply_days_allowed = 20;     // 20 + approved extensions (or the period set by a reopening decision)
  clock correction_notice;         // 补正告知期限 (receipt + 7 wd)
  clock correction_period;         // 补正期限 (while a correction is awaited)
  clock consultation;              // 征求意见期限 (while a consultation is open)
  clock reconsideration;           // 行政复议期限 (after an answer)
  clock litigation;                // 行政诉讼期限 (after an answer)
  int corrections_requested = 0;
  int extension_days_granted = 0;
  int extension_days_pending = 0;  // asked for, not yet decided
  bool concluded = false;
  std::optional<date> first_concluded_on;  // the annual report counts a case once, at its first conclusion
  std::string outcome;
  std::optional<appeal_kind> pending_appeal;
  bool reconsideration_decided = false;

  // Past the end of the reply due date (Asia/Shanghai) and not concluded.
  bool overdue(date today) const;
  // How many working days past the reply due date `today` is (0 unless overdue; 0 on the days off right
  // after the due date).
  int overdue_working_days(date today, const working_calendar& cal) const;
};

// The last day of the period a case in state `s` waits on, if any: received, the correction notice window
// (Art. 30); correction_requested, the correction period; consulting, the third party's period (Art. 32).
std::optional<date> waiting_period_due(case_state s, const deadlines& d);

deadlines compute_deadlines(const case_history& history, const working_calendar& cal,
                            const deadline_settings& settings = {});

// The due date and explanation for a plain reply period from a receipt date (`gongkai deadline`).
clock reply_clock_from(date received, int days, const working_calendar& cal);

}  // namespace gongkai::workflow
