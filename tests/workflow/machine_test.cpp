#include <catch2/catch.hpp>

#include "tests/workflow/support.hpp"
#include "workflow/case_machine.hpp"

#include <map>
#include <set>

using namespace gongkai;
using namespace gongkai::workflow;
using test::builtin_calendar;
using test::day;
using test::event;

namespace {

// A complete, valid event of each kind (fields its guard asks for), by `actor` on `on`.
case_event valid(event_kind k, const char* on, role actor) {
  auto e = event(k, on, actor);
  switch (k) {
    case event_kind::request_correction: e.items = "请补充信息名称"; break;
    case event_kind::consult: e.party = "第三方企业"; break;
    case event_kind::request_extension: e.reason = "需协调多个部门"; e.days = 10; break;
    case event_kind::answer: e.outcome = "1"; e.reply_text = "予以公开"; break;
    case event_kind::file_appeal: e.appeal = appeal_kind::reconsideration; break;
    case event_kind::decide_appeal: e.result = appeal_result::upheld; break;
    default: break;
  }
  return e;
}

// The events that take a fresh case (received 2026-03-02) to each state.
std::vector<case_event> path_to(case_state s) {
  std::vector<case_event> p{valid(event_kind::register_case, "2026-03-02", role::applicant)};
  auto add = [&](event_kind k, const char* on, role r = role::staff) { p.push_back(valid(k, on, r)); };
  switch (s) {
    case case_state::received: break;
    case case_state::correction_requested: add(event_kind::request_correction, "2026-03-03"); break;
    case case_state::under_review: add(event_kind::accept, "2026-03-03"); break;
    case case_state::consulting: add(event_kind::accept, "2026-03-03"); add(event_kind::consult, "2026-03-04"); break;
    case case_state::answered: add(event_kind::accept, "2026-03-03"); add(event_kind::answer, "2026-03-05"); break;
    case case_state::appealed:
      add(event_kind::accept, "2026-03-03");
      add(event_kind::answer, "2026-03-05");
      add(event_kind::file_appeal, "2026-03-20");
      break;
    case case_state::closed: add(event_kind::accept, "2026-03-03"); add(event_kind::answer, "2026-03-05"); add(event_kind::close, "2026-03-06"); break;
    case case_state::withdrawn: add(event_kind::withdraw, "2026-03-03", role::applicant); break;
  }
  return p;
}

// Two machines in state s: one that got there by events, one restored from the first one's history.
struct twins {
  case_machine by_events{builtin_calendar()};
  case_machine restored{builtin_calendar()};
  explicit twins(case_state s) {
    for (const auto& e : path_to(s)) REQUIRE(by_events.fire(e).accepted);
    REQUIRE(by_events.state() == s);
    restored.restore(s, by_events.history());
    REQUIRE(restored.state() == s);
  }
  // Fires e on both; they must agree. Returns the verdict.
  verdict fire(const case_event& e) {
    auto a = by_events.fire(e);
    auto b = restored.fire(e);
    CHECK(a.accepted == b.accepted);
    CHECK(a.to == b.to);
    CHECK(a.refused.has_value() == b.refused.has_value());
    if (a.refused && b.refused) {
      CHECK(a.refused->kind == b.refused->kind);
      CHECK(a.refused->message == b.refused->message);
    }
    CHECK(by_events.state() == restored.state());
    return a;
  }
};

struct row {
  case_state from;
  event_kind event;
  role actor;
  case_state to;
  const char* on;
};

// Every row of the transition table (restore and register rows are covered by the restore tests).
const std::vector<row> table = {
    {case_state::received, event_kind::accept, role::staff, case_state::under_review, "2026-03-04"},
    {case_state::received, event_kind::request_correction, role::staff, case_state::correction_requested, "2026-03-04"},
    {case_state::received, event_kind::answer, role::staff, case_state::answered, "2026-03-02"},
    {case_state::received, event_kind::withdraw, role::applicant, case_state::withdrawn, "2026-03-04"},
    {case_state::correction_requested, event_kind::correction_received, role::applicant, case_state::under_review, "2026-03-10"},
    {case_state::correction_requested, event_kind::correction_expired, role::system, case_state::answered, "2026-03-25"},
    {case_state::correction_requested, event_kind::withdraw, role::applicant, case_state::withdrawn, "2026-03-10"},
    {case_state::under_review, event_kind::consult, role::staff, case_state::consulting, "2026-03-04"},
    {case_state::under_review, event_kind::request_extension, role::staff, case_state::under_review, "2026-03-20"},
    {case_state::under_review, event_kind::answer, role::supervisor, case_state::answered, "2026-03-20"},
    {case_state::under_review, event_kind::withdraw, role::staff, case_state::withdrawn, "2026-03-20"},
    {case_state::consulting, event_kind::consultation_answered, role::staff, case_state::under_review, "2026-03-10"},
    {case_state::consulting, event_kind::consultation_expired, role::system, case_state::under_review, "2026-03-26"},
    {case_state::consulting, event_kind::withdraw, role::applicant, case_state::withdrawn, "2026-03-10"},
    {case_state::answered, event_kind::file_appeal, role::staff, case_state::appealed, "2026-03-20"},
    {case_state::answered, event_kind::close, role::staff, case_state::closed, "2026-03-20"},
    {case_state::appealed, event_kind::decide_appeal, role::supervisor, case_state::answered, "2026-05-20"},
};

std::string describe(const row& r) {
  return std::string(to_string(r.from)) + " + " + std::string(to_string(r.event)) + " -> " + std::string(to_string(r.to));
}

}  // namespace

TEST_CASE("every row of the transition table, on a fresh and on a restored machine", "[workflow]") {
  for (const auto& r : table) {
    INFO(describe(r));
    twins t(r.from);
    auto v = t.fire(valid(r.event, r.on, r.actor));
    CHECK(v.accepted);
    CHECK(v.to == r.to);
    CHECK(t.by_events.history().size() == t.restored.history().size());
    CHECK(t.restored.history().back().event.kind == r.event);
    CHECK(t.restored.history().back().seq == static_cast<int>(t.restored.history().size()));
  }
}

TEST_CASE("the extension approval rows and the reopening decision", "[workflow]") {
  twins t(case_state::under_review);
  CHECK(t.fire(valid(event_kind::request_extension, "2026-03-20", role::staff)).accepted);
  CHECK(t.fire(event(event_kind::refuse_extension, "2026-03-23", role::supervisor)).accepted);
  CHECK(t.fire(valid(event_kind::request_extension, "2026-03-24", role::staff)).accepted);
  CHECK(t.fire(event(event_kind::approve_extension, "2026-03-25", role::supervisor)).accepted);
  CHECK(t.restored.current_deadlines().extension_days_granted == 10);

  twins a(case_state::appealed);
  auto reopen = valid(event_kind::decide_appeal, "2026-05-20", role::staff);
  reopen.result = appeal_result::corrected;
  reopen.new_due = day("2026-06-30");
  auto v = a.fire(reopen);
  CHECK(v.accepted);
  CHECK(v.to == case_state::under_review);
  CHECK(format_date(*a.restored.current_deadlines().reply.due) == "2026-06-30");
}

TEST_CASE("events outside the table are refused as not allowed in the state (409)", "[workflow]") {
  // The complete matrix: which events each state accepts at all, for a role that may fire them.
  const std::map<case_state, std::set<event_kind>> allowed = {
      {case_state::received, {event_kind::accept, event_kind::request_correction, event_kind::answer, event_kind::withdraw}},
      {case_state::correction_requested, {event_kind::correction_received, event_kind::correction_expired, event_kind::withdraw}},
      {case_state::under_review, {event_kind::consult, event_kind::request_extension, event_kind::approve_extension,
                                  event_kind::refuse_extension, event_kind::answer, event_kind::withdraw}},
      {case_state::consulting, {event_kind::consultation_answered, event_kind::consultation_expired, event_kind::withdraw}},
      {case_state::answered, {event_kind::file_appeal, event_kind::close}},
      {case_state::appealed, {event_kind::decide_appeal}},
      {case_state::closed, {}},
      {case_state::withdrawn, {}},
  };
  for (auto s : all_states) {
    std::set<event_kind> any_role;
    for (auto r : {role::applicant, role::staff, role::supervisor, role::system})
      for (auto k : permitted_events(s, r, builtin_calendar())) any_role.insert(k);
    INFO(to_string(s));
    CHECK(any_role == allowed.at(s));
    for (auto k : all_events) {
      if (allowed.at(s).count(k) || k == event_kind::register_case) continue;
      twins t(s);
      auto v = t.fire(valid(k, "2026-05-25", role::supervisor));
      INFO(to_string(k));
      REQUIRE(v.refused);
      CHECK(v.refused->kind == refusal_kind::not_in_state);
      CHECK(v.refused->message.find(std::string(name_zh(s))) != std::string::npos);
    }
  }
}

TEST_CASE("roles are part of the table (403)", "[workflow]") {
  struct attempt {
    case_state state;
    event_kind event;
    role actor;
  };
  for (auto a : std::vector<attempt>{
           {case_state::received, event_kind::accept, role::applicant},
           {case_state::received, event_kind::request_correction, role::system},
           {case_state::correction_requested, event_kind::correction_expired, role::staff},
           {case_state::under_review, event_kind::request_extension, role::supervisor},
           {case_state::under_review, event_kind::approve_extension, role::staff},
           {case_state::under_review, event_kind::answer, role::applicant},
           {case_state::consulting, event_kind::consultation_expired, role::supervisor},
           {case_state::answered, event_kind::close, role::applicant},
           {case_state::received, event_kind::withdraw, role::supervisor},
       }) {
    twins t(a.state);
    INFO(to_string(a.state) << " + " << to_string(a.event) << " by " << to_string(a.actor));
    auto v = t.fire(valid(a.event, "2026-03-25", a.actor));
    REQUIRE(v.refused);
    CHECK(v.refused->kind == refusal_kind::forbidden);
    CHECK(v.refused->message.find(std::string(name_zh(a.actor))) != std::string::npos);
    CHECK(t.restored.state() == a.state);  // nothing changed
  }
  CHECK(permitted_events(case_state::under_review, role::supervisor, builtin_calendar()) ==
        std::vector<event_kind>{event_kind::consult, event_kind::approve_extension, event_kind::refuse_extension,
                                event_kind::answer});
}

TEST_CASE("guard: a correction is asked once, within 7 working days of receipt (Art. 30)", "[workflow]") {
  case_machine late(builtin_calendar());
  REQUIRE(late.fire(valid(event_kind::register_case, "2026-09-25", role::applicant)).accepted);
  auto v = late.fire(valid(event_kind::request_correction, "2026-10-13", role::staff));
  REQUIRE(v.refused);
  CHECK(v.refused->kind == refusal_kind::invalid);
  CHECK(v.refused->message.find("2026-10-12") != std::string::npos);
  CHECK(late.fire(valid(event_kind::request_correction, "2026-10-12", role::staff)).accepted);  // the 7th wd

  // A case restored into `received` whose history already holds a correction request cannot ask again.
  case_machine twice(builtin_calendar());
  case_history h{{1, valid(event_kind::register_case, "2026-03-02", role::applicant), std::nullopt, case_state::received},
                 {2, valid(event_kind::request_correction, "2026-03-03", role::staff), case_state::received,
                  case_state::correction_requested}};
  twice.restore(case_state::received, h);
  auto again = twice.fire(valid(event_kind::request_correction, "2026-03-04", role::staff));
  REQUIRE(again.refused);
  CHECK(again.refused->message.find("一次性") != std::string::npos);

  twins empty(case_state::received);
  auto no_items = event(event_kind::request_correction, "2026-03-03");
  CHECK(empty.fire(no_items).refused->kind == refusal_kind::invalid);
}

TEST_CASE("guard: the correction period decides between correction and expiry", "[workflow]") {
  twins early(case_state::correction_requested);  // asked 2026-03-03: period ends 2026-03-24
  auto v = early.fire(event(event_kind::correction_expired, "2026-03-23", role::system));
  REQUIRE(v.refused);
  CHECK(v.refused->message.find("尚未届满") != std::string::npos);
  // The expiry is dated on the period's last day (the sweeper fires it once that day is over).
  twins on_last_day(case_state::correction_requested);
  CHECK(on_last_day.fire(event(event_kind::correction_expired, "2026-03-24", role::system)).accepted);
  twins late(case_state::correction_requested);
  auto too_late = late.fire(event(event_kind::correction_received, "2026-03-25", role::applicant));
  REQUIRE(too_late.refused);
  CHECK(too_late.refused->message.find("已于 2026-03-24 届满") != std::string::npos);
}

TEST_CASE("guard: extensions total at most 20 working days, asked and approved before the due date (Art. 33)",
          "[workflow]") {
  twins t(case_state::under_review);  // received 2026-03-02: due 2026-03-30
  auto ask = [&](int days, const char* on) {
    auto e = valid(event_kind::request_extension, on, role::staff);
    e.days = days;
    return t.fire(e);
  };
  CHECK(ask(15, "2026-03-10").accepted);
  auto pending = ask(5, "2026-03-10");
  REQUIRE(pending.refused);
  CHECK(pending.refused->message.find("等待审批") != std::string::npos);
  CHECK(t.fire(event(event_kind::approve_extension, "2026-03-11", role::supervisor)).accepted);
  auto over = ask(6, "2026-03-12");
  REQUIRE(over.refused);
  CHECK(over.refused->message.find("不得超过20个工作日") != std::string::npos);
  CHECK(ask(5, "2026-03-12").accepted);
  auto no_reason = valid(event_kind::request_extension, "2026-03-12", role::staff);
  no_reason.reason.clear();
  CHECK(t.fire(no_reason).refused);  // one is pending anyway
  // Due is now 2026-04-21 (20 + 15 wd); approving after it is refused.
  CHECK(format_date(*t.restored.current_deadlines().reply.due) == "2026-04-21");
  auto late = t.fire(event(event_kind::approve_extension, "2026-04-22", role::supervisor));
  REQUIRE(late.refused);
  CHECK(late.refused->message.find("届满前批准") != std::string::npos);
  CHECK(t.fire(event(event_kind::approve_extension, "2026-04-21", role::supervisor)).accepted);

  twins after_due(case_state::under_review);
  auto e = valid(event_kind::request_extension, "2026-03-31", role::staff);
  auto refused = after_due.fire(e);
  REQUIRE(refused.refused);
  CHECK(refused.refused->message.find("2026-03-30") != std::string::npos);

  twins none(case_state::under_review);
  CHECK(none.fire(event(event_kind::approve_extension, "2026-03-10", role::supervisor)).refused->message.find("没有等待审批") !=
        std::string::npos);
}

TEST_CASE("guard: an answer needs one outcome code, its sub-reason, and reply text (Art. 36-37)", "[workflow]") {
  auto answer = [](const char* code, const char* text, const char* withheld = "") {
    twins t(case_state::under_review);
    auto e = event(event_kind::answer, "2026-03-10");
    e.outcome = code;
    e.reply_text = text;
    e.withheld = withheld;
    return t.fire(e);
  };
  CHECK(answer("1", "予以公开").accepted);
  CHECK(answer("3.4", "涉及第三方合法权益，不予公开").accepted);
  CHECK(answer("2", "部分公开", "第3页涉及个人隐私").accepted);
  CHECK(answer("3", "不予公开").refused->message.find("具体理由") != std::string::npos);
  CHECK(answer("9.9", "x").refused->message.find("未知") != std::string::npos);
  CHECK(answer("", "x").refused->message.find("办理结果") != std::string::npos);
  CHECK(answer("1", "").refused->message.find("答复内容") != std::string::npos);
  CHECK(answer("2", "部分公开").refused->message.find("第三十七条") != std::string::npos);
}

TEST_CASE("guard: time events fire only after their period, and events cannot go back in time", "[workflow]") {
  twins consulting(case_state::consulting);  // consulted 2026-03-04: 15 wd end 2026-03-25
  CHECK(consulting.fire(event(event_kind::consultation_expired, "2026-03-24", role::system)).refused);
  CHECK(consulting.fire(event(event_kind::consultation_expired, "2026-03-25", role::system)).accepted);  // its last day

  twins t(case_state::under_review);
  auto v = t.fire(valid(event_kind::answer, "2026-03-01", role::staff));
  REQUIRE(v.refused);
  CHECK(v.refused->message.find("早于上一事件日期") != std::string::npos);
}

TEST_CASE("guard: appeals and their decisions", "[workflow]") {
  twins t(case_state::answered);
  auto after_recon = valid(event_kind::file_appeal, "2026-03-20", role::staff);
  after_recon.appeal = appeal_kind::litigation_after_reconsideration;
  CHECK(t.fire(after_recon).refused->message.find("须先有行政复议决定") != std::string::npos);
  auto no_kind = valid(event_kind::file_appeal, "2026-03-20", role::staff);
  no_kind.appeal.reset();
  CHECK(t.fire(no_kind).refused);
  CHECK(t.fire(valid(event_kind::file_appeal, "2026-03-20", role::staff)).accepted);  // reconsideration
  auto reopen_without_period = valid(event_kind::decide_appeal, "2026-05-20", role::staff);
  reopen_without_period.result = appeal_result::corrected;
  auto refused = t.fire(reopen_without_period);
  REQUIRE(refused.refused);
  CHECK(refused.refused->message.find("重新答复的期限") != std::string::npos);
  auto no_result = valid(event_kind::decide_appeal, "2026-05-20", role::staff);
  no_result.result.reset();
  CHECK(t.fire(no_result).refused->message.find("维持、纠正或其他") != std::string::npos);
  CHECK(t.fire(valid(event_kind::decide_appeal, "2026-05-20", role::staff)).to == case_state::answered);
  // After the reconsideration decision, a further appeal: litigation after reconsideration.
  CHECK(t.fire(after_recon).refused);  // dated before the decision
  after_recon.on = day("2026-05-25");
  CHECK(t.fire(after_recon).accepted);
}

TEST_CASE("restore puts a machine in any stored state and only once", "[workflow]") {
  for (auto s : all_states) {
    case_machine m(builtin_calendar());
    CHECK_FALSE(m.state());
    m.restore(s, {});
    CHECK(m.state() == s);
    CHECK_THROWS_AS(m.restore(case_state::received, {}), std::logic_error);
  }
  case_machine fresh(builtin_calendar());
  auto v = fresh.fire(valid(event_kind::accept, "2026-03-02", role::staff));
  REQUIRE(v.refused);
  CHECK(v.refused->kind == refusal_kind::not_in_state);
}

TEST_CASE("payloads survive a round trip through JSON", "[workflow]") {
  auto e = valid(event_kind::decide_appeal, "2026-05-20", role::supervisor);
  e.result = appeal_result::corrected;
  e.new_due = day("2026-06-30");
  e.reason = "复议机关责令重新答复 \"引号\"";
  auto back = event_from_payload(e.kind, e.on, e.actor_role, payload_json(e));
  CHECK(back.result == e.result);
  CHECK(back.new_due == e.new_due);
  CHECK(back.reason == e.reason);
  CHECK(payload_json(event(event_kind::accept, "2026-03-02")) == "{}");
}
