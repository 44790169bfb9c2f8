// The storage suite: the same source runs on SQLite and on MariaDB (see tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include "server/config.hpp"
#include "core/crypto.hpp"
#include "server/routes.hpp"
#include "sql/database.hpp"
#include "sql/users.hpp"
#include "tests/support/test_db.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

#include <thread>

using namespace gongkai;

namespace {

struct select_one {
  int value = 0;
  soci::statement st;
  explicit select_one(soci::session& s) : st((s.prepare << "SELECT 1", soci::into(value))) {}
};

const std::string strong_password = "correct horse battery staple";

}  // namespace

TEST_CASE("migrations apply once and are recorded", "[storage]") {
  test::scratch_database s;
  auto& db = s.db();
  int latest = load_migrations(db.kind()).back().version;
  CHECK(db.migrate() == latest);
  CHECK(db.schema_version() == latest);
  CHECK(db.migrate() == 0);
  int rows = db.run(database::access::read, [](connection& c) {
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM schema_migrations", soci::into(n);
    return n;
  });
  CHECK(rows == latest);
}

TEST_CASE("several instances migrating at once apply each migration exactly once", "[storage]") {
  test::scratch_database s;
  std::vector<std::unique_ptr<database>> instances;
  for (int i = 0; i < 4; ++i) instances.push_back(s.open(1));
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (auto& db : instances)
    threads.emplace_back([&] {
      try {
        applied += db->migrate();
      } catch (...) {
        ++failures;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(applied == load_migrations(s.db().kind()).back().version);
}

TEST_CASE("statements are prepared once per connection and reused", "[storage]") {
  test::scratch_database s;
  auto db = s.open(1);
  auto* first = db->run(database::access::read, [](connection& c) {
    auto& q = c.prepared<select_one>();
    q.st.execute(true);
    CHECK(q.value == 1);
    return &q;
  });
  auto* second = db->run(database::access::read, [](connection& c) {
    auto& q = c.prepared<select_one>();
    q.value = 0;
    q.st.execute(true);
    CHECK(q.value == 1);
    return &q;
  });
  CHECK(first == second);
}

TEST_CASE("accounts: create, authenticate, disable, change password", "[storage]") {
  test::scratch_database s;
  auto& db = s.db();
  db.migrate();
  users::create(db, "wang.fang", "王芳", crypto::hash_password(strong_password), {"staff", "supervisor"}, false, unix_now());
  CHECK_THROWS_AS(users::create(db, "wang.fang", "x", "h", {"staff"}, false, unix_now()), domain_error);
  CHECK_THROWS_AS(users::create(db, "Bad Name", "x", "h", {"staff"}, false, unix_now()), domain_error);
  CHECK_THROWS_AS(users::create(db, "li.lei", "x", "h", {"root"}, false, unix_now()), domain_error);
  CHECK_FALSE(users::find(db, "li.lei"));

  auto u = users::find(db, "wang.fang");
  REQUIRE(u);
  CHECK(u->display_name == "王芳");
  CHECK(u->roles == std::vector<std::string>{"staff", "supervisor"});
  CHECK_FALSE(users::any_admin(db));

  CHECK(users::authenticate(db, "wang.fang", strong_password));
  CHECK_FALSE(users::authenticate(db, "wang.fang", "wrong password"));
  CHECK_FALSE(users::authenticate(db, "nobody", strong_password));

  auto session = sessions::open(db, u->id, unix_now(), 3600);
  CHECK(sessions::resume(db, session.token, unix_now(), 1800));
  CHECK(users::set_disabled(db, "wang.fang", true, test::origin_now()));
  CHECK_FALSE(users::authenticate(db, "wang.fang", strong_password));
  CHECK_FALSE(sessions::resume(db, session.token, unix_now(), 1800));
  CHECK(users::set_disabled(db, "wang.fang", false, test::origin_now()));
  CHECK(users::set_password(db, "wang.fang", crypto::hash_password("another long password"), false, test::origin_now()));
  CHECK_FALSE(users::authenticate(db, "wang.fang", strong_password));
  CHECK(users::authenticate(db, "wang.fang", "another long password"));
  CHECK_FALSE(users::set_password(db, "nobody", "h", false, test::origin_now()));
}

TEST_CASE("sessions expire absolutely and when idle; only the token's hash is stored", "[storage]") {
  test::scratch_database s;
  auto& db = s.db();
  db.migrate();
  auto id = users::create(db, "staff1", "张三", crypto::hash_password(strong_password), {"staff"}, false, unix_now());
  const long long t0 = 1'800'000'000;
  auto session = sessions::open(db, id, t0, 3600);
  CHECK(session.expires_at == t0 + 3600);
  CHECK(sessions::resume(db, session.token, t0 + 100, 600));
  CHECK(sessions::resume(db, session.token, t0 + 650, 600));    // idle clock refreshed at t0+100
  CHECK_FALSE(sessions::resume(db, session.token, t0 + 1300, 600));  // idle too long
  auto second = sessions::open(db, id, t0, 3600);
  CHECK_FALSE(sessions::resume(db, second.token, t0 + 3600, 7200));  // absolute expiry
  CHECK_FALSE(sessions::resume(db, "not-a-token", t0, 600));
  auto third = sessions::open(db, id, unix_now(), 3600);
  sessions::close(db, third.token);
  CHECK_FALSE(sessions::resume(db, third.token, unix_now(), 600));

  int plain = db.run(database::access::read, [&](connection& c) {
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM auth_sessions WHERE token_hash = :t", soci::use(session.token), soci::into(n);
    return n;
  });
  CHECK(plain == 0);
}

TEST_CASE("Chinese text and characters outside the BMP survive a round trip", "[storage]") {
  test::scratch_database s;
  auto& db = s.db();
  db.migrate();
  const std::string name = "𠀀龍泉鎮 政府信息公开办公室 😀";
  users::create(db, "office", name, "h", {"staff"}, false, unix_now());
  CHECK(users::find(db, "office")->display_name == name);
}

TEST_CASE("GET /readyz reports the schema when the database answers", "[storage]") {
  test::scratch_database s;
  auto& db = s.db();
  db.migrate();
  config cfg;
  auto routes = make_routes();
  http::request req{http::verb::get, "/readyz", 11};
  services svc{&db, nullptr, {}};
  auto res = routes.dispatch(routes.find(req.method(), "/readyz"), req, cfg, svc);
  CHECK(res.result() == http::status::ok);
  CHECK(boost::json::parse(res.body()).at("schema_version").as_int64() == db.schema_version());
}

TEST_CASE("login over the route table opens a session that whoami accepts", "[storage]") {
  test::scratch_database s;
  auto& db = s.db();
  db.migrate();
  users::create(db, "clerk", "李雷", crypto::hash_password(strong_password), {"staff"}, false, unix_now());
  config cfg;
  services svc{&db, nullptr, {}};
  auto routes = make_routes();
  auto call = [&](http::verb v, const std::string& body, const std::string& token) {
    http::request req{v, "/api/v1/session", 11};
    req.set(boost::beast::http::field::content_type, "application/json");
    if (!token.empty()) req.set(boost::beast::http::field::authorization, "Bearer " + token);
    req.body() = body;
    req.prepare_payload();
    return routes.dispatch(routes.find(v, "/api/v1/session"), req, cfg, svc);
  };
  CHECK(call(http::verb::post, R"({"username":"clerk","password":"nope"})", "").result() == http::status::unauthorized);
  auto missing = call(http::verb::post, R"({"username":"clerk"})", "");
  CHECK(missing.result() == http::status::unprocessable_entity);
  CHECK(missing.body().find("\"password\"") != std::string::npos);

  auto ok = call(http::verb::post, R"({"username":"clerk","password":")" + strong_password + "\"}", "");
  REQUIRE(ok.result() == http::status::created);
  CHECK(ok[boost::beast::http::field::set_cookie].find("HttpOnly; SameSite=Strict") != std::string::npos);
  std::string token(boost::json::parse(ok.body()).at("token").as_string());
  auto me = call(http::verb::get, "", token);
  CHECK(me.result() == http::status::ok);
  CHECK(boost::json::parse(me.body()).at("user").at("display_name") == "李雷");
  CHECK(call(http::verb::get, "", "forged").result() == http::status::unauthorized);
  CHECK(call(http::verb::delete_, "", token).result() == http::status::no_content);
  CHECK(call(http::verb::get, "", token).result() == http::status::unauthorized);
}

TEST_CASE("a write transaction not committed leaves nothing behind", "[storage]") {
  test::scratch_database s;
  auto& db = s.db();
  db.migrate();
  CHECK_THROWS_AS(db.run(database::access::write,
                         [&](connection& c) {
                           write_transaction tx(db, c);
                           c.sql << "INSERT INTO users (username, display_name, password_hash, created_at, updated_at) "
                                    "VALUES ('ghost', 'g', 'h', 0, 0)";
                           throw std::runtime_error("handler failed after the insert");
                         }),
                  std::runtime_error);
  CHECK_FALSE(users::find(db, "ghost"));
}

// MariaDB only (SQLite has no connection to lose): ctest runs [storage-mariadb] with the MariaDB suite.
TEST_CASE("a lost MariaDB connection: reads retried once, writes never re-sent", "[storage-mariadb]") {
  REQUIRE(test::backend_is_mysql());
  test::scratch_database s;
  auto db = s.open(1);
  db->migrate();
  users::create(*db, "keeper", "k", crypto::hash_password(strong_password), {"staff"}, false, unix_now());
  auto connection_id = [&] {
    return db->run(database::access::read, [](connection& c) {
      long long id = 0;
      c.sql << "SELECT CONNECTION_ID()", soci::into(id);
      return id;
    });
  };
  auto first = connection_id();
  test::mysql_admin("KILL CONNECTION " + std::to_string(first));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(users::find(*db, "keeper"));  // the read went to a new connection
  auto second = connection_id();
  CHECK(second != first);

  test::mysql_admin("KILL CONNECTION " + std::to_string(second));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int attempts = 0;
  CHECK_THROWS_AS(db->run(database::access::write,
                          [&](connection& c) {
                            ++attempts;
                            c.sql << "UPDATE users SET display_name = 'changed' WHERE username = 'keeper'";
                          }),
                  http::unavailable_error);
  CHECK(attempts == 1);
  CHECK(users::find(*db, "keeper")->display_name == "k");  // and the pool recovered by itself
}
