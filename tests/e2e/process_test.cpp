// The gongkai binary as a user runs it: commands, serving, SIGTERM, SIGKILL durability, database outage.
#include <catch2/catch.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/test_db.hpp"

#include <soci/mysql/soci-mysql.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

#include <csignal>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

using namespace gongkai;
using namespace std::chrono_literals;

namespace {

const std::string password = "durable password 2026";

std::vector<std::string> serve_args(const std::string& db_url, std::vector<std::string> extra = {}) {
  std::vector<std::string> a{GONGKAI_BINARY, "serve", "--listen", "127.0.0.1:0", "--db", db_url};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

std::string login_body() { return R"({"username":"clerk","password":")" + password + "\"}"; }

std::optional<std::string> login(test::http_client& c) {
  auto res = c.post_json("/api/v1/session", login_body());
  if (res.result() != http::status::created) return std::nullopt;
  return std::string(boost::json::parse(res.body()).at("token").as_string());
}

http::status whoami(std::uint16_t port, const std::string& token) {
  test::http_client c(port);
  return c.send(http::verb::get, "/api/v1/session", {}, {{"Authorization", "Bearer " + token}}).result();
}

}  // namespace

TEST_CASE("commands: version, usage errors, passwords only from stdin", "[process]") {
  test::scratch_database s;
  auto [code, out] = test::run_gongkai({"version"});
  CHECK(code == 0);
  CHECK(out.starts_with("gongkai "));
  CHECK(test::run_gongkai({"frobnicate"}).first == 2);
  CHECK(test::run_gongkai({"serve", "--listen", "nonsense"}).first == 2);
  CHECK(test::run_gongkai({"user", "add", "clerk", "--db", s.url()}, "short\n").first == 2);
  CHECK(test::run_gongkai({"user", "add", "clerk", "--db", s.url(), "--role", "staff"}, password + "\n").first == 0);
  CHECK(test::run_gongkai({"user", "add", "clerk", "--db", s.url()}, password + "\n").first == 1);  // taken
  CHECK(test::run_gongkai({"user", "disable", "nobody", "--db", s.url()}).first == 2);
  CHECK(test::run_gongkai({"user", "add", "mailer", "--email", "not-an-address", "--db", s.url()}, password + "\n").first == 2);
  CHECK(test::run_gongkai({"user", "add", "mailer", "--db", s.url()}, password + "\n").first == 0);  // nothing was created
  CHECK(test::run_gongkai({"user", "add", "mailer2", "--email", "clerk@agency.example.cn", "--db", s.url()}, password + "\n")
            .first == 0);
  auto [mcode, mout] = test::run_gongkai({"migrate", "--db", s.url()});
  CHECK(mcode == 0);
  CHECK(mout.find("applied 0 migration(s)") != std::string::npos);
}

TEST_CASE("bootstrap prints a one-time admin password once; the server answers health, readiness and login",
          "[process]") {
  test::scratch_database s;
  auto [code, out] = test::run_gongkai({"user", "bootstrap", "--db", s.url()});
  REQUIRE(code == 0);
  auto at = out.find("one-time password: ");
  REQUIRE(at != std::string::npos);
  std::string otp = out.substr(at + 19, 20);
  auto again = test::run_gongkai({"user", "bootstrap", "--db", s.url()});
  CHECK(again.second.find("exists already") != std::string::npos);
  CHECK(again.second.find(otp) == std::string::npos);

  test::child_process server(serve_args(s.url()));
  auto port = test::start_server(server);
  REQUIRE(port != 0);
  test::http_client c(port);
  CHECK(c.get("/healthz").result() == http::status::ok);
  CHECK(c.get("/readyz").result() == http::status::ok);
  auto res = c.post_json("/api/v1/session", R"({"username":"admin","password":")" + otp + "\"}");
  REQUIRE(res.result() == http::status::created);
  auto user = boost::json::parse(res.body()).at("user");
  CHECK(user.at("must_change_password") == true);
  CHECK(user.at("roles").as_array().size() == 3);

  server.signal(SIGTERM);
  CHECK(server.wait(10s) == std::optional<int>(0));
}

TEST_CASE("SIGKILL in the middle of a stream of writes loses nothing acknowledged", "[process]") {
  test::scratch_database s;
  REQUIRE(test::run_gongkai({"user", "add", "clerk", "--db", s.url()}, password + "\n").first == 0);

  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::atomic<bool> killed{false};
  {
    test::child_process server(serve_args(s.url()));
    auto port = test::start_server(server);
    REQUIRE(port != 0);
    std::vector<std::thread> writers;
    for (int w = 0; w < 3; ++w)
      writers.emplace_back([&] {
        try {
          test::http_client c(port);
          while (true) {
            auto token = login(c);  // each one is a committed session row once answered
            if (!token) break;
            std::lock_guard lock(mutex);
            acknowledged.push_back(*token);
          }
        } catch (const std::exception&) {
          // The connection died with the server: whatever was not answered was not acknowledged.
        }
      });
    for (int i = 0; i < 400; ++i) {
      {
        std::lock_guard lock(mutex);
        if (acknowledged.size() >= 40) break;
      }
      std::this_thread::sleep_for(50ms);
    }
    server.signal(SIGKILL);
    killed = true;
    for (auto& t : writers) t.join();
    CHECK(server.wait(10s) == std::optional<int>(128 + SIGKILL));
  }
  INFO("acknowledged before the kill: " << acknowledged.size());
  REQUIRE(acknowledged.size() >= 40);

  test::child_process restarted(serve_args(s.url()));
  auto port = test::start_server(restarted);
  REQUIRE(port != 0);
  std::size_t present = 0;
  for (const auto& token : acknowledged)
    if (whoami(port, token) == http::status::ok) ++present;
  CHECK(present == acknowledged.size());
}

TEST_CASE("one structured access-log line per request, without query strings or request bodies", "[process]") {
  test::scratch_database s;
  REQUIRE(test::run_gongkai({"user", "add", "clerk", "--db", s.url()}, password + "\n").first == 0);
  const std::string log_path = test::temp_dir() + "/server.log";
  {
    test::child_process server(serve_args(s.url()), {}, {}, log_path);
    auto port = test::start_server(server);
    REQUIRE(port != 0);
    test::http_client c(port);
    c.get("/healthz?access_code=SECRET-CODE-123");
    c.post_json("/api/v1/session", login_body());
    c.get("/no/such/page");
    server.signal(SIGTERM);
    REQUIRE(server.wait(10s) == std::optional<int>(0));
  }
  std::ifstream in(log_path);
  std::vector<boost::json::object> access;
  std::string line, all;
  while (std::getline(in, line)) {
    all += line + "\n";
    auto v = boost::json::parse(line).as_object();  // every line is JSON
    if (v.contains("type") && v.at("type") == "access") access.push_back(v);
  }
  REQUIRE(access.size() == 3);
  CHECK(access[0].at("path") == "/healthz");
  CHECK(access[0].at("status") == 200);
  CHECK(access[1].at("method") == "POST");
  CHECK(access[1].at("status") == 201);
  CHECK(access[2].at("status") == 404);
  for (const auto& a : access) {
    CHECK(a.at("rid").as_string().size() > 4);
    CHECK(a.at("ms").is_double());
  }
  CHECK(access[0].at("rid") != access[1].at("rid"));
  CHECK(all.find("SECRET-CODE-123") == std::string::npos);
  CHECK(all.find(password) == std::string::npos);
  CHECK(all.find("clerk") == std::string::npos);
}

namespace {

// A private MariaDB server that the test may stop and start (the shared one must stay up).
struct private_mariadb {
  std::string dir = test::temp_dir();
  std::string port;
  private_mariadb() {
    test::child_process p({"/bin/bash", std::string(GONGKAI_SOURCE_DIR) + "/tests/free-port.sh"});
    p.wait(10s);
    port = p.output().substr(0, p.output().find('\n'));
    start();
  }
  ~private_mariadb() { stop(); }
  void start() { REQUIRE(script("start") == 0); }
  void stop() { script("stop"); }
  int script(const std::string& action) {
    std::vector<std::string> argv{"/bin/bash", std::string(GONGKAI_SOURCE_DIR) + "/tests/mariadb.sh", action, dir};
    if (action == "start") argv.push_back(port);
    test::child_process p(argv);
    return p.wait(120s).value_or(-1);
  }
  std::string url(const std::string& db) const { return "mysql://gongkai:gongkai@127.0.0.1:" + port + "/" + db; }
};

}  // namespace

TEST_CASE("while MariaDB is down the server answers 503 with Retry-After and recovers by itself",
          "[process-mariadb]") {
  private_mariadb m;
  {
    soci::session admin(*soci::factory_mysql(), db_url::parse(m.url("mysql")).soci_connect_string());
    admin << "CREATE DATABASE outage CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
  }
  REQUIRE(test::run_gongkai({"user", "add", "clerk", "--db", m.url("outage")}, password + "\n").first == 0);
  test::child_process server(serve_args(m.url("outage"), {"--retry-after-s", "2"}));
  auto port = test::start_server(server);
  REQUIRE(port != 0);
  {
    test::http_client c(port);
    CHECK(c.get("/readyz").result() == http::status::ok);
    CHECK(login(c));
  }

  m.stop();
  {
    test::http_client c(port);
    auto ready = c.get("/readyz");
    CHECK(ready.result() == http::status::service_unavailable);
    CHECK(ready[boost::beast::http::field::retry_after] == "2");
    auto write = c.post_json("/api/v1/session", login_body());
    CHECK(write.result() == http::status::service_unavailable);
    CHECK(write.body().find("\"unavailable\"") != std::string::npos);
    CHECK(c.get("/healthz").result() == http::status::ok);  // the process itself is alive
  }

  m.start();
  bool recovered = false;
  for (int i = 0; i < 100 && !recovered; ++i) {
    test::http_client c(port);
    recovered = c.get("/readyz").result() == http::status::ok;
    if (!recovered) std::this_thread::sleep_for(200ms);
  }
  CHECK(recovered);
  test::http_client c(port);
  CHECK(login(c));
}

TEST_CASE("gongkai deadline prints the due date first, then how it was counted", "[process]") {
  test::scratch_database s;
  auto [code, out] = test::run_gongkai({"deadline", "--received", "2026-09-25", "--db", s.url()});
  REQUIRE(code == 0);
  CHECK(out.substr(0, out.find('\n')) == "2026-10-29");
  CHECK(out.find("2026-10-01") != std::string::npos);
  CHECK(out.find("调休上班日（计入）：2026-10-10") != std::string::npos);

  // Every receipt date in 2019-2026 gets a working day, and never an earlier one for a later receipt.
  std::string previous;
  for (const char* received : {"2019-01-02", "2019-02-01", "2020-01-23", "2021-09-30", "2022-12-30", "2023-04-28",
                               "2024-09-13", "2025-01-24", "2026-02-13", "2026-12-31"}) {
    auto [c, o] = test::run_gongkai({"deadline", "--received", received, "--builtin-calendar"});
    REQUIRE(c == 0);
    auto due = o.substr(0, o.find('\n'));
    CHECK(due.size() == 10);
    CHECK(due > previous);
    previous = due;
  }
  auto [jc, json] = test::run_gongkai({"deadline", "--received", "2026-12-20", "--days", "20", "--json", "--builtin-calendar"});
  REQUIRE(jc == 0);
  auto v = boost::json::parse(json);
  CHECK(v.at("due") == "2027-01-15");
  CHECK(v.at("provisional") == true);
  CHECK(v.at("explanation").as_array().size() >= 2);
  auto [pc, plain] = test::run_gongkai({"deadline", "--received", "2027-03-01", "--builtin-calendar"});
  CHECK(plain.starts_with("2027-03-29\n"));
  CHECK(plain.find("provisional") != std::string::npos);
  auto short_period = test::run_gongkai({"deadline", "--received", "2026-09-25", "--days", "7", "--builtin-calendar"});
  CHECK(short_period.second.starts_with("2026-10-12\n"));
  CHECK(test::run_gongkai({"deadline", "--received", "2026-02-30", "--builtin-calendar"}).first == 2);
  CHECK(test::run_gongkai({"deadline", "--received", "2026-02-03", "--days", "0", "--builtin-calendar"}).first == 2);
}

TEST_CASE("gongkai calendar import loads a year and the deadline command follows it", "[process]") {
  test::scratch_database s;
  CHECK(test::run_gongkai({"deadline", "--received", "2026-12-20", "--db", s.url()}).second.starts_with("2027-01-15\n"));
  const std::string file = test::temp_dir() + "/cn-holidays-2027.json";
  {
    std::ofstream f(file);
    f << R"({"2027": {"off_days": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"], "makeup_workdays": []}})";
  }
  auto [code, out] = test::run_gongkai({"calendar", "import", file, "--db", s.url()});
  REQUIRE(code == 0);
  CHECK(out.find("loaded 2027") != std::string::npos);
  auto after = test::run_gongkai({"deadline", "--received", "2026-12-20", "--db", s.url()}).second;
  CHECK(after.starts_with("2027-01-19\n"));  // 01-01..01-04 off
  CHECK(after.find("provisional") == std::string::npos);
  const std::string bad = test::temp_dir() + "/bad.json";
  {
    std::ofstream f(bad);
    f << R"({"2027": {"off_days": ["2027-13-01"], "makeup_workdays": []}})";
  }
  CHECK(test::run_gongkai({"calendar", "import", bad, "--db", s.url()}).first == 2);
}

TEST_CASE("test mode: an adjustable clock; two instances' sweepers expire a correction exactly once", "[process]") {
  test::scratch_database s;
  CHECK(test::run_gongkai({"serve", "--clock", "2026-03-02T09:00:00+08:00", "--db", s.url()}).first == 2);  // not without --test-mode
  std::vector<std::string> args = {"--test-mode", "--clock", "2026-03-02T09:00:00+08:00", "--sweep-interval-s", "1"};
  test::child_process one(serve_args(s.url(), args));
  test::child_process two(serve_args(s.url(), args));
  auto p1 = test::start_server(one), p2 = test::start_server(two);
  REQUIRE(p1 != 0);
  REQUIRE(p2 != 0);
  test::http_client c1(p1), c2(p2);
  auto ready = boost::json::parse(c1.get("/readyz").body());
  CHECK(ready.at("test_mode") == true);
  CHECK(std::string(ready.at("clock").as_string()).starts_with("2026-03-02T09:0"));
  CHECK(c1.get("/").body().find("id=\"test-mode\"") != std::string::npos);

  auto filed = c1.post_json("/api/v1/requests", R"({"category":"natural_person","name":"王芳","id_type":"resident_id",
    "id_number":"11010519491231002X","phone":"13800138000","address":"北京市","description":"某文件",
    "info_form":"electronic","delivery":"download"})");
  REQUIRE(filed.result() == http::status::created);
  auto receipt = boost::json::parse(filed.body());
  CHECK(receipt.at("received_on") == "2026-03-02");
  std::string no(receipt.at("tracking_no").as_string()), code(receipt.at("access_code").as_string());
  REQUIRE(test::run_gongkai({"case", "event", no, "request_correction", "--as", "staff:clerk", "--on", "2026-03-03",
                             "--payload", R"({"items":"请补充文号"})", "--db", s.url()}).first == 0);
  // The correction period (15 working days) ends 2026-03-24; move both clocks past it.
  for (auto* c : {&c1, &c2})
    CHECK(c->post_json("/api/v1/test/clock", R"({"advance_days": 30})").result() == http::status::ok);
  std::string state;
  for (int i = 0; i < 100 && state != "answered"; ++i) {
    std::this_thread::sleep_for(100ms);
    auto view = boost::json::parse(c2.send(http::verb::get, "/api/v1/requests/" + no, {}, {{"X-Access-Code", code}}).body());
    state = std::string(view.at("state").as_string());
  }
  CHECK(state == "answered");
  std::this_thread::sleep_for(2500ms);  // both sweepers have run again since
  auto db = s.open(1);
  int expired = db->run(database::access::read, [&](connection& c) {
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM transitions WHERE event = 'correction_expired'", soci::into(n);
    return n;
  });
  CHECK(expired == 1);
  auto view = boost::json::parse(c1.send(http::verb::get, "/api/v1/requests/" + no, {}, {{"X-Access-Code", code}}).body());
  CHECK(view.at("reply").at("outcome") == "6.1");
}

TEST_CASE("test mode: the clock moves forward by seconds, days or to an instant, and staff sessions move with it",
          "[process]") {
  test::scratch_database s;
  REQUIRE(test::run_gongkai({"user", "add", "clerk", "--role", "staff", "--db", s.url()}, password + "\n").first == 0);
  test::child_process server(serve_args(s.url(), {"--test-mode", "--clock", "2026-03-02T09:00:00+08:00"}));
  auto port = test::start_server(server);
  REQUIRE(port != 0);
  test::http_client c(port);
  auto token = login(c);
  REQUIRE(token);
  auto clock_now = [&] { return std::string(boost::json::parse(c.get("/readyz").body()).at("clock").as_string()); };
  CHECK(c.post_json("/api/v1/test/clock", R"({"advance_seconds": 90})").result() == http::status::ok);
  CHECK(clock_now().starts_with("2026-03-02T09:01:3"));
  // 30 days is longer than any session lives; the session moved with the clock.
  CHECK(c.post_json("/api/v1/test/clock", R"({"advance_days": 30})").result() == http::status::ok);
  CHECK(clock_now().starts_with("2026-04-01T09:01:3"));
  CHECK(whoami(port, *token) == http::status::ok);
  auto to = c.post_json("/api/v1/test/clock", R"({"at": "2026-05-04T08:30:00+08:00"})");
  CHECK(to.result() == http::status::ok);
  CHECK(clock_now().starts_with("2026-05-04T08:30:0"));
  CHECK(whoami(port, *token) == http::status::ok);
  // Never back, and a malformed instant is a field error.
  CHECK(c.post_json("/api/v1/test/clock", R"({"at": "2026-01-01T00:00:00+08:00"})").result() ==
        http::status::unprocessable_entity);
  CHECK(c.post_json("/api/v1/test/clock", R"({"at": "next tuesday"})").result() == http::status::unprocessable_entity);
  CHECK(clock_now().starts_with("2026-05-04T08:30:0"));
}

TEST_CASE("without test mode the clock cannot be moved", "[process]") {
  test::scratch_database s;
  test::child_process server(serve_args(s.url()));
  auto port = test::start_server(server);
  REQUIRE(port != 0);
  test::http_client c(port);
  CHECK(c.post_json("/api/v1/test/clock", R"({"advance_days": 30})").result() == http::status::not_found);
  CHECK_FALSE(boost::json::parse(c.get("/readyz").body()).as_object().contains("test_mode"));
  CHECK(c.get("/").body().find("id=\"test-mode\"") == std::string::npos);
}

#include "core/clock.hpp"
#include "sql/cases.hpp"
#include "tests/support/smtp_sink.hpp"

namespace {

const char* const application_with_email = R"({"category":"natural_person","name":"王芳","id_type":"resident_id",
  "id_number":"11010519491231002X","phone":"13800138000","email":"wang.fang@example.cn","address":"北京市",
  "description":"某文件","info_form":"electronic","delivery":"email"})";

}  // namespace

TEST_CASE("notices go through a real SMTP listener, once each, to the applicant", "[process]") {
  test::scratch_database s;
  test::smtp_sink sink;
  test::child_process server(serve_args(s.url(), {"--smtp-url", "smtp://127.0.0.1:" + std::to_string(sink.port()),
                                                  "--mail-from", "ogi@agency.example.cn"}));
  auto port = test::start_server(server);
  REQUIRE(port != 0);
  test::http_client c(port);
  auto filed = c.post_json("/api/v1/requests", application_with_email);
  REQUIRE(filed.result() == http::status::created);
  std::string no(boost::json::parse(filed.body()).at("tracking_no").as_string());
  REQUIRE(test::run_gongkai({"case", "event", no, "request_correction", "--as", "staff:clerk", "--payload",
                             R"({"items":"请补充文号"})", "--db", s.url()}).first == 0);
  for (int i = 0; i < 100 && sink.messages().size() < 2; ++i) std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(1500ms);  // the sender has run again: nothing more arrives
  auto mail = sink.messages();
  REQUIRE(mail.size() == 2);
  CHECK(mail[0].to == std::vector<std::string>{"<wang.fang@example.cn>"});
  CHECK(mail[0].from == "<ogi@agency.example.cn>");
  CHECK(test::decode_subject(mail[0].data) == "您的政府信息公开申请已收到（" + no + "）");
  CHECK(test::decode_subject(mail[1].data) == "请补正您的政府信息公开申请（" + no + "）");
  CHECK(mail[0].data.find("Content-Type: text/plain; charset=utf-8") != std::string::npos);
}

TEST_CASE("a notice committed before the server is killed is delivered once after restart", "[process]") {
  test::scratch_database s;
  std::uint16_t relay = 0;
  {
    test::smtp_sink probe;  // find a free port, then leave it closed: the relay is down at first
    relay = probe.port();
  }
  std::vector<std::string> args = {"--smtp-url", "smtp://127.0.0.1:" + std::to_string(relay)};
  std::string no;
  {
    test::child_process server(serve_args(s.url(), args));
    auto port = test::start_server(server);
    REQUIRE(port != 0);
    test::http_client c(port);
    auto filed = c.post_json("/api/v1/requests", application_with_email);
    REQUIRE(filed.result() == http::status::created);
    no = std::string(boost::json::parse(filed.body()).at("tracking_no").as_string());
    std::this_thread::sleep_for(300ms);
    server.signal(SIGKILL);
    server.wait(10s);
  }
  auto db = s.open(1);
  auto pending = db->run(database::access::read, [](connection& c) {
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM outbox WHERE status = 'pending'", soci::into(n);
    return n;
  });
  CHECK(pending == 1);  // committed with the filing, not yet delivered
  test::smtp_sink sink(relay);
  // A failed attempt waits 30 s before the next: move past it by restarting in test mode a minute later.
  auto later = args;
  later.insert(later.end(), {"--test-mode", "--clock", test_clock::format_iso8601_china(unix_now_ms() + 120'000)});
  test::child_process restarted(serve_args(s.url(), later));
  REQUIRE(test::start_server(restarted) != 0);
  for (int i = 0; i < 100 && sink.messages().empty(); ++i) std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(1500ms);
  auto mail = sink.messages();
  REQUIRE(mail.size() == 1);
  CHECK(test::decode_subject(mail[0].data) == "您的政府信息公开申请已收到（" + no + "）");
}

#include "sql/applications.hpp"
#include "tests/support/prepared_database.hpp"

TEST_CASE("gongkai report verify: exit 0 when the figures equal the log, 1 with the differing figures", "[process]") {
  test::prepared_database f;
  workflow::application a;
  a.name = "王芳";
  a.phone = "13800138000";
  a.address = "北京市";
  a.description = "某文件";
  a.info_form = "paper";
  a.delivery = "post";
  const auto on = *workflow::parse_date("2026-03-02");
  applications::file(f.db, a, "online", on, "", test::applicant, f.cal, test::noon_ms(on));
  auto [code, out] = test::run_gongkai({"report", "verify", "--db", f.s.url()});
  CHECK(code == 0);
  CHECK(out.find("2026: the figures equal the recomputation from the log") != std::string::npos);
  // A delta that no event caused: the check names the figure and both values.
  f.db.run(database::access::write, [](connection& c) {
    c.sql << "INSERT INTO report_figure_deltas (case_id, figure, k1, k2, k3, n) VALUES (0, 'event', '2026-03', 'register', '', 1)";
  });
  auto [bad, diff] = test::run_gongkai({"report", "verify", "--year", "2026", "--db", f.s.url()});
  CHECK(bad == 1);
  CHECK(diff.find("monthly 2026-03 received: log 1, figures 2") != std::string::npos);
  CHECK(test::run_gongkai({"report", "verify", "--year", "twenty", "--db", f.s.url()}).first == 2);
}
