// Logins, sessions, passwords and the audit trail through the route table (no socket), on SQLite and on
// MariaDB: one throttle for every password check, bounded hashing, no lockout by others.
#include <catch2/catch.hpp>

#include "server/auth.hpp"
#include "core/clock.hpp"
#include "server/config.hpp"
#include "core/crypto.hpp"
#include "app/password_policy.hpp"
#include "server/routes.hpp"
#include "sql/audit.hpp"
#include "sql/logins.hpp"
#include "sql/pruning.hpp"
#include "sql/staff.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/route_harness.hpp"
#include "tests/support/test_db.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <future>
#include <latch>
#include <thread>

using namespace gongkai;
namespace bhttp = boost::beast::http;
namespace json = boost::json;

namespace {

const std::string clerk_password = "a long enough password";

struct security_harness : test::route_harness {
  security_harness() : route_harness("security-test-key") {
    auto hash = crypto::hash_password(clerk_password);
    users::create(db, "clerk", "clerk", hash, {"staff"}, false, unix_now());
    users::create(db, "root", "root", hash, {"admin"}, false, unix_now());
    // Time moves only when a test says so (the throttle's delays are read from this clock).
    test_clock::enable(unix_now_ms());
  }

  http::response api_login(const std::string& user, const std::string& password, const std::string& from = "198.51.100.1") {
    return dispatch(http::verb::post, "/api/v1/session",
                    json::serialize(json::object{{"username", user}, {"password", password}}), "application/json", {}, from);
  }
  http::response page_login(const std::string& user, const std::string& password, const std::string& from = "198.51.100.1") {
    auto csrf = crypto::sign_form_token(svc.form_key, "login", unix_now(), 3600);
    return dispatch(http::verb::post, "/login", form_body({{"csrf", csrf}, {"username", user}, {"password", password}}),
                    "application/x-www-form-urlencoded", {}, from);
  }
  // A session token from the JSON login.
  std::string api_session(const std::string& user, const std::string& password) {
    auto res = api_login(user, password);
    REQUIRE(res.result() == http::status::created);
    return std::string(json::parse(res.body()).at("token").as_string());
  }
  http::response whoami(const std::string& token) {
    return dispatch(http::verb::get, "/api/v1/session", "", "", {{"Authorization", "Bearer " + token}}, "198.51.100.1");
  }
  // A page form posted with the session cookie and a form token bound to it.
  http::response post_as(const std::string& token, const std::string& target, std::map<std::string, std::string> fields) {
    fields.emplace("csrf", crypto::sign_form_token(svc.form_key, "staff:" + crypto::token_hash(token).substr(0, 16),
                                                   unix_now(), 3600));
    return dispatch(http::verb::post, target, form_body(fields), "application/x-www-form-urlencoded",
                    {{"Cookie", "gk_session=" + token}}, "198.51.100.7");
  }
  std::vector<audit::entry> audit_of(const std::string& kind) {
    std::vector<audit::entry> out;
    for (auto& e : audit::recent(db, 1000))
      if (e.kind == kind) out.push_back(e);
    return out;
  }
};

long long retry_after(const http::response& res) { return std::stoll(std::string(res[bhttp::field::retry_after])); }

}  // namespace

TEST_CASE("POST /api/v1/session is throttled by the same throttle as the login page", "[staff]") {
  security_harness h;
  for (int i = 0; i < login_throttle::per_account.free_failures; ++i)
    CHECK(h.api_login("clerk", "wrong password " + std::to_string(i)).result() == http::status::unauthorized);
  // Each further failure starts a longer delay; an attempt inside it is refused, whatever the password.
  long long previous = 0;
  for (int i = 0; i < 4; ++i) {
    CHECK(h.api_login("clerk", "wrong again").result() == http::status::unauthorized);
    auto refused = h.api_login("clerk", "wrong again");
    REQUIRE(refused.result() == http::status::too_many_requests);
    CHECK(retry_after(refused) > previous);  // 1, 2, 4, 8 seconds
    previous = retry_after(refused);
    test_clock::advance(previous * 1000);
  }
  CHECK(h.api_login("clerk", "wrong again").result() == http::status::unauthorized);  // a 16 s delay now
  auto refused = h.api_login("clerk", clerk_password);
  REQUIRE(refused.result() == http::status::too_many_requests);
  CHECK(json::parse(refused.body()).at("error").at("code") == "login_throttled");
  CHECK(retry_after(refused) > 8);
  // One throttle: the page login is refused too.
  CHECK(h.page_login("clerk", clerk_password).result() == http::status::too_many_requests);
  test_clock::advance(retry_after(refused) * 1000);
  CHECK(h.api_login("clerk", clerk_password).result() == http::status::created);
}

TEST_CASE("one address guessing many accounts is throttled", "[staff]") {
  security_harness h;
  const std::string guesser = "203.0.113.66";
  for (int i = 0; i < login_throttle::per_address.free_failures + 1; ++i)
    CHECK(h.api_login("user" + std::to_string(i), "wrong password", guesser).result() == http::status::unauthorized);
  CHECK(h.api_login("clerk", clerk_password, guesser).result() == http::status::too_many_requests);
  CHECK(h.api_login("clerk", clerk_password, "203.0.113.67").result() == http::status::created);  // others are not
}

TEST_CASE("wrong passwords from many addresses never lock the account: the right one passes after a short delay",
          "[staff]") {
  security_harness h;
  for (int i = 0; i < 12; ++i) {
    auto res = h.page_login("clerk", "wrong password", "192.0.2." + std::to_string(i + 1));
    if (res.result() == http::status::too_many_requests) test_clock::advance(retry_after(res) * 1000);
  }
  auto res = h.page_login("clerk", clerk_password, "198.51.100.200");
  if (res.result() == http::status::too_many_requests) {
    auto wait = retry_after(res);
    CHECK(wait <= 300);  // the account's delay is capped at five minutes
    test_clock::advance(wait * 1000);
    res = h.page_login("clerk", clerk_password, "198.51.100.200");
  }
  CHECK(res.result() == http::status::see_other);
  CHECK(res[bhttp::field::location] == "/staff");
  // The right password cleared the account's count: the next wrong one is an ordinary 401.
  CHECK(h.api_login("clerk", "wrong password").result() == http::status::unauthorized);
}

TEST_CASE("the delay doubles after the free failures and is capped", "[staff]") {
  const auto& r = login_throttle::per_account;
  CHECK(login_throttle::delay_after(r, r.free_failures) == 0);
  CHECK(login_throttle::delay_after(r, r.free_failures + 1) == 1000);
  CHECK(login_throttle::delay_after(r, r.free_failures + 2) == 2000);
  CHECK(login_throttle::delay_after(r, r.free_failures + 5) == 16000);
  CHECK(login_throttle::delay_after(r, 1000) == r.max_delay_ms);
}

TEST_CASE("password hashing is bounded: when every slot is busy a login answers 503 with Retry-After", "[staff]") {
  security_harness h;
  std::latch holding(2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<std::thread> busy;
  for (int i = 0; i < 2; ++i)
    busy.emplace_back([&] {
      crypto::with_hashing_slot([&] {
        holding.count_down();
        released.wait();
      });
    });
  holding.wait();
  auto res = h.api_login("clerk", clerk_password);
  release.set_value();
  for (auto& t : busy) t.join();
  CHECK(res.result() == http::status::service_unavailable);
  CHECK(!res[bhttp::field::retry_after].empty());
  CHECK(h.api_login("clerk", clerk_password).result() == http::status::created);
}

TEST_CASE("logins, failed logins and throttling are in the audit log, without passwords", "[staff]") {
  security_harness h;
  h.api_login("clerk", clerk_password, "198.51.100.9");
  h.page_login("clerk", "secret guess 1", "198.51.100.10");
  for (int i = 0; i < 10; ++i) h.api_login("clerk", "secret guess 2", "198.51.100.11");
  auto logins = h.audit_of("login");
  REQUIRE(logins.size() == 1);
  CHECK(logins[0].actor == std::optional<std::string>("clerk"));
  CHECK(logins[0].target == std::optional<std::string>("clerk"));
  CHECK(logins[0].client == std::optional<std::string>("198.51.100.9"));
  CHECK(json::parse(logins[0].detail).at("via") == "api");
  auto failed = h.audit_of("login_failed");
  REQUIRE(failed.size() >= 2);
  CHECK(failed.back().client == std::optional<std::string>("198.51.100.10"));  // newest first: the oldest is last
  CHECK_FALSE(failed.back().actor);
  CHECK(failed.back().target == std::optional<std::string>("clerk"));
  CHECK_FALSE(h.audit_of("login_throttled").empty());
  for (const auto& e : audit::recent(h.db, 1000)) CHECK(e.detail.find("secret guess") == std::string::npos);
}

TEST_CASE("an admin's password reset ends every session and API token of the account", "[staff]") {
  security_harness h;
  auto clerk_session = h.api_session("clerk", clerk_password);
  auto clerk_token = staff_store::issue_api_token(h.db, users::find(h.db, "clerk")->id, "office", unix_now());
  REQUIRE(h.whoami(clerk_session).result() == http::status::ok);
  REQUIRE(h.whoami(clerk_token).result() == http::status::ok);
  auto root = h.api_session("root", clerk_password);
  REQUIRE(h.post_as(root, "/admin/users/clerk", {{"do", "reset"}}).result() == http::status::ok);
  CHECK(h.whoami(clerk_session).result() == http::status::unauthorized);
  CHECK(h.whoami(clerk_token).result() == http::status::unauthorized);
  CHECK(h.whoami(root).result() == http::status::ok);  // the admin's own session is not touched
  // The command line (gongkai user passwd) goes through the same function.
  auto again = sessions::open(h.db, users::find(h.db, "root")->id, unix_now(), 3600).token;
  REQUIRE(users::set_password(h.db, "root", crypto::hash_password("another long password"), false, test::origin_now()));
  CHECK(h.whoami(again).result() == http::status::unauthorized);
}

TEST_CASE("changing one's own password ends the other sessions; the current one continues", "[staff]") {
  security_harness h;
  auto here = h.api_session("clerk", clerk_password);
  auto elsewhere = h.api_session("clerk", clerk_password);
  auto token = staff_store::issue_api_token(h.db, users::find(h.db, "clerk")->id, "office", unix_now());
  auto res = h.post_as(here, "/account/password",
                       {{"current", clerk_password}, {"new", "a new and long passphrase"}, {"confirm", "a new and long passphrase"}});
  REQUIRE(res.result() == http::status::see_other);
  CHECK(h.whoami(here).result() == http::status::ok);
  CHECK(h.whoami(elsewhere).result() == http::status::unauthorized);
  CHECK(h.whoami(token).result() == http::status::unauthorized);
}

TEST_CASE("a disabled account's API tokens stay revoked when it is enabled again", "[staff]") {
  security_harness h;
  auto token = staff_store::issue_api_token(h.db, users::find(h.db, "clerk")->id, "office", unix_now());
  REQUIRE(h.whoami(token).result() == http::status::ok);
  auto root = h.api_session("root", clerk_password);
  REQUIRE(h.post_as(root, "/admin/users/clerk", {{"do", "disable"}}).result() == http::status::ok);
  CHECK(h.whoami(token).result() == http::status::unauthorized);
  REQUIRE(h.post_as(root, "/admin/users/clerk", {{"do", "enable"}}).result() == http::status::ok);
  CHECK(h.whoami(token).result() == http::status::unauthorized);
  CHECK(h.api_login("clerk", clerk_password).result() == http::status::created);  // the account itself works
}

TEST_CASE("account changes are in the audit log with who, whom and from where; a refused change writes no row",
          "[staff]") {
  security_harness h;
  auto root = h.api_session("root", clerk_password);
  auto admin = [&](std::map<std::string, std::string> f, const std::string& whom = "clerk") {
    return h.post_as(root, "/admin/users/" + whom, std::move(f)).result();
  };
  CHECK(admin({{"do", "roles"}, {"role_staff", "on"}, {"role_supervisor", "on"}}) == http::status::ok);
  CHECK(admin({{"do", "token"}, {"label", "office"}}) == http::status::ok);
  CHECK(admin({{"do", "revoke"}}) == http::status::ok);
  CHECK(admin({{"do", "disable"}}) == http::status::ok);
  CHECK(admin({{"do", "enable"}}) == http::status::ok);
  CHECK(admin({{"do", "reset"}}) == http::status::ok);
  for (const char* kind : {"roles_changed", "api_token_issued", "api_tokens_revoked", "disabled", "enabled", "password_reset"}) {
    INFO(kind);
    auto rows = h.audit_of(kind);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].actor == std::optional<std::string>("root"));
    CHECK(rows[0].target == std::optional<std::string>("clerk"));
    CHECK(rows[0].client == std::optional<std::string>("198.51.100.7"));
    CHECK(rows[0].at_ms > 0);
  }
  CHECK(json::parse(h.audit_of("roles_changed")[0].detail).at("roles").as_array().size() == 2);
  CHECK(json::parse(h.audit_of("api_tokens_revoked")[0].detail).at("count") == 1);

  // Refused changes: no such account, the admin disabling themself, a mistyped confirmation.
  const auto before = audit::recent(h.db, 1000).size();
  CHECK(admin({{"do", "reset"}}, "ghost") == http::status::not_found);
  CHECK(admin({{"do", "disable"}}, "ghost") == http::status::not_found);
  CHECK(admin({{"do", "disable"}}, "root") == http::status::unprocessable_entity);
  CHECK(h.post_as(root, "/account/password", {{"current", clerk_password}, {"new", "a new and long passphrase"},
                                             {"confirm", "a different passphrase"}})
            .result() == http::status::unprocessable_entity);
  CHECK(audit::recent(h.db, 1000).size() == before);

  REQUIRE(h.post_as(root, "/account/password", {{"current", clerk_password}, {"new", "a new and long passphrase"},
                                               {"confirm", "a new and long passphrase"}})
              .result() == http::status::see_other);
  auto changed = h.audit_of("password_changed");
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].actor == std::optional<std::string>("root"));
  CHECK(changed[0].target == std::optional<std::string>("root"));
}

TEST_CASE("the current password on the password page is checked under the login throttle", "[staff]") {
  security_harness h;
  auto here = h.api_session("clerk", clerk_password);
  auto change = [&](const std::string& current) {
    return h.post_as(here, "/account/password",
                     {{"current", current}, {"new", "a new and long passphrase"}, {"confirm", "a new and long passphrase"}});
  };
  int wrong = 0, throttled = 0;
  for (int i = 0; i < 15; ++i) {
    auto res = change("guess number " + std::to_string(i));
    if (res.result() == http::status::unprocessable_entity) ++wrong;
    if (res.result() == http::status::too_many_requests) {
      ++throttled;
      test_clock::advance(retry_after(res) * 1000);  // wait, then guess again
    }
  }
  CHECK(throttled > 0);
  CHECK(wrong < 15);
  CHECK(change("guess number 15").result() == http::status::unprocessable_entity);  // a delay of several seconds now
  // The same throttle as the login: the account's logins wait too.
  CHECK(h.api_login("clerk", clerk_password).result() == http::status::too_many_requests);
  CHECK_FALSE(h.audit_of("password_check_failed").empty());
  CHECK_FALSE(h.audit_of("password_check_throttled").empty());
  auto refused = change(clerk_password);
  REQUIRE(refused.result() == http::status::too_many_requests);
  test_clock::advance(retry_after(refused) * 1000);
  CHECK(change(clerk_password).result() == http::status::see_other);
}

TEST_CASE("the password policy refuses blank, repeated and common passwords, and keeps the minimum length", "[staff]") {
  for (const std::string& weak : std::vector<std::string>{"aaaaaaaaaaaa", std::string(12, ' '), "123456789012", "qwertyuiop12", "password1234",
                           "QWERTYUIOP12", "PassWord1234", "abcabcabcabc", "121212121212", "            \t",
                           "\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80"
                           "\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80\xE3\x80\x80",
                           "short", "", "1qaz2wsx3edc", "woaini1314520", std::string(201, 'x') + "y"}) {
    INFO(weak);
    CHECK(password_policy::problem(weak));
  }
  CHECK(password_policy::problem("wang.fang12345", "wang.fang"));  // the name does not count toward the length
  CHECK_FALSE(password_policy::problem("wang.fang and a long phrase", "wang.fang"));
  CHECK_FALSE(password_policy::problem("a new and long passphrase"));
  CHECK_FALSE(password_policy::problem("政府信息公开申请处理很重要啊"));
  for (int i = 0; i < 20; ++i) CHECK_FALSE(password_policy::problem(password_policy::one_time_password()));
}

TEST_CASE("a weak new password is refused on the password page", "[staff]") {
  security_harness h;
  auto here = h.api_session("clerk", clerk_password);
  for (const std::string& weak : std::vector<std::string>{"aaaaaaaaaaaa", std::string(12, ' '), "123456789012"}) {
    INFO(weak);
    auto res = h.post_as(here, "/account/password", {{"current", clerk_password}, {"new", weak}, {"confirm", weak}});
    CHECK(res.result() == http::status::unprocessable_entity);
  }
  CHECK(h.api_login("clerk", clerk_password).result() == http::status::created);  // unchanged
}

TEST_CASE("gongkai user add and passwd refuse weak passwords", "[process]") {
  test::scratch_database s;
  for (const std::string& weak : std::vector<std::string>{"aaaaaaaaaaaa", std::string(12, ' '), "123456789012"}) {
    INFO(weak);
    CHECK(test::run_gongkai({"user", "add", "clerk", "--db", s.url()}, weak + "\n").first == 2);
  }
  CHECK_FALSE(users::find(s.db(), "clerk"));
  REQUIRE(test::run_gongkai({"user", "add", "clerk", "--db", s.url()}, "a new and long passphrase\n").first == 0);
  CHECK(test::run_gongkai({"user", "passwd", "clerk", "--db", s.url()}, "password1234\n").first == 2);
  CHECK(users::authenticate(s.db(), "clerk", "a new and long passphrase"));
}

TEST_CASE("the sweeper's pruning keeps sessions, rate-limit windows, nonces and throttle rows bounded", "[storage]") {
  test::scratch_database s;
  auto& db = s.db();
  prepare_database(db, unix_now_ms());
  const long long now = unix_now();
  const long long day = 24 * 3600;
  // Old rows (more than two batches of sessions) and rows that still matter.
  db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    for (int i = 0; i < 1200; ++i) {
      const std::string h = crypto::token_hash("old-session-" + std::to_string(i));
      const long long created = now - 2 * day, seen = i % 2 ? now - 2 * day : now - 3600, expires = i % 2 ? now + 3600 : now - 10;
      c.sql << "INSERT INTO auth_sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (:h, 1, :c, :s, :e)",
          soci::use(h), soci::use(created), soci::use(seen), soci::use(expires);
    }
    for (int i = 0; i < 3; ++i) {
      const std::string h = crypto::token_hash("live-session-" + std::to_string(i));
      const long long seen = now - 60, expires = now + 3600;
      c.sql << "INSERT INTO auth_sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (:h, 1, :c, :s, :e)",
          soci::use(h), soci::use(seen), soci::use(seen), soci::use(expires);
    }
    for (int i = 0; i < 700; ++i) {
      const std::string b = crypto::token_hash("bucket-" + std::to_string(i));
      const long long start = i < 690 ? now - 3 * day : now - 600;
      c.sql << "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (:b, :w, 1)", soci::use(b), soci::use(start);
    }
    for (int i = 0; i < 600; ++i) {
      const std::string n = crypto::token_hash("nonce-" + std::to_string(i)).substr(0, 32);
      const long long used = i < 595 ? now - 2 * day : now - 60;
      c.sql << "INSERT INTO used_form_tokens (nonce, used_at) VALUES (:n, :u)", soci::use(n), soci::use(used);
    }
    for (int i = 0; i < 10; ++i) {
      const std::string b = crypto::token_hash("throttle-" + std::to_string(i));
      const long long last = i < 8 ? (now - 2 * 3600) * 1000 : now * 1000, next = i < 8 ? last : (now + 60) * 1000;
      c.sql << "INSERT INTO login_failures (bucket, failures, last_failure_at, next_allowed_at) VALUES (:b, 9, :l, :n)",
          soci::use(b), soci::use(last), soci::use(next);
    }
    tx.commit();
  });
  auto count = [&](const char* table) {
    return db.run(database::access::read, [&](connection& c) {
      int n = 0;
      c.sql << std::string("SELECT COUNT(*) FROM ") + table, soci::into(n);
      return n;
    });
  };
  // Bounded: one run deletes at most max_batches x batch_rows rows per table.
  auto first = pruning::prune(db, now, 1800, {500, 1});
  CHECK(first.sessions == 500);
  CHECK(count("auth_sessions") == 1203 - 500);
  auto rest = pruning::prune(db, now, 1800);
  CHECK(first.sessions + rest.sessions == 1200);
  CHECK(count("auth_sessions") == 3);
  CHECK(count("rate_limits") == 10);
  CHECK(count("used_form_tokens") == 5);
  CHECK(count("login_failures") == 2);
  CHECK(pruning::prune(db, now, 1800).sessions == 0);  // a second instance right after finds nothing to do
}

TEST_CASE("concurrent attempts: once an account's delay is due, only one of them is checked; none fails with 500",
          "[staff]") {
  security_harness h;
  for (int i = 0; i < login_throttle::per_account.free_failures; ++i)
    REQUIRE(h.api_login("clerk", "wrong password").result() == http::status::unauthorized);
  auto together = [&](auto attempt) {
    std::vector<http::status> results(8);
    std::latch start(8);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = attempt(i);
      });
    for (auto& t : threads) t.join();
    return results;
  };
  // The next failure would start a delay: the first attempt reserves it, the others wait.
  auto results = together([&](int i) {
    return h.api_login("clerk", "wrong password", "192.0.2." + std::to_string(100 + i)).result();
  });
  CHECK(std::count(results.begin(), results.end(), http::status::unauthorized) == 1);
  CHECK(std::count(results.begin(), results.end(), http::status::too_many_requests) == 7);
  // First failures of new accounts from one new address, all at once: rows created concurrently.
  results = together([&](int i) {
    return h.api_login("nobody" + std::to_string(i), "wrong password", "192.0.2.200").result();
  });
  for (auto r : results) CHECK((r == http::status::unauthorized || r == http::status::service_unavailable));
}
