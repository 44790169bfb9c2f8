#include <catch2/catch.hpp>

#include "server/config.hpp"

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace gongkai;

namespace {

config load(std::vector<std::string> args, std::vector<std::string> env = {}) {
  std::vector<char*> ptrs;
  for (auto& e : env) ptrs.push_back(e.data());
  ptrs.push_back(nullptr);
  return load_config(args, ptrs.data());
}

}  // namespace

TEST_CASE("defaults serve SQLite under var/ on 127.0.0.1:8080", "[config]") {
  auto c = load({});
  CHECK(c.listen_address == "127.0.0.1");
  CHECK(c.listen_port == 8080);
  CHECK(c.db().kind == db_url::backend::sqlite);
  CHECK(c.db().path == "var/gongkai.db");
}

TEST_CASE("flags win over the environment, the environment over the config file", "[config]") {
  char path[] = "/tmp/gongkai-config-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream f(path);
    f << "listen = 127.0.0.1:7000\nio-threads = 3\nbody-limit = 4096\ndb = sqlite:///from/file.db\n";
  }
  auto from_file = load({"--config", path});
  CHECK(from_file.listen_port == 7000);
  CHECK(from_file.io_threads == 3);
  CHECK(from_file.body_limit == 4096);

  auto env_over_file = load({"--config", path}, {"GONGKAI_LISTEN=127.0.0.1:7001", "GONGKAI_IO_THREADS=5"});
  CHECK(env_over_file.listen_port == 7001);
  CHECK(env_over_file.io_threads == 5);
  CHECK(env_over_file.body_limit == 4096);

  auto flag_over_env = load({"--config", path, "--listen", "0.0.0.0:7002"}, {"GONGKAI_LISTEN=127.0.0.1:7001"});
  CHECK(flag_over_env.listen_address == "0.0.0.0");
  CHECK(flag_over_env.listen_port == 7002);
  std::remove(path);
}

TEST_CASE("GONGKAI_DB names the database; unrelated GONGKAI_ variables are ignored", "[config]") {
  auto c = load({}, {"GONGKAI_DB=mysql://u:p@db.local:3307/gk", "GONGKAI_TEST_BACKEND=mysql", "PATH=/bin"});
  auto u = c.db();
  CHECK(u.kind == db_url::backend::mysql);
  CHECK(u.host == "db.local");
  CHECK(u.port == 3307);
  CHECK(u.database == "gk");
}

TEST_CASE("bad settings are refused with a message naming them", "[config]") {
  CHECK_THROWS_WITH(load({"--listen", "127.0.0.1"}), Catch::Contains("--listen"));
  CHECK_THROWS_WITH(load({"--listen", "127.0.0.1:99999"}), Catch::Contains("port"));
  CHECK_THROWS_WITH(load({"--io-threads", "0"}), Catch::Contains("io-threads"));
  CHECK_THROWS_WITH(load({"--read-timeout-ms", "-5"}), Catch::Contains("timeouts"));
  CHECK_THROWS_WITH(load({"--db", "postgres://x/y"}), Catch::Contains("sqlite:// or mysql://"));
  CHECK_THROWS_AS(load({"--no-such-option", "1"}), config_error);
  CHECK_THROWS_AS(load({"--config", "/nonexistent/gongkai.conf"}), config_error);
}

TEST_CASE("database URLs parse into SOCI connection strings without leaking the password", "[config]") {
  auto m = db_url::parse("mysql://gk%40user:p%27a%20ss@10.0.0.5:3310/gongkai");
  CHECK(m.user == "gk@user");
  CHECK(m.password == "p'a ss");
  CHECK(m.port == 3310);
  CHECK(m.soci_connect_string().find("charset=utf8mb4") != std::string::npos);
  CHECK(m.soci_connect_string().find("password='p\\'a ss'") != std::string::npos);
  CHECK(m.redacted() == "mysql://gk@user:***@10.0.0.5:3310/gongkai");

  auto s = db_url::parse("sqlite:///var/lib/gongkai/g.db");
  CHECK(s.path == "/var/lib/gongkai/g.db");
  CHECK(db_url::parse("sqlite://var/g.db").path == "var/g.db");
  CHECK(db_url::parse("mysql://root@localhost/gk?socket=/run/m.sock").unix_socket == "/run/m.sock");

  CHECK_THROWS_AS(db_url::parse("mysql://host:3306/"), config_error);
  CHECK_THROWS_AS(db_url::parse("mysql://host/a/b"), config_error);
  CHECK_THROWS_AS(db_url::parse("mysql://host/db?color=red"), config_error);
  CHECK_THROWS_AS(db_url::parse("sqlite://"), config_error);
  CHECK_THROWS_AS(db_url::parse("sqlite:///tmp/with space.db"), config_error);
}
