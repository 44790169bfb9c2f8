// Which remedies an answer leaves open (条例 Art. 51; 行政复议法 (2023) Art. 23 in force 2024-01-01).
#include <catch2/catch.hpp>

#include "tests/workflow/support.hpp"
#include "workflow/case_machine.hpp"
#include "workflow/deadlines.hpp"

using namespace gongkai::workflow;
using namespace gongkai::test;

TEST_CASE("a refusal answered from 2024-01-01 goes to reconsideration first; other answers may go to court",
          "[workflow]") {
  auto refused = remedies_for("3.4", day("2024-01-01"), "某区人民政府");
  CHECK(refused.reconsideration_first);
  CHECK(refused.text_zh.find("应当自收到本答复书之日起60日内向某区人民政府申请行政复议") != std::string::npos);
  CHECK(refused.text_zh.find("15日内依法向人民法院提起行政诉讼") != std::string::npos);
  CHECK(refused.text_zh.find("6个月") == std::string::npos);
  // The day before the revised law took effect, a refusal could go straight to court.
  auto before = remedies_for("3.4", day("2023-12-31"), "某区人民政府");
  CHECK_FALSE(before.reconsideration_first);
  CHECK(before.text_zh.find("6个月内依法向人民法院提起行政诉讼") != std::string::npos);
  for (const char* open : {"1", "2", "4.1", "5.2", "6.1", "6.3"}) {
    INFO(open);
    CHECK_FALSE(remedies_for(open, day("2026-05-06"), "").reconsideration_first);
  }
  CHECK(remedies_for("1", day("2026-05-06"), "").text_zh.find("60日内依法申请行政复议") != std::string::npos);
}

TEST_CASE("no litigation clock runs for a refusal that must go to reconsideration first", "[workflow]") {
  auto answered = [](const char* outcome, const char* on) {
    case_machine m(builtin_calendar());
    m.fire(event(event_kind::register_case, on, role::applicant));
    auto answer = event(event_kind::answer, on);
    answer.outcome = outcome;
    answer.reply_text = "答复";
    REQUIRE(m.fire(answer).accepted);
    return m.current_deadlines();
  };
  auto refused = answered("3.1", "2025-09-26");  // National Day 10-01..08 inside the 60 days
  CHECK_FALSE(refused.litigation.due);
  REQUIRE_FALSE(refused.litigation.explanation.empty());
  CHECK(refused.litigation.explanation.front().find("须先申请行政复议") != std::string::npos);
  CHECK(format_date(*refused.reconsideration.due) == "2025-11-25");
  auto old_refusal = answered("3.1", "2023-12-29");
  REQUIRE(old_refusal.litigation.due);
  CHECK(format_date(*old_refusal.litigation.due) == "2024-07-01");  // 06-29 is a Saturday
  auto released = answered("1", "2025-09-26");
  REQUIRE(released.litigation.due);
}
