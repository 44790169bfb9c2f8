#include "workflow/deadlines.hpp"

#include <algorithm>

namespace gongkai::workflow {

using std::chrono::days;

namespace {

std::string list_dates(const std::vector<date>& ds) {
  std::string s;
  for (auto d : ds) s += (s.empty() ? "" : "、") + format_date(d);
  return s;
}

// Explains a count of working days from `start` (not counted) to its end.
void explain_count(std::vector<std::string>& out, const day_count& c) {
  if (!c.holidays_crossed.empty())
    out.push_back("跨越法定节假日（不计入）：" + list_dates(c.holidays_crossed));
  if (!c.makeup_days_counted.empty())
    out.push_back("调休上班日（计入）：" + list_dates(c.makeup_days_counted));
  if (c.provisional)
    out.push_back("注意：所涉年份的节假日安排尚未载入，按周末推算，日期为暂定（provisional）");
}

clock counted_clock(date start, int n, const working_calendar& cal, const std::string& what) {
  clock c;
  auto count = add_working_days(cal, start, n);
  c.due = count.end;
  c.provisional = count.provisional;
  c.explanation.push_back(what + "：自 " + format_date(start) + " 起算（当日不计），" + std::to_string(n) +
                          " 个工作日，至 " + format_date(count.end) + "（" + weekday_name_zh(count.end) + "）");
  explain_count(c.explanation, count);
  return c;
}

// A period in calendar days or months that ends on a non-working day ends on the next working day
// (期间届满的最后一日是节假日的，以节假日后的第一日为期间届满的日期; 民事诉讼法 Art. 85, applied to
// 行政诉讼 by 行政诉讼法 Art. 101 and to 行政复议 by 行政复议法 Art. 88).
clock calendar_clock(date start, date nominal_end, const working_calendar& cal, const std::string& what) {
  clock c;
  auto end = next_working_day_on_or_after(cal, nominal_end);
  c.due = end;
  c.provisional = cal.is_provisional(nominal_end) || cal.is_provisional(end);
  c.explanation.push_back(what + "：自 " + format_date(start) + " 知道之日起算，至 " + format_date(nominal_end));
  if (end != nominal_end)
    c.explanation.push_back("期满日为节假日，顺延至 " + format_date(end) + "（" + weekday_name_zh(end) + "）");
  if (c.provisional) c.explanation.push_back("注意：所涉年份的节假日安排尚未载入，日期为暂定（provisional）");
  return c;
}

date add_months(date d, int months) {
  using namespace std::chrono;
  year_month_day ymd{d};
  auto ym = year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
  auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}};
  auto dd = std::min(ymd.day(), last.day());
  return sys_days{year_month_day{ym.year(), ym.month(), dd}};
}

struct pause_span {
  date from;  // the day the consultation was sent (the pause starts at its end)
  date to;    // the day the answer arrived (the pause ends at its end)
};

}  // namespace

bool deadlines::overdue(date today) const {
  return !concluded && !reply_paused && !reply_stopped && reply.due && today > *reply.due;
}

int deadlines::overdue_working_days(date today, const working_calendar& cal) const {
  return overdue(today) ? working_days_between(cal, *reply.due, today) : 0;
}

clock reply_clock_from(date received, int days_allowed, const working_calendar& cal) {
  return counted_clock(received, days_allowed, cal, "答复期限（条例第三十三条）");
}

std::optional<date> waiting_period_due(case_state s, const deadlines& d) {
  switch (s) {
    case case_state::received: return d.corrections_requested == 0 ? d.correction_notice.due : std::nullopt;
    case case_state::correction_requested: return d.correction_period.due;
    case case_state::consulting: return d.consultation.due;
    default: return std::nullopt;
  }
}

deadlines compute_deadlines(const case_history& history, const working_calendar& cal, const deadline_settings& s) {
  deadlines out;
  out.reply_days_allowed = s.reply_days;
  std::optional<date> clock_start;
  std::vector<pause_span> pauses;
  // An open consultation (a pause not yet ended) and the day it began.
  bool pause_open = false;
  date open_pause{};
  std::vector<std::string> clock_notes;

  for (const auto& t : history) {
    const auto& e = t.event;
    switch (e.kind) {
      case event_kind::register_case:
        out.received = e.on;
        clock_start = e.on;
        out.correction_notice = counted_clock(e.on, s.correction_notice_days, cal, "补正告知期限（条例第三十条）");
        break;
      case event_kind::request_correction: {
        ++out.corrections_requested;
        out.reply_stopped = true;
        int period = e.days > 0 ? e.days : s.correction_period_days;
        out.correction_period = counted_clock(e.on, period, cal, "补正期限");
        break;
      }
      case event_kind::correction_received:
        // Art. 30: the reply period runs anew from the day the corrected application is received.
        out.reply_stopped = false;
        clock_start = e.on;
        pauses.clear();
        out.correction_period = {};
        clock_notes = {"收到补正后答复期限重新计算（条例第三十条）：自 " + format_date(e.on) + " 起算"};
        break;
      case event_kind::correction_expired:
      case event_kind::withdraw:
      case event_kind::answer: {
        out.concluded = true;
        out.reply_stopped = false;
        out.reply_paused = false;
        if (!out.first_concluded_on) out.first_concluded_on = e.on;
        out.outcome = e.kind == event_kind::answer ? e.outcome
                      : e.kind == event_kind::withdraw ? std::string(outcome_withdrawn)
                                                       : std::string(outcome_abandoned_correction);
        if (e.kind == event_kind::answer) {
          out.reconsideration = calendar_clock(e.on, e.on + days{s.reconsideration_days}, cal,
                                               "申请行政复议期限（60日，行政复议法第二十条）");
          // 复议前置 (行政复议法 (2023) Art. 23): no direct litigation, so no litigation clock runs yet.
          if (remedies_for(e.outcome, e.on, "").reconsideration_first)
            out.litigation = {std::nullopt, false,
                              {"不予公开决定须先申请行政复议（行政复议法第二十三条），对复议决定不服的，"
                               "自收到复议决定书之日起15日内提起行政诉讼"}};
          else
            out.litigation = calendar_clock(e.on, add_months(e.on, s.litigation_months), cal,
                                            "提起行政诉讼期限（6个月，行政诉讼法第四十六条）");
        }
        break;
      }
      case event_kind::consult:
        open_pause = e.on;
        pause_open = true;
        out.reply_paused = true;
        out.consultation = counted_clock(e.on, s.consultation_days, cal, "征求意见答复期限（条例第三十二条）");
        break;
      case event_kind::consultation_answered:
      case event_kind::consultation_expired:
        if (pause_open) pauses.push_back({open_pause, e.on});
        pause_open = false;
        out.reply_paused = false;
        out.consultation = {};
        break;
      case event_kind::request_extension:
        out.extension_days_pending = e.days;
        break;
      case event_kind::approve_extension:
        out.extension_days_granted += out.extension_days_pending;
        out.reply_days_allowed += out.extension_days_pending;
        clock_notes.push_back("经负责人批准延长答复期限 " + std::to_string(out.extension_days_pending) +
                              " 个工作日（条例第三十三条第二款），" + format_date(e.on) + " 批准");
        out.extension_days_pending = 0;
        break;
      case event_kind::refuse_extension:
        out.extension_days_pending = 0;
        break;
      case event_kind::file_appeal:
        out.pending_appeal = e.appeal;
        break;
      case event_kind::decide_appeal:
        if (out.pending_appeal == appeal_kind::reconsideration) out.reconsideration_decided = true;
        out.pending_appeal.reset();
        if (e.result == appeal_result::corrected) {
          // The decision reopens the case with a period of its own.
          out.concluded = false;
          out.outcome.clear();
          out.reconsideration = {};
          out.litigation = {};
          clock_start = e.on;
          pauses.clear();
          // A date the decision sets that is not a working day moves to the next working day, never back
          // to an earlier one (a period ending on a holiday ends on the first working day after it).
          std::optional<date> set_due;
          if (e.new_due) set_due = next_working_day_on_or_after(cal, *e.new_due);
          out.reply_days_allowed =
              set_due ? std::max(1, working_days_between(cal, e.on, *set_due)) : (e.days > 0 ? e.days : s.reply_days);
          out.extension_days_granted = 0;
          clock_notes = {"复议/诉讼决定纠正，" + format_date(e.on) + " 重新办理，期限 " +
                         std::to_string(out.reply_days_allowed) + " 个工作日"};
          if (set_due && *set_due != *e.new_due)
            clock_notes.push_back("决定的期限 " + format_date(*e.new_due) + " 为非工作日，顺延至 " + format_date(*set_due) +
                                  "（" + weekday_name_zh(*set_due) + "）");
        }
        break;
      case event_kind::accept:
      case event_kind::close:
        break;
    }
  }

  if (!clock_start || out.concluded) return out;
  // Count the reply period from clock_start, skipping paused days: a pause covers the day after a
  // consultation is sent through the day its answer arrives ([Gongkai rule], Art. 32).
  auto paused = [&](date d) {
    for (const auto& p : pauses)
      if (d > p.from && d <= p.to) return true;
    return pause_open && d > open_pause;
  };
  std::vector<date> holidays, makeups, paused_days;
  bool provisional = false;
  int counted = 0;
  date d = *clock_start;
  const date horizon = *clock_start + days{3660};
  while (counted < out.reply_days_allowed && d < horizon) {
    d += days{1};
    if (paused(d)) {
      if (pause_open) break;  // the clock stands still until the answer arrives
      if (cal.is_working_day(d)) paused_days.push_back(d);
      continue;
    }
    if (cal.is_provisional(d)) provisional = true;
    if (cal.is_working_day(d)) {
      ++counted;
      if (weekday_of(d) >= 6) makeups.push_back(d);
    } else if (weekday_of(d) <= 5) {
      holidays.push_back(d);
    }
  }
  out.reply_days_counted = counted;
  auto& ex = out.reply.explanation;
  ex.push_back("答复期限（条例第三十三条）：自 " + format_date(*clock_start) + " 起算（当日不计），" +
               std::to_string(out.reply_days_allowed) + " 个工作日");
  ex.insert(ex.end(), clock_notes.begin(), clock_notes.end());
  if (!paused_days.empty())
    ex.push_back("征求意见期间不计入（条例第三十二条）：" + std::to_string(paused_days.size()) + " 个工作日（" +
                 list_dates(paused_days) + "）");
  if (!holidays.empty()) ex.push_back("跨越法定节假日（不计入）：" + list_dates(holidays));
  if (!makeups.empty()) ex.push_back("调休上班日（计入）：" + list_dates(makeups));
  if (out.reply_stopped) {
    ex.push_back("等待申请人补正：答复期限在收到补正之日起重新计算");
  } else if (pause_open) {
    ex.push_back("正在征求意见：已用 " + std::to_string(counted) + " 个工作日，剩余 " +
                 std::to_string(out.reply_days_allowed - counted) + " 个工作日在收到意见后继续计算");
  } else {
    out.reply.due = d;
    ex.push_back("答复截止日：" + format_date(d) + "（" + weekday_name_zh(d) + "）");
  }
  out.reply.provisional = provisional;
  if (provisional) ex.push_back("注意：所涉年份的节假日安排尚未载入，按周末推算，日期为暂定（provisional）");
  return out;
}

}  // namespace gongkai::workflow
