// The report figures kept with each event equal a full recomputation from the log, on random histories,
// on SQLite and on MariaDB (issue 12, item 5).
#include <catch2/catch.hpp>

#include "sql/applications.hpp"
#include "sql/report_figures.hpp"
#include "sql/reports.hpp"
#include "sql/statistics.hpp"
#include "tests/support/prepared_database.hpp"
#include "tests/workflow/support.hpp"

#include <atomic>
#include <cstdlib>
#include <thread>
#include <iostream>
#include <random>

using namespace gongkai;
using namespace gongkai::workflow;
using test::day;

namespace {

constexpr int first_year = 2023, last_year = 2027;

// One random case: its current date and the last instant an event of it was recorded.
struct random_case {
  std::string tracking_no;
  date on{};
  long long recorded_ms = 0;
  case_state state = case_state::received;
};

struct random_histories : test::prepared_database {
  std::mt19937 rng;
  std::vector<random_case> cases;
  long long late_across_year_end = 0, accepted = 0, refused = 0;

  explicit random_histories(unsigned seed) : rng(seed) {}

  int below(int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); }
  bool chance(int percent) { return below(100) < percent; }

  // When an event dated `on` is recorded: mostly its own day, sometimes weeks later (across a year end
  // when it falls in late December), never before the case's previous event.
  long long recording_time(random_case& k, date on) {
    long long at = test::noon_ms(on);
    if (chance(25)) {
      at += static_cast<long long>(below(60)) * 86'400'000LL;
      if (year_month_day_of(china_date(at / 1000)) != year_month_day_of(on)) ++late_across_year_end;
    }
    k.recorded_ms = std::max(at, k.recorded_ms + 1000);
    return k.recorded_ms;
  }
  static int year_month_day_of(date d) { return static_cast<int>(std::chrono::year_month_day{d}.year()); }

  void file(int i) {
    static const applicant_category categories[] = {applicant_category::natural_person, applicant_category::commercial,
                                                    applicant_category::research, applicant_category::public_interest,
                                                    applicant_category::legal_services, applicant_category::other};
    random_case k;
    k.on = day("2023-06-01") + std::chrono::days{below(3 * 365)};
    application a;
    a.category = categories[below(6)];
    a.name = "申请人" + std::to_string(i);
    a.phone = "13800138000";
    a.address = "北京市";
    a.description = "某文件";
    a.info_form = "paper";
    a.delivery = "post";
    auto filed = applications::file(db, a, "online", k.on, "", test::applicant, cal, recording_time(k, k.on));
    k.tracking_no = filed.row.tracking_no;
    cases.push_back(k);
  }

  // A plausible next event for the case's state (the machine may still refuse it: a rule or a period).
  std::optional<case_event> next_event(const random_case& k) {
    case_event e;
    e.actor_role = role::staff;
    auto pick = [&](std::initializer_list<event_kind> kinds) { return *(kinds.begin() + below(static_cast<int>(kinds.size()))); };
    switch (k.state) {
      case case_state::received:
        e.kind = pick({event_kind::accept, event_kind::accept, event_kind::request_correction, event_kind::answer,
                       event_kind::withdraw});
        break;
      case case_state::correction_requested:
        e.kind = pick({event_kind::correction_received, event_kind::correction_expired, event_kind::withdraw});
        break;
      case case_state::under_review:
        e.kind = pick({event_kind::answer, event_kind::answer, event_kind::request_extension, event_kind::approve_extension,
                       event_kind::refuse_extension, event_kind::consult, event_kind::withdraw});
        break;
      case case_state::consulting:
        e.kind = pick({event_kind::consultation_answered, event_kind::consultation_expired, event_kind::withdraw});
        break;
      case case_state::answered: e.kind = pick({event_kind::file_appeal, event_kind::file_appeal, event_kind::close}); break;
      case case_state::appealed: e.kind = event_kind::decide_appeal; break;
      default: return std::nullopt;
    }
    e.on = k.on + std::chrono::days{below(k.state == case_state::correction_requested ? 60 : 25)};
    switch (e.kind) {
      case event_kind::withdraw:
      case event_kind::correction_received: e.actor_role = role::applicant; e.reason = "撤回"; e.text = "补正材料"; break;
      case event_kind::correction_expired:
      case event_kind::consultation_expired: e.actor_role = role::system; break;
      case event_kind::approve_extension:
      case event_kind::refuse_extension: e.actor_role = role::supervisor; e.reason = "不批准"; break;
      case event_kind::request_extension: e.days = 1 + below(20); e.reason = "情况复杂"; break;
      case event_kind::request_correction: e.items = "身份证明"; break;
      case event_kind::consult: e.party = "第三方"; break;
      case event_kind::answer: {
        const auto& codes = outcome_codes();
        e.outcome = std::string(codes[below(static_cast<int>(codes.size()))].code);
        e.reply_text = "答复";
        e.withheld = "部分内容涉及个人隐私";
        e.legal_basis = "条例";
        break;
      }
      case event_kind::file_appeal:
        e.appeal = static_cast<appeal_kind>(below(3));
        break;
      case event_kind::decide_appeal:
        e.result = static_cast<appeal_result>(below(3));
        e.days = 10;
        break;
      default: break;
    }
    return e;
  }

  void step(random_case& k) {
    auto e = next_event(k);
    if (!e) return;
    try {
      const actor who{e->actor_role, e->actor_role == role::applicant ? "applicant" : "t"};
      auto row = cases::fire(db, k.tracking_no, std::nullopt, *e, who, cal, recording_time(k, e->on));
      k.state = row.state;
      k.on = e->on;
      ++accepted;
    } catch (const domain_error&) {
      ++refused;
    }
  }

  // Every year's annual tables and monthly statistics, from the figures and from the log.
  void check(const char* when) {
    INFO(when);
    for (int y = first_year; y <= last_year; ++y) {
      INFO("year " << y);
      const auto figures = reports::annual(db, y), log = reports::recompute_annual(db, y);
      CHECK(report::figures_json(figures) == report::figures_json(log));
      CHECK(report::differences(log, figures).empty());
      CHECK(figures.previous_carried_forward == log.previous_carried_forward);
      const auto monthly = statistics::for_year(db, y, cal), expected = statistics::recompute_for_year(db, y, cal);
      const auto diff = statistics::differences(expected, monthly);
      for (const auto& line : diff) UNSCOPED_INFO(line);
      CHECK(diff.empty());
    }
  }

  long long pending() {
    return db.run(database::access::read, [](connection& c) {
      long long n = 0;
      c.sql << "SELECT COUNT(*) FROM report_figure_deltas", soci::into(n);
      return n;
    });
  }
};

unsigned seed() {
  const char* s = std::getenv("GONGKAI_TEST_SEED");
  return s ? static_cast<unsigned>(std::stoul(s)) : 20261128u;
}

}  // namespace

TEST_CASE("report figures equal a recomputation from the log on random histories", "[storage]") {
  const unsigned s = seed();
  std::cout << "report figures: random histories with seed " << s << " (GONGKAI_TEST_SEED to repeat)\n";
  INFO("seed " << s);
  random_histories h(s);
  const int n = 160;
  for (int i = 0; i < n; ++i) h.file(i);
  for (int round = 0; round < 10; ++round) {
    for (auto& k : h.cases)
      if (h.chance(70)) h.step(k);
    if (round == 2) {
      // Part of the history folded, part still in deltas: reads must sum both.
      CHECK(report_figures::fold(h.db) > 0);
      h.check("after a fold, with deltas recorded since");
    }
  }
  INFO("events accepted " << h.accepted << ", refused " << h.refused << ", recorded late across a year end "
                          << h.late_across_year_end);
  CHECK(h.accepted > 2 * n);
  CHECK(h.late_across_year_end > 0);
  CHECK(h.pending() > 0);
  h.check("with deltas not folded");

  // A calendar change moves the due dates of open cases (and their overdue months).
  const working_calendar other;
  h.db.transact([&](connection& c) { return cases::recompute_open_cases(h.db, c, other, "test", test::noon_ms(day("2026-11-01"))); });
  h.check("after the due dates were recomputed under another calendar");

  CHECK(report_figures::fold(h.db) > 0);
  CHECK(h.pending() == 0);
  CHECK(report_figures::fold(h.db) == 0);
  h.check("all folded");

  // The fill that migration 0012 runs on an existing database gives the same figures.
  h.db.transact([](connection& c) { report_figures::rebuild(c); });
  h.check("rebuilt from the log");

  // The figures are not empty: the comparison above compared something.
  long long received = 0;
  for (int y = first_year; y <= last_year; ++y) received += reports::annual(h.db, y).at("received").values[6];
  CHECK(received == n);
}

TEST_CASE("report figures: the folded figures and the deltas add up; a fold that raced is refused", "[storage]") {
  test::prepared_database f;
  application a;
  a.category = applicant_category::research;
  a.name = "研究所";
  a.phone = "13800138000";
  a.address = "北京市";
  a.description = "某文件";
  a.info_form = "paper";
  a.delivery = "post";
  applications::file(f.db, a, "online", day("2025-12-30"), "", test::applicant, f.cal, test::noon_ms(day("2026-01-04")));
  // Received on 30 December, recorded on 4 January: it belongs to the year it was recorded in.
  CHECK(reports::annual(f.db, 2025).at("received").values[6] == 0);
  CHECK(reports::annual(f.db, 2026).at("received").values[2] == 1);
  CHECK(statistics::for_year(f.db, 2025, f.cal).received[11] == 1);  // the monthly figures go by date
  CHECK(report_figures::fold(f.db) > 0);
  applications::file(f.db, a, "online", day("2026-02-02"), "", test::applicant, f.cal, test::noon_ms(day("2026-02-02")));
  CHECK(reports::annual(f.db, 2026).at("received").values[2] == 2);
  CHECK(report_figures::fold(f.db) > 0);
  CHECK(reports::annual(f.db, 2026).at("received").values[2] == 2);
}

TEST_CASE("report figures: a case due on a month's last day is overdue from the next month's end", "[storage]") {
  test::prepared_database f;
  application a;
  a.name = "王芳";
  a.phone = "13800138000";
  a.address = "北京市";
  a.description = "某文件";
  a.info_form = "paper";
  a.delivery = "post";
  std::optional<date> due;
  for (date on = day("2025-01-02"); !due && on < day("2025-04-01"); on += std::chrono::days{1}) {
    auto row = applications::file(f.db, a, "online", on, "", test::applicant, f.cal, test::noon_ms(on)).row;
    auto ymd = std::chrono::year_month_day{*row.reply_due};
    if (std::chrono::year_month_day{*row.reply_due + std::chrono::days{1}}.month() != ymd.month()) due = row.reply_due;
  }
  REQUIRE(due);
  const int month = static_cast<int>(static_cast<unsigned>(std::chrono::year_month_day{*due}.month())) - 1;
  INFO("due " << format_date(*due));
  const auto figures = statistics::for_year(f.db, 2025, f.cal), log = statistics::recompute_for_year(f.db, 2025, f.cal);
  CHECK(statistics::differences(log, figures).empty());
  REQUIRE(month < 11);
  CHECK(figures.overdue_at_end[month + 1] > figures.overdue_at_end[month]);
}


TEST_CASE("migration 0012 fills an existing database from the log once, however many instances migrate at once",
          "[storage]") {
  random_histories h(seed() + 1);
  for (int i = 0; i < 40; ++i) h.file(i);
  for (int round = 0; round < 5; ++round)
    for (auto& k : h.cases) h.step(k);
  // The database as it was before this migration: the log, no figures.
  h.db.run(database::access::write, [](connection& c) {
    c.sql << "DELETE FROM schema_migrations WHERE version = 12";
    c.sql << "DELETE FROM report_figure_deltas";
    c.sql << "DELETE FROM report_figures";
  });
  long long before = 0;
  for (int y = first_year; y <= last_year; ++y) before += reports::annual(h.db, y).at("received").values[6];
  REQUIRE(before == 0);
  std::atomic<int> applied = 0;
  std::vector<std::thread> instances;
  for (int i = 0; i < 3; ++i)
    instances.emplace_back([&] {
      auto other = h.s.open(1);
      applied += other->migrate();
    });
  for (auto& t : instances) t.join();
  CHECK(applied == 1);
  h.check("after migration 0012 on an existing database");
  long long received = 0;
  for (int y = first_year; y <= last_year; ++y) received += reports::annual(h.db, y).at("received").values[6];
  CHECK(received == 40);
}
