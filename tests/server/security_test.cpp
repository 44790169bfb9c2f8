// Logins, sessions, passwords and the audit trail through the route table (no socket), on SQLite and on
// MariaDB: one throttle for every password check, bounded hashing, no lockout by others.
#include <catch2/catch.hpp>

#include "server/auth.hpp"
#include "server/clock.hpp"
#include "server/config.hpp"
#include "server/crypto.hpp"
#include "server/routes.hpp"
#include "sql/audit.hpp"
#include "sql/logins.hpp"
#include "sql/staff.hpp"
#include "tests/support/route_harness.hpp"
#include "tests/support/test_db.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

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
    users::create(db, "clerk", "clerk", hash, {"staff"}, false);
    users::create(db, "root", "root", hash, {"admin"}, false);
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
  // The next failure starts the delay; an attempt inside it is refused, whatever the password.
  CHECK(h.api_login("clerk", "wrong again").result() == http::status::unauthorized);
  auto refused = h.api_login("clerk", clerk_password);
  REQUIRE(refused.result() == http::status::too_many_requests);
  CHECK(json::parse(refused.body()).at("error").at("code") == "login_throttled");
  CHECK(retry_after(refused) >= 1);
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
