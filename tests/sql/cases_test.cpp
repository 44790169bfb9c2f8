// Cases and the transition log, on SQLite and on MariaDB from the same source.
#include <catch2/catch.hpp>

#include "server/http.hpp"
#include "sql/cases.hpp"
#include "tests/support/prepared_database.hpp"
#include "tests/support/test_db.hpp"
#include "tests/workflow/support.hpp"

#include <boost/json/parse.hpp>

#include <atomic>
#include <latch>
#include <thread>

using namespace gongkai;
using namespace gongkai::workflow;
using test::day;
using test::event;
using test::clerk;
using test::applicant;

namespace {

const actor head{role::supervisor, "head"};

struct fixture : test::prepared_database {
  case_row create(const std::string& no, const char* received) {
    auto e = event(event_kind::register_case, received, role::applicant);
    e.channel = "online";
    return cases::create(db, no, e, applicant, cal, unix_now_ms());
  }
  case_row fire(const std::string& no, case_event e, const actor& who, std::optional<int> version = std::nullopt) {
    if (e.actor_role != who.role && who.role != role::applicant) e.actor_role = who.role;
    return cases::fire(db, no, version, e, who, cal, unix_now_ms());
  }
  int count_transitions(long long case_id) {
    return db.run(database::access::read, [&](connection& c) {
      int n = 0;
      c.sql << "SELECT COUNT(*) FROM transitions WHERE case_id = :c", soci::use(case_id), soci::into(n);
      return n;
    });
  }
};

http::http_error refused(const std::function<void()>& f) {
  try {
    f();
  } catch (const domain_error& e) {
    return http::as_http_error(e);  // the status the one error map gives it
  }
  FAIL("the event was not refused");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("the built-in calendar is stored at first start and loads back the same", "[storage]") {
  fixture f;
  auto builtin = working_calendar(parse_schedules(embedded::builtin_holidays()));
  CHECK(f.cal.loaded_years() == builtin.loaded_years());
  for (date d = day("2018-12-25"); d <= day("2027-01-10"); d += std::chrono::days{1}) {
    REQUIRE(f.cal.is_working_day(d) == builtin.is_working_day(d));
    REQUIRE(f.cal.is_provisional(d) == builtin.is_provisional(d));
  }
  calendar_store::ensure_builtin(f.db, unix_now_ms());  // a second start changes nothing
  CHECK(calendar_store::load(f.db).loaded_years().size() == 8);
}

TEST_CASE("each accepted event is one transition and one case update", "[storage]") {
  fixture f;
  auto c = f.create("2026-000001", "2026-09-25");
  CHECK(c.state == case_state::received);
  CHECK(c.version == 1);
  CHECK(format_date(*c.reply_due) == "2026-10-29");
  c = f.fire("2026-000001", event(event_kind::accept, "2026-09-28"), clerk, 1);
  CHECK(c.state == case_state::under_review);
  CHECK(c.version == 2);
  auto answer = event(event_kind::answer, "2026-10-09");
  answer.outcome = "3.4";
  answer.reply_text = "经征求第三方意见，涉及商业秘密，不予公开。";
  answer.legal_basis = "《中华人民共和国政府信息公开条例》第十五条";
  c = f.fire("2026-000001", answer, head, 2);
  CHECK(c.state == case_state::answered);
  CHECK(c.outcome == "3.4");
  CHECK(format_date(*c.concluded_on) == "2026-10-09");
  CHECK_FALSE(c.reply_due);

  auto log = cases::transitions(f.db, c.id);
  REQUIRE(log.size() == 3);
  CHECK(log[0].seq == 1);
  CHECK(log[0].event == "register");
  CHECK_FALSE(log[0].from);
  CHECK(log[1].event == "accept");
  CHECK(log[1].from == case_state::received);
  CHECK(log[1].to == case_state::under_review);
  CHECK(log[1].actor == "clerk");
  CHECK(log[1].actor_role == "staff");
  CHECK(log[2].seq == 3);
  CHECK(log[2].actor_role == "supervisor");
  CHECK(format_date(log[2].effective_on) == "2026-10-09");
  auto payload = boost::json::parse(log[2].payload);
  CHECK(payload.at("outcome") == "3.4");
  CHECK(payload.at("reply_text") == "经征求第三方意见，涉及商业秘密，不予公开。");
  CHECK(log[2].occurred_at_ms >= log[1].occurred_at_ms);
}

TEST_CASE("a refused event writes nothing and says why, with its status", "[storage]") {
  fixture f;
  auto c = f.create("2026-000002", "2026-03-02");
  auto not_in_state = refused([&] { f.fire("2026-000002", event(event_kind::close, "2026-03-03"), clerk); });
  CHECK(not_in_state.status == http::status::conflict);
  CHECK(not_in_state.code == "not_allowed_in_state");
  auto forbidden = refused([&] { f.fire("2026-000002", event(event_kind::accept, "2026-03-03", role::applicant), applicant); });
  CHECK(forbidden.status == http::status::forbidden);
  auto rule = refused([&] { f.fire("2026-000002", event(event_kind::request_correction, "2026-03-03"), clerk); });
  CHECK(rule.status == http::status::unprocessable_entity);
  CHECK(std::string(rule.what()).find("补正") != std::string::npos);
  auto missing = refused([&] { f.fire("2026-999999", event(event_kind::accept, "2026-03-03"), clerk); });
  CHECK(missing.status == http::status::not_found);
  CHECK(f.count_transitions(c.id) == 1);
  CHECK(cases::find(f.db, "2026-000002")->version == 1);
  CHECK(refused([&] { f.create("2026-000002", "2026-03-02"); }).status == http::status::conflict);
}

TEST_CASE("a stale version is a conflict, never a lost update", "[storage]") {
  fixture f;
  f.create("2026-000003", "2026-03-02");
  f.fire("2026-000003", event(event_kind::accept, "2026-03-03"), clerk, 1);
  auto stale = refused([&] { f.fire("2026-000003", event(event_kind::withdraw, "2026-03-04", role::applicant), applicant, 1); });
  CHECK(stale.status == http::status::conflict);
  CHECK(stale.code == "conflict");
  CHECK(cases::find(f.db, "2026-000003")->state == case_state::under_review);
}

TEST_CASE("two actors firing at the same case at once: one transition, the other a conflict", "[storage]") {
  fixture f;
  // Two database objects: separate connections (and on MariaDB, separate server sessions).
  auto second = f.s.open(2);
  constexpr int cases_n = 30;
  for (int i = 0; i < cases_n; ++i) f.create("2026-1" + std::to_string(10000 + i), "2026-03-02");

  for (bool with_version : {true, false}) {
    std::atomic<int> accepted{0}, conflicts{0}, other{0};
    for (int i = 0; i < cases_n; ++i) {
      const std::string no = "2026-1" + std::to_string(10000 + i);
      auto before = cases::find(f.db, no);
      std::optional<int> version = with_version ? std::optional<int>(before->version) : std::nullopt;
      // Both actors try to move the case out of its current state.
      auto ev = before->state == case_state::received ? event(event_kind::accept, "2026-03-03")
                                                      : event(event_kind::withdraw, "2026-03-04", role::staff);
      std::latch start(2);
      auto actor_thread = [&](database& db) {
        start.arrive_and_wait();
        try {
          cases::fire(db, no, version, ev, clerk, f.cal, unix_now_ms());
          ++accepted;
        } catch (const domain_error& e) {
          if (http::status_of(e) == http::status::conflict) ++conflicts;
          else ++other;
        }
      };
      std::thread a(actor_thread, std::ref(f.db)), b(actor_thread, std::ref(*second));
      a.join();
      b.join();
    }
    INFO("with expected version: " << with_version);
    CHECK(accepted == cases_n);
    CHECK(conflicts == cases_n);
    CHECK(other == 0);
  }
  // The log: every case has exactly its three transitions, numbered 1..3, no duplicates.
  for (int i = 0; i < cases_n; ++i) {
    auto row = cases::find(f.db, "2026-1" + std::to_string(10000 + i));
    auto log = cases::transitions(f.db, row->id);
    REQUIRE(log.size() == 3);
    for (int k = 0; k < 3; ++k) CHECK(log[k].seq == k + 1);
    CHECK(row->state == case_state::withdrawn);
    CHECK(row->version == 3);
  }
}

TEST_CASE("a case restored from storage behaves like the one that got there by events", "[storage]") {
  fixture f;
  f.create("2026-000004", "2026-03-02");
  f.fire("2026-000004", event(event_kind::accept, "2026-03-03"), clerk);
  auto consult = event(event_kind::consult, "2026-03-09");
  consult.party = "市自然资源局";
  f.fire("2026-000004", consult, clerk);
  auto row = f.fire("2026-000004", event(event_kind::consultation_answered, "2026-03-20"), clerk);
  CHECK(format_date(*row.reply_due) == "2026-04-13");  // the pause is not counted
  auto too_early = refused([&] { f.fire("2026-000004", event(event_kind::consultation_expired, "2026-03-21", role::system), {role::system, "system"}); });
  CHECK(too_early.status == http::status::conflict);  // no longer consulting
}

TEST_CASE("loading a new year's schedule recomputes open cases and records it in their history", "[storage]") {
  fixture f;
  // Entered on 2026-12-22 (events may not be dated after the day they are entered).
  const long long dec22 = (std::chrono::duration_cast<std::chrono::seconds>(day("2026-12-22").time_since_epoch()).count() + 4 * 3600) * 1000;
  auto reg = event(event_kind::register_case, "2026-12-20", role::applicant);
  reg.channel = "online";
  auto open = cases::create(f.db, "2026-000005", reg, applicant, f.cal, dec22);
  CHECK(format_date(*open.reply_due) == "2027-01-15");
  CHECK(open.due_provisional);
  auto closed = cases::create(f.db, "2026-000006", reg, applicant, f.cal, dec22);
  auto w = event(event_kind::withdraw, "2026-12-21", role::applicant);
  cases::fire(f.db, "2026-000006", std::nullopt, w, applicant, f.cal, dec22);

  // A 2027 schedule with New Year's Day bridged to Monday 01-04 and a make-up Saturday 01-09.
  auto years = parse_schedules(R"({"2027": {"off_days": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"],
                                            "makeup_workdays": ["2027-01-09"]}})");
  int changed = calendar_store::import(f.db, years, "test-2027.json", unix_now_ms());
  CHECK(changed == 1);
  f.cal = calendar_store::load(f.db);  // what the server does when the calendar changes
  auto after = cases::find(f.db, "2026-000005");
  CHECK(format_date(*after->reply_due) == "2027-01-18");
  CHECK_FALSE(after->due_provisional);
  CHECK(after->version == open.version + 1);
  auto log = cases::transitions(f.db, after->id);
  REQUIRE(log.back().event == "calendar_updated");
  CHECK(log.back().actor_role == "system");
  auto p = boost::json::parse(log.back().payload);
  CHECK(p.at("old_due") == "2027-01-15");
  CHECK(p.at("new_due") == "2027-01-18");
  CHECK(cases::transitions(f.db, cases::find(f.db, "2026-000006")->id).back().event == "withdraw");
  // The case still accepts events after the bookkeeping row.
  auto accept = event(event_kind::accept, "2026-12-22");
  CHECK(cases::fire(f.db, "2026-000005", std::nullopt, accept, clerk, f.cal, dec22).state == case_state::under_review);
  CHECK(calendar_store::import(f.db, years, "again", unix_now_ms()) == 0);  // nothing left to change
}

TEST_CASE("the transition log is append-only, enforced by the database", "[storage]") {
  fixture f;
  auto c = f.create("2026-000007", "2026-03-02");
  CHECK_THROWS(f.db.run(database::access::write, [&](connection& conn) {
    conn.sql << "UPDATE transitions SET event = 'accept' WHERE case_id = :c", soci::use(c.id);
  }));
  CHECK_THROWS(f.db.run(database::access::write, [&](connection& conn) {
    conn.sql << "DELETE FROM transitions WHERE case_id = :c", soci::use(c.id);
  }));
  CHECK(f.count_transitions(c.id) == 1);
}

#include "app/sweeper.hpp"

TEST_CASE("two sweepers at once fire each due time event exactly once", "[storage]") {
  fixture f;
  auto second = f.s.open(2);
  constexpr int n = 20;
  for (int i = 0; i < n; ++i) {
    auto no = "2026-2" + std::to_string(10000 + i);
    f.create(no, "2026-03-02");
    auto ask = event(event_kind::request_correction, "2026-03-03");  // period ends 2026-03-24
    ask.items = "补充";
    f.fire(no, ask, clerk);
  }
  f.create("2026-300000", "2026-03-02");
  f.fire("2026-300000", event(event_kind::accept, "2026-03-03"), clerk);
  auto consult = event(event_kind::consult, "2026-03-04");  // the third party's 15 wd end 2026-03-25
  consult.party = "某公司";
  f.fire("2026-300000", consult, clerk);
  f.create("2026-300001", "2026-03-20");  // nothing due
  auto ask = event(event_kind::request_correction, "2026-03-23");
  ask.items = "补充";
  f.fire("2026-300001", ask, clerk);

  const long long on_the_24th = (std::chrono::duration_cast<std::chrono::seconds>(day("2026-03-24").time_since_epoch()).count() + 4 * 3600) * 1000;
  CHECK(sweeper::sweep(f.db, f.cal, on_the_24th).fired == 0);  // the last day of a period is still inside it

  const long long later = on_the_24th + 2 * 86400 * 1000LL;  // 2026-03-26
  sweeper::result a, b;
  std::latch start(2);
  std::thread t1([&] { start.arrive_and_wait(); a = sweeper::sweep(f.db, f.cal, later); });
  std::thread t2([&] { start.arrive_and_wait(); b = sweeper::sweep(*second, f.cal, later); });
  t1.join();
  t2.join();
  CHECK(a.fired + b.fired == n + 1);
  for (int i = 0; i < n; ++i) {
    auto row = cases::find(f.db, "2026-2" + std::to_string(10000 + i));
    CHECK(row->state == case_state::answered);
    CHECK(row->outcome == "6.1");
    int expired = 0;
    for (const auto& t : cases::transitions(f.db, row->id)) expired += t.event == "correction_expired";
    CHECK(expired == 1);
    CHECK(cases::transitions(f.db, row->id).back().actor_role == "system");
  }
  CHECK(cases::find(f.db, "2026-300000")->state == case_state::under_review);
  CHECK(cases::find(f.db, "2026-300001")->state == case_state::correction_requested);
  CHECK(sweeper::sweep(f.db, f.cal, later).fired == 0);  // nothing left to do
}

#include "sql/applications.hpp"
#include "sql/outbox.hpp"

TEST_CASE("notices are written with the transition that causes them; without an address they are kept", "[storage]") {
  fixture f;
  application with_email, without_email;
  for (auto* a : {&with_email, &without_email}) {
    a->name = "王芳";
    a->phone = "13800138000";
    a->address = "北京市";
    a->description = "某文件";
    a->info_form = "electronic";
    a->delivery = "download";
  }
  with_email.email = "wang@example.cn";
  auto one = applications::file(f.db, with_email, "online", day("2026-03-02"), "", applicant, f.cal, unix_now_ms());
  auto two = applications::file(f.db, without_email, "online", day("2026-03-02"), "", applicant, f.cal, unix_now_ms());
  auto first = outbox::for_case(f.db, one.row.id);
  REQUIRE(first.size() == 1);
  CHECK(first[0].kind == "received");
  CHECK(first[0].status == "pending");
  CHECK(first[0].recipient == "wang@example.cn");
  auto second = outbox::for_case(f.db, two.row.id);
  REQUIRE(second.size() == 1);
  CHECK(second[0].status == "kept");
  // A refused event writes no notice; an accepted one writes exactly one.
  CHECK_THROWS(f.fire(one.row.tracking_no, event(event_kind::request_correction, "2026-03-03"), clerk));  // no items
  CHECK(outbox::for_case(f.db, one.row.id).size() == 1);
  auto ask = event(event_kind::request_correction, "2026-03-03");
  ask.items = "请补充";
  f.fire(one.row.tracking_no, ask, clerk);
  auto after = outbox::for_case(f.db, one.row.id);
  REQUIRE(after.size() == 2);
  CHECK(after[1].kind == "correction_requested");
  // Claimed by one sender, invisible to another until its claim lapses.
  auto mine = outbox::claim_due(f.db, unix_now_ms(), 10);
  CHECK(mine.size() == 2);
  CHECK(outbox::claim_due(f.db, unix_now_ms(), 10).empty());
  outbox::mark_sent(f.db, mine[0].id, unix_now_ms());
  outbox::mark_attempt_failed(f.db, mine[1].id, 0, "relay down", unix_now_ms());
  CHECK(outbox::claim_due(f.db, unix_now_ms(), 10).empty());                 // retried in 30 s
  CHECK(outbox::claim_due(f.db, unix_now_ms() + 31'000, 10).size() == 1);
}
