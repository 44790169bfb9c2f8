#include <catch2/catch.hpp>

#include "tests/workflow/support.hpp"
#include "workflow/case_machine.hpp"
#include "workflow/deadlines.hpp"

using namespace gongkai;
using namespace gongkai::workflow;
using test::builtin_calendar;
using test::day;
using test::event;

namespace {

// Drives a machine through events; every event must be accepted.
struct story {
  case_machine m{builtin_calendar()};
  story& then(case_event e) {
    auto v = m.fire(e);
    INFO(std::string(to_string(e.kind)) << " on " << format_date(e.on) << ": "
                                        << (v.refused ? v.refused->message : std::string("accepted")));
    REQUIRE(v.accepted);
    return *this;
  }
  const deadlines& clocks() const { return m.current_deadlines(); }
  std::string reply_due() const { return clocks().reply.due ? format_date(*clocks().reply.due) : "-"; }
};

case_event with_days(case_event e, int days) {
  e.days = days;
  return e;
}
case_event with_items(case_event e) {
  e.items = "请写明所需信息的文号或名称";
  return e;
}
case_event with_party(case_event e) {
  e.party = "某第三方公司";
  return e;
}
case_event with_reason(case_event e) {
  e.reason = "需要调取档案";
  return e;
}
case_event answered_with(case_event e, const char* code) {
  e.outcome = code;
  e.reply_text = "经审查，予以公开。";
  return e;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

}  // namespace

TEST_CASE("reply due: 20 working days from receipt, the receipt day not counted", "[workflow]") {
  story s;
  s.then(event(event_kind::register_case, "2026-09-25", role::applicant));
  CHECK(s.reply_due() == "2026-10-29");
  CHECK(format_date(*s.clocks().correction_notice.due) == "2026-10-12");
  auto text = joined(s.clocks().reply.explanation);
  CHECK(text.find("2026-09-25 起算（当日不计）") != std::string::npos);
  CHECK(text.find("2026-10-01") != std::string::npos);  // holidays crossed are listed
  CHECK(text.find("调休上班日（计入）：2026-10-10") != std::string::npos);
  CHECK_FALSE(s.clocks().reply.provisional);
}

TEST_CASE("a due date beyond the loaded years is provisional and says so", "[workflow]") {
  story s;
  s.then(event(event_kind::register_case, "2026-12-20", role::applicant));
  CHECK(s.reply_due() == "2027-01-15");
  CHECK(s.clocks().reply.provisional);
  CHECK(joined(s.clocks().reply.explanation).find("provisional") != std::string::npos);
}

TEST_CASE("a correction stops the reply clock and restarts it from zero when the correction arrives", "[workflow]") {
  story s;
  s.then(event(event_kind::register_case, "2026-03-02", role::applicant));
  CHECK(s.reply_due() == "2026-03-30");
  s.then(with_items(event(event_kind::request_correction, "2026-03-04")));
  CHECK(s.clocks().reply_stopped);
  CHECK_FALSE(s.clocks().reply.due);
  CHECK(format_date(*s.clocks().correction_period.due) == "2026-03-25");  // default 15 wd from 03-04
  CHECK_FALSE(s.clocks().overdue(day("2026-12-31")));  // a stopped clock is never overdue
  s.then(event(event_kind::correction_received, "2026-03-10", role::applicant));
  CHECK(s.reply_due() == "2026-04-08");  // 20 wd from 03-10, not from 03-02
  CHECK(joined(s.clocks().reply.explanation).find("重新计算") != std::string::npos);
}

TEST_CASE("a consultation pauses the reply clock; the days already counted are kept", "[workflow]") {
  story s;
  s.then(event(event_kind::register_case, "2026-03-02", role::applicant))
      .then(event(event_kind::accept, "2026-03-03"))
      .then(with_party(event(event_kind::consult, "2026-03-09")));
  CHECK(s.clocks().reply_paused);
  CHECK_FALSE(s.clocks().reply.due);
  CHECK(s.clocks().reply_days_counted == 5);  // 03-03..03-06 and 03-09
  CHECK(format_date(*s.clocks().consultation.due) == "2026-03-30");
  CHECK_FALSE(s.clocks().overdue(day("2026-06-01")));
  s.then(event(event_kind::consultation_answered, "2026-03-20"));
  CHECK(s.reply_due() == "2026-04-13");  // 15 remaining wd counted from 03-23; without the pause: 03-30
  CHECK(joined(s.clocks().reply.explanation).find("征求意见期间不计入") != std::string::npos);
}

TEST_CASE("an approved extension adds working days after the current due date", "[workflow]") {
  story s;
  s.then(event(event_kind::register_case, "2026-03-02", role::applicant))
      .then(event(event_kind::accept, "2026-03-03"))
      .then(with_reason(with_days(event(event_kind::request_extension, "2026-03-20"), 10)));
  CHECK(s.reply_due() == "2026-03-30");  // asked, not yet approved
  CHECK(s.clocks().extension_days_pending == 10);
  s.then(event(event_kind::approve_extension, "2026-03-27", role::supervisor));
  CHECK(s.reply_due() == "2026-04-14");
  CHECK(s.clocks().extension_days_granted == 10);
  CHECK(joined(s.clocks().reply.explanation).find("延长答复期限 10 个工作日") != std::string::npos);
}

TEST_CASE("correction, consultation and extension combined across National Day", "[workflow]") {
  story s;
  s.then(event(event_kind::register_case, "2026-09-25", role::applicant))
      .then(with_items(event(event_kind::request_correction, "2026-09-28")));
  CHECK(format_date(*s.clocks().correction_period.due) == "2026-10-23");
  s.then(event(event_kind::correction_received, "2026-10-09", role::applicant))
      .then(with_party(event(event_kind::consult, "2026-10-12")))
      .then(event(event_kind::consultation_answered, "2026-10-23"))
      .then(with_reason(with_days(event(event_kind::request_extension, "2026-11-02"), 10)))
      .then(event(event_kind::approve_extension, "2026-11-03", role::supervisor));
  CHECK(s.reply_due() == "2026-12-02");
}

TEST_CASE("overdue is past the end of the due date and not concluded", "[workflow]") {
  story s;
  s.then(event(event_kind::register_case, "2026-03-02", role::applicant));
  CHECK_FALSE(s.clocks().overdue(day("2026-03-30")));
  CHECK(s.clocks().overdue(day("2026-03-31")));
  s.then(event(event_kind::accept, "2026-03-31"))
      .then(answered_with(event(event_kind::answer, "2026-04-01"), "1"));
  CHECK_FALSE(s.clocks().overdue(day("2026-04-02")));
  CHECK(s.clocks().concluded);
  CHECK(format_date(*s.clocks().first_concluded_on) == "2026-04-01");
}

TEST_CASE("appeal windows: 60 calendar days and 6 months, moved off holidays", "[workflow]") {
  auto windows = [](const char* answered_on) {
    story s;
    s.then(event(event_kind::register_case, answered_on, role::applicant))
        .then(answered_with(event(event_kind::answer, answered_on), "1"));
    return std::make_pair(format_date(*s.clocks().reconsideration.due), format_date(*s.clocks().litigation.due));
  };
  CHECK(windows("2026-09-01") == std::make_pair(std::string("2026-11-02"), std::string("2027-03-01")));
  CHECK(windows("2026-08-02") == std::make_pair(std::string("2026-10-08"), std::string("2027-02-02")));
  CHECK(windows("2025-12-03").first == "2026-02-02");
  CHECK(windows("2025-08-31").second == "2026-02-28");  // a make-up Saturday is a working day
  CHECK(windows("2025-04-01").second == "2025-10-09");  // 10-01 falls in National Day
}

TEST_CASE("conclusions carry their outcome: withdrawal 6.3, expired correction 6.1", "[workflow]") {
  story w;
  w.then(event(event_kind::register_case, "2026-03-02", role::applicant))
      .then(event(event_kind::withdraw, "2026-03-05", role::applicant));
  CHECK(w.clocks().outcome == "6.3");
  story e;
  e.then(event(event_kind::register_case, "2026-03-02", role::applicant))
      .then(with_items(event(event_kind::request_correction, "2026-03-03")))
      .then(event(event_kind::correction_expired, "2026-03-25", role::system));
  CHECK(e.clocks().outcome == "6.1");
  CHECK(e.m.state() == case_state::answered);
}

TEST_CASE("a reopening decision sets a new period and the first conclusion is kept", "[workflow]") {
  story s;
  s.then(event(event_kind::register_case, "2026-03-02", role::applicant))
      .then(event(event_kind::accept, "2026-03-03"))
      .then(answered_with(event(event_kind::answer, "2026-03-10"), "4.1"));
  auto appeal = event(event_kind::file_appeal, "2026-04-01");
  appeal.appeal = appeal_kind::reconsideration;
  s.then(appeal);
  auto decision = event(event_kind::decide_appeal, "2026-06-01");
  decision.result = appeal_result::corrected;
  decision.days = 15;
  s.then(decision);
  CHECK(s.m.state() == case_state::under_review);
  CHECK_FALSE(s.clocks().concluded);
  CHECK(s.reply_due() == "2026-06-23");  // 15 wd from 06-01 (Dragon Boat 06-19 off)
  CHECK(format_date(*s.clocks().first_concluded_on) == "2026-03-10");
}

TEST_CASE("a reopening decision's date on a non-working day moves to the next working day, never earlier", "[workflow]") {
  auto reopened = [](const char* decided, const char* new_due) {
    story s;
    s.then(event(event_kind::register_case, "2025-06-03", role::applicant))
        .then(event(event_kind::accept, "2025-06-04"))
        .then(answered_with(event(event_kind::answer, "2025-06-10"), "4.1"));
    auto appeal = event(event_kind::file_appeal, "2025-07-01");
    appeal.appeal = appeal_kind::reconsideration;
    s.then(appeal);
    auto decision = event(event_kind::decide_appeal, decided);
    decision.result = appeal_result::corrected;
    decision.new_due = day(new_due);
    s.then(decision);
    INFO(joined(s.clocks().reply.explanation));
    return s.reply_due();
  };
  CHECK(reopened("2025-08-29", "2025-09-05") == "2025-09-05");  // a Friday stays
  CHECK(reopened("2025-08-29", "2025-09-06") == "2025-09-08");  // Saturday -> Monday, not Friday
  CHECK(reopened("2025-08-29", "2025-09-07") == "2025-09-08");  // Sunday -> Monday
  // National Day 2025-10-01..08 is off; 10-04 (a Saturday inside it) moves to Thursday 10-09.
  CHECK(reopened("2025-09-15", "2025-10-04") == "2025-10-09");
  CHECK(reopened("2025-09-15", "2025-10-01") == "2025-10-09");  // a weekday holiday
  CHECK(reopened("2025-09-15", "2025-10-11") == "2025-10-11");  // a make-up working Saturday stays
}
