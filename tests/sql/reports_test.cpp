// The annual report from stored histories, on SQLite and on MariaDB.
#include <catch2/catch.hpp>

#include "sql/applications.hpp"
#include "sql/reports.hpp"
#include "tests/support/prepared_database.hpp"
#include "tests/support/test_db.hpp"
#include "tests/workflow/support.hpp"

#include <random>

using namespace gongkai;
using namespace gongkai::workflow;
using report::annual_tables;
using test::day;

namespace {

// Noon, China time, of a date: when the tests pretend each event was recorded.
long long recorded_at(date d) { return test::noon_ms(d); }

struct history_builder : test::prepared_database {
  int next = 1;
  std::string open(applicant_category category, const char* received) {
    char no[32];
    std::snprintf(no, sizeof no, "T-%06d", next++);
    case_event e;
    e.kind = event_kind::register_case;
    e.on = day(received);
    e.actor_role = role::applicant;
    auto row = cases::create(db, no, e, actor{role::applicant, "applicant"}, cal, recorded_at(e.on));
    const std::string cat(to_string(category));
    db.run(database::access::write, [&](connection& c) {
      c.sql << "INSERT INTO applications (case_id, category, name, phone, address, description, info_form, delivery, "
               "channel, access_code_hash, created_at) VALUES (:c, :k, 'x', '13800138000', 'x', 'x', 'paper', 'post', "
               "'online', 'h', 0)",
          soci::use(row.id), soci::use(cat);
    });
    return no;
  }
  void fire(const std::string& no, case_event e, long long at_ms = 0) {
    if (e.actor_role == role::applicant && e.kind != event_kind::withdraw && e.kind != event_kind::correction_received)
      e.actor_role = role::staff;
    cases::fire(db, no, std::nullopt, e, actor{e.actor_role, "t"}, cal, at_ms ? at_ms : recorded_at(e.on));
  }
  void simple(const std::string& no, event_kind k, const char* on, role r = role::staff) { fire(no, test::event(k, on, r)); }
  void answer(const std::string& no, const char* on, const char* code, long long at_ms = 0) {
    auto e = test::event(event_kind::answer, on);
    e.outcome = code;
    e.reply_text = "答复";
    if (std::string(code) == "2") e.withheld = "部分";
    fire(no, e, at_ms);
  }
  void appeal(const std::string& no, const char* on, appeal_kind k) {
    auto e = test::event(event_kind::file_appeal, on);
    e.appeal = k;
    fire(no, e);
  }
  void decide(const std::string& no, const char* on, appeal_result r) {
    auto e = test::event(event_kind::decide_appeal, on);
    e.result = r;
    e.days = 10;
    fire(no, e);
  }
};

using counts = report::counts;

}  // namespace

TEST_CASE("annual tables from hand-built histories: every row and column", "[storage]") {
  history_builder h;
  using C = applicant_category;
  auto a = h.open(C::natural_person, "2025-03-02");
  h.simple(a, event_kind::accept, "2025-03-03");
  h.answer(a, "2025-03-20", "1");
  auto b = h.open(C::commercial, "2024-12-20");  // received last year, answered this year
  h.simple(b, event_kind::accept, "2024-12-23");
  h.answer(b, "2025-01-10", "3.4");
  auto c = h.open(C::research, "2025-12-25");  // open at the year's end
  auto d = h.open(C::natural_person, "2025-05-06");
  h.simple(d, event_kind::withdraw, "2025-05-08", role::applicant);
  auto e = h.open(C::legal_services, "2025-06-02");  // correction never came
  auto ask = test::event(event_kind::request_correction, "2025-06-03");
  ask.items = "补充";
  h.fire(e, ask);
  h.simple(e, event_kind::correction_expired, "2025-07-01", role::system);
  auto f = h.open(C::public_interest, "2025-02-03");  // answered, corrected on reconsideration, answered again
  h.simple(f, event_kind::accept, "2025-02-04");
  h.answer(f, "2025-02-20", "4.1");
  h.appeal(f, "2025-03-01", appeal_kind::reconsideration);
  h.decide(f, "2025-04-01", appeal_result::corrected);
  h.answer(f, "2025-04-10", "1");
  auto g = h.open(C::other, "2024-06-03");  // concluded last year; sued this year, not decided
  h.answer(g, "2024-06-10", "1");
  h.appeal(g, "2025-01-15", appeal_kind::litigation);
  auto hh = h.open(C::natural_person, "2024-11-01");  // open through this year, answered next year
  h.simple(hh, event_kind::accept, "2024-11-04");
  auto i = h.open(C::commercial, "2025-08-04");  // reconsideration upheld, then litigation after it
  h.simple(i, event_kind::accept, "2025-08-05");
  h.answer(i, "2025-08-20", "2");
  h.appeal(i, "2025-09-01", appeal_kind::reconsideration);
  h.decide(i, "2025-10-09", appeal_result::upheld);
  h.appeal(i, "2025-10-10", appeal_kind::litigation_after_reconsideration);
  h.decide(i, "2025-12-01", appeal_result::other);

  auto t = reports::annual(h.db, 2025);
  //                                 自然人 商业 科研 公益 法律 其他 总计
  CHECK(t.at("received").values == counts{2, 1, 1, 1, 1, 0, 6});
  CHECK(t.at("carried_over").values == counts{1, 1, 0, 0, 0, 0, 2});
  CHECK(t.at("1").values == counts{1, 0, 0, 0, 0, 0, 1});
  CHECK(t.at("2").values == counts{0, 1, 0, 0, 0, 0, 1});
  CHECK(t.at("3.4").values == counts{0, 1, 0, 0, 0, 0, 1});
  CHECK(t.at("4.1").values == counts{0, 0, 0, 1, 0, 0, 1});  // counted once, at its first conclusion
  CHECK(t.at("6.1").values == counts{0, 0, 0, 0, 1, 0, 1});
  CHECK(t.at("6.3").values == counts{1, 0, 0, 0, 0, 0, 1});
  CHECK(t.at("3.1").values == counts{});
  CHECK(t.at("total").values == counts{2, 2, 0, 1, 1, 0, 6});
  CHECK(t.at("carried_forward").values == counts{1, 0, 1, 0, 0, 0, 2});
  CHECK(t.balanced());
  // Table 四: 维持, 纠正, 其他, 尚未审结, 总计.
  CHECK(t.appeals[0] == std::array<long long, 5>{1, 1, 0, 0, 2});  // 行政复议
  CHECK(t.appeals[1] == std::array<long long, 5>{0, 0, 0, 1, 1});  // 未经复议直接起诉
  CHECK(t.appeals[2] == std::array<long long, 5>{0, 0, 1, 0, 1});  // 复议后起诉

  auto last = reports::annual(h.db, 2024);
  CHECK(last.at("received").values == counts{1, 1, 0, 0, 0, 1, 3});
  CHECK(last.at("1").values == counts{0, 0, 0, 0, 0, 1, 1});
  CHECK(last.at("carried_forward").values == counts{1, 1, 0, 0, 0, 0, 2});
  CHECK(last.balanced());

  SECTION("a past year comes out the same after later events, and a frozen year flags differences") {
    auto before = report::figures_json(t);
    reports::freeze(h.db, 2025, t, "head", unix_now());
    CHECK_THROWS_AS(reports::freeze(h.db, 2025, t, "head", unix_now()), domain_error);
    h.answer(hh, "2026-01-05", "1");
    // Recorded in 2026 but dated in 2025: not part of the 2025 report as it was published.
    h.answer(c, "2025-12-30", "1", recorded_at(day("2026-01-06")));
    auto again = reports::annual(h.db, 2025);
    CHECK(report::figures_json(again) == before);
    auto frozen = reports::frozen(h.db, 2025);
    REQUIRE(frozen);
    CHECK(frozen->locked_by == "head");
    CHECK(report::differences(frozen->figures, again).empty());
    // A year computed with everything known now would differ; the frozen figures say how.
    auto changed = again;
    changed.applications.front().values[0] += 1;
    CHECK(report::differences(frozen->figures, changed) == std::vector<std::string>{"一、本年新收政府信息公开申请数量"});
    auto next = reports::annual(h.db, 2026);
    // hh, and c: its answer was entered after 2025's cut-off, so it concludes in 2026's figures.
    CHECK(next.at("carried_over").values == counts{1, 0, 1, 0, 0, 0, 2});
    CHECK(next.at("carried_over").values == again.at("carried_forward").values);
    CHECK(next.at("1").values == counts{1, 0, 1, 0, 0, 0, 2});
    CHECK(next.balanced());
  }
}

TEST_CASE("property: random histories balance in every column and match an independent count", "[storage]") {
  history_builder h;
  std::mt19937 rng(77);
  struct truth {
    applicant_category category;
    date received;
    std::optional<date> concluded;
    std::string outcome;
  };
  std::vector<truth> cases;
  const std::vector<std::string> codes = {"1", "2", "3.1", "3.4", "4.1", "4.2", "5.2", "6.3"};
  const applicant_category cats[] = {applicant_category::natural_person, applicant_category::commercial,
                                     applicant_category::research, applicant_category::public_interest,
                                     applicant_category::legal_services, applicant_category::other};
  for (int n = 0; n < 120; ++n) {
    date received = day("2024-01-02") + std::chrono::days{static_cast<int>(rng() % 1000)};
    while (!h.cal.is_working_day(received)) received += std::chrono::days{1};
    auto category = cats[rng() % 6];
    auto no = h.open(category, format_date(received).c_str());
    truth t{category, received, std::nullopt, ""};
    date on = received + std::chrono::days{1 + static_cast<int>(rng() % 20)};
    switch (rng() % 4) {
      case 0: break;  // still open
      case 1:
        h.simple(no, event_kind::withdraw, format_date(on).c_str(), role::applicant);
        t.concluded = on;
        t.outcome = "6.3";
        break;
      default: {
        h.simple(no, event_kind::accept, format_date(received).c_str());
        auto code = codes[rng() % codes.size()];
        h.answer(no, format_date(on).c_str(), code.c_str());
        t.concluded = on;
        t.outcome = code;
        if (rng() % 3 == 0) {  // appealed, corrected, answered again: still counted once
          date later = on + std::chrono::days{5};
          h.appeal(no, format_date(later).c_str(), appeal_kind::reconsideration);
          h.decide(no, format_date(later + std::chrono::days{10}).c_str(), appeal_result::corrected);
          h.answer(no, format_date(later + std::chrono::days{20}).c_str(), "1");
        }
      }
    }
    cases.push_back(t);
  }
  for (int year : {2024, 2025, 2026, 2027}) {
    auto t = reports::annual(h.db, year);
    INFO(year);
    CHECK(t.balanced());
    // The same figures counted directly from what the test generated.
    counts received{}, carried{}, total{}, forward{};
    std::map<std::string, long long> by_outcome;
    for (const auto& c : cases) {
      int col = static_cast<int>(c.category);
      auto count = [&](counts& x) {
        x[col]++;
        x[6]++;
      };
      if (year_of(c.received) > year) continue;
      if (c.concluded && year_of(*c.concluded) < year) continue;
      count(year_of(c.received) == year ? received : carried);
      if (c.concluded && year_of(*c.concluded) == year) {
        count(total);
        by_outcome[c.outcome]++;
      } else {
        count(forward);
      }
    }
    CHECK(t.at("received").values == received);
    CHECK(t.at("carried_over").values == carried);
    CHECK(t.at("total").values == total);
    CHECK(t.at("carried_forward").values == forward);
    for (const auto& [code, n] : by_outcome) CHECK(t.at(code).values[6] == n);
  }
}

#include "server/config.hpp"
#include "core/crypto.hpp"
#include "server/routes.hpp"
#include "sql/users.hpp"
#include "tests/support/http_client.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

TEST_CASE("the CLI, the API and the page give the same annual report, in the official layout", "[storage]") {
  history_builder h;
  auto a = h.open(applicant_category::natural_person, "2025-03-02");
  h.simple(a, event_kind::accept, "2025-03-03");
  h.answer(a, "2025-03-20", "3.4");
  h.open(applicant_category::commercial, "2025-11-03");
  auto id = users::create(h.db, "head", "负责人", crypto::hash_password("a long enough password"), {"supervisor"}, false, unix_now());
  auto token = sessions::open(h.db, id, unix_now(), 3600).token;
  auto clerk_id = users::create(h.db, "clerk", "承办人", crypto::hash_password("a long enough password"), {"staff"}, false, unix_now());
  auto clerk_token = sessions::open(h.db, clerk_id, unix_now(), 3600).token;
  calendar_cache cache;
  config cfg;
  services svc{&h.db, &cache, "k"};
  auto routes = make_routes();
  auto get = [&](const std::string& target, const std::string& session) {
    http::request req{http::verb::get, target, 11};
    req.set(boost::beast::http::field::cookie, "gk_session=" + session);
    return routes.dispatch(routes.find(req.method(), http::path_of(target)), req, cfg, svc, "x");
  };
  auto api = get("/api/v1/reports/annual/2025", token);
  REQUIRE(api.result() == http::status::ok);
  CHECK(get("/api/v1/reports/annual/2025", clerk_token).result() == http::status::forbidden);
  auto j = boost::json::parse(api.body());
  CHECK(j.at("balanced") == true);
  CHECK(j.at("table3").as_array()[0].at("values").as_array()[6] == 2);

  auto [code, cli] = test::run_gongkai({"report", "annual", "--year", "2025", "--format", "json", "--db", h.s.url()});
  REQUIRE(code == 0);
  CHECK(boost::json::parse(cli) == j);

  auto page = get("/staff/reports/annual/2025", token);
  REQUIRE(page.result() == http::status::ok);
  const auto& body = page.body();
  CHECK(body.find("<th colspan=\"3\" rowspan=\"3\">") != std::string::npos);
  CHECK(body.find("<th scope=\"row\" rowspan=\"22\">三、本年度办理结果</th>") != std::string::npos);
  CHECK(body.find("<th scope=\"row\" rowspan=\"8\">（三）不予公开</th><th scope=\"row\">1.属于国家秘密</th>") != std::string::npos);
  CHECK(body.find("<tr data-key=\"3.4\"><th scope=\"row\">4.保护第三方合法权益</th><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>") !=
        std::string::npos);
  CHECK(body.find("各列均成立") != std::string::npos);
  auto [hcode, html] = test::run_gongkai({"report", "annual", "--year", "2025", "--format", "html", "--db", h.s.url()});
  CHECK(html.find("<tr data-key=\"3.4\"><th scope=\"row\">4.保护第三方合法权益</th><td>1</td>") != std::string::npos);

  auto csv = get("/staff/reports/annual/2025.csv", token);
  CHECK(csv[boost::beast::http::field::content_type] == "text/csv; charset=utf-8");
  CHECK(csv.body().find("\"（三）不予公开 保护第三方合法权益\",1,0,0,0,0,0,1") != std::string::npos);
  auto [ccode, cli_csv] = test::run_gongkai({"report", "annual", "--year", "2025", "--format", "csv", "--db", h.s.url()});
  CHECK(cli_csv == csv.body());

  // Freezing: the page then shows the frozen figures and no freeze button.
  http::request post{http::verb::post, "/staff/reports/annual/2025/freeze", 11};
  post.set(boost::beast::http::field::cookie, "gk_session=" + token);
  post.set(boost::beast::http::field::content_type, "application/x-www-form-urlencoded");
  post.body() = "csrf=" + crypto::sign_form_token("k", "staff:" + crypto::token_hash(token).substr(0, 16), unix_now(), 60);
  post.prepare_payload();
  CHECK(routes.dispatch(routes.find(post.method(), "/staff/reports/annual/2025/freeze"), post, cfg, svc, "x").result() ==
        http::status::see_other);
  auto frozen_page = get("/staff/reports/annual/2025", token).body();
  CHECK(frozen_page.find("id=\"frozen\"") != std::string::npos);
  CHECK(frozen_page.find("id=\"freeze\"") == std::string::npos);
  CHECK(boost::json::parse(get("/api/v1/reports/annual/2025", token).body()).at("frozen").at("locked_by") == "head");
}

#include "server/statistics_page.hpp"
#include "sql/statistics.hpp"

TEST_CASE("monthly statistics and charts for the public, with no personal data", "[storage]") {
  history_builder h;
  using C = applicant_category;
  auto a = h.open(C::natural_person, "2025-03-02");
  h.simple(a, event_kind::accept, "2025-03-03");
  h.answer(a, "2025-03-20", "1");  // 13 working days
  auto b = h.open(C::commercial, "2024-12-20");
  h.simple(b, event_kind::accept, "2024-12-23");
  h.answer(b, "2025-01-10", "3.4");
  auto e = h.open(C::legal_services, "2025-06-02");
  auto ask = test::event(event_kind::request_correction, "2025-06-03");
  ask.items = "补充";
  h.fire(e, ask);
  h.simple(e, event_kind::correction_expired, "2025-07-01", role::system);
  auto late = h.open(C::natural_person, "2024-11-01");  // never answered: overdue at every month's end of 2025
  h.simple(late, event_kind::accept, "2024-11-04");
  auto ext = h.open(C::research, "2025-09-01");
  h.simple(ext, event_kind::accept, "2025-09-02");
  auto req = test::event(event_kind::request_extension, "2025-09-20");
  req.days = 5;
  req.reason = "档案";
  h.fire(ext, req);
  h.fire(ext, test::event(event_kind::approve_extension, "2025-09-22", role::supervisor));
  h.answer(ext, "2025-10-20", "2");

  calendar_cache cache;
  config cfg;
  services svc{&h.db, &cache, "k"};
  auto routes = make_routes();
  auto get = [&](const std::string& target) {
    http::request get_req{http::verb::get, target, 11};
    return routes.dispatch(routes.find(get_req.method(), http::path_of(target)), get_req, cfg, svc, "x");
  };
  auto page = get("/statistics/2025");  // public: no login
  REQUIRE(page.result() == http::status::ok);
  const auto& body = page.body();
  CHECK(body.find("<dd id=\"total-received\">3</dd>") != std::string::npos);
  CHECK(body.find("<dd id=\"total-concluded\">4</dd>") != std::string::npos);
  CHECK(body.find("<svg class=\"chart\"") != std::string::npos);
  CHECK(body.find("role=\"img\"") != std::string::npos);
  CHECK(body.find("style=") == std::string::npos);  // the CSP allows no inline styles
  CHECK(body.find("<script>") == std::string::npos);  // no inline script: the CSP allows only files
  // On time: 2 of the 4 conclusions, and the case still overdue at December's end counts as not on time.
  CHECK(body.find("<dd id=\"on-time-rate\">40.0%</dd>") != std::string::npos);
  CHECK(body.find("全年") != std::string::npos);
  CHECK(body.find("13800138000") == std::string::npos);
  CHECK(body.find("（三）不予公开 保护第三方合法权益：1（25.0%）") != std::string::npos);
  auto csv = get("/statistics/2025.csv").body();
  //                     month   received concluded on-time corrections extensions overdue
  CHECK(csv.find("2025-01,0,1,1,0,0,1\r\n") != std::string::npos);
  CHECK(csv.find("2025-03,1,1,1,0,0,1\r\n") != std::string::npos);
  CHECK(csv.find("2025-06,1,0,0,1,0,1\r\n") != std::string::npos);
  CHECK(csv.find("2025-07,0,1,0,0,0,1\r\n") != std::string::npos);  // an expired correction has no due date
  CHECK(csv.find("2025-09,1,0,0,0,1,1\r\n") != std::string::npos);
  CHECK(csv.find("2025-10,0,1,0,0,0,1\r\n") != std::string::npos);  // due 10-11 (a make-up Saturday), answered 10-20: late
  // A year under way shows only the months that are over; a year to come shows none.
  const auto today = workflow::china_date(unix_now());
  const int this_year = workflow::year_of(today);
  const int months_over = static_cast<int>(static_cast<unsigned>(std::chrono::year_month_day{today}.month())) - 1;
  auto current = get("/statistics/" + std::to_string(this_year)).body();
  std::size_t dashes = 0;
  for (auto at = current.find("<td>—</td>"); at != std::string::npos; at = current.find("<td>—</td>", at + 1)) ++dashes;
  CHECK(dashes == static_cast<std::size_t>((12 - months_over) * 6));
  CHECK(current.find(months_over == 0 ? "本年尚无已结束的月份" : "截至" + std::to_string(this_year) + "年" + std::to_string(months_over) + "月底") !=
        std::string::npos);
  auto future = get("/statistics/" + std::to_string(this_year + 1)).body();
  CHECK(future.find("本年尚无已结束的月份") != std::string::npos);
  CHECK(future.find("<svg class=\"chart\"") == std::string::npos);
  auto future_csv = get("/statistics/" + std::to_string(this_year + 1) + ".csv").body();
  CHECK(future_csv.find(std::to_string(this_year + 1) + "-01") == std::string::npos);
  auto stats = statistics::for_year(h.db, 2025, h.cal);
  REQUIRE(stats.median_working_days);
  CHECK(stats.concluded_total() == reports::annual(h.db, 2025).at("total").values[6]);
  auto svg = statistics_page::bar_chart("测试 <图>", {"1月", "2月"}, {{"收到", {3, 7}, "#000"}});
  CHECK(svg.find("测试 &lt;图&gt;") != std::string::npos);
  CHECK(svg.find("1月 收到：3") != std::string::npos);
}

TEST_CASE("every outcome code lands in its own row of table 三", "[storage]") {
  history_builder h;
  const applicant_category cats[] = {applicant_category::natural_person, applicant_category::commercial,
                                     applicant_category::research, applicant_category::public_interest,
                                     applicant_category::legal_services, applicant_category::other};
  int n = 0;
  for (const auto& code : outcome_codes()) {
    auto category = cats[n++ % 6];
    auto no = h.open(category, "2025-04-01");
    if (code.code == "6.1") {
      auto ask = test::event(event_kind::request_correction, "2025-04-02");
      ask.items = "补充";
      h.fire(no, ask);
      h.simple(no, event_kind::correction_expired, "2025-05-06", role::system);
    } else if (code.code == "6.3") {
      h.simple(no, event_kind::withdraw, "2025-04-03", role::applicant);
    } else {
      h.simple(no, event_kind::accept, "2025-04-02");
      h.answer(no, "2025-04-10", std::string(code.code).c_str());
    }
  }
  auto t = reports::annual(h.db, 2025);
  n = 0;
  for (const auto& code : outcome_codes()) {
    INFO(code.code);
    report::counts expected{};
    expected[n++ % 6] = 1;
    expected[6] = 1;
    CHECK(t.at(code.code).values == expected);
  }
  CHECK(t.at("total").values[6] == static_cast<long long>(outcome_codes().size()));
  CHECK(t.at("received").values[6] == static_cast<long long>(outcome_codes().size()));
  CHECK(t.at("carried_forward").values == report::counts{});
  CHECK(t.balanced());
}
