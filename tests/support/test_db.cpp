#include "tests/support/test_db.hpp"

#include "core/crypto.hpp"

#include <soci/mysql/soci-mysql.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace gongkai::test {

namespace {

std::string mysql_base() {
  const char* base = std::getenv("GONGKAI_TEST_MYSQL_URL");
  if (!base || !*base)
    throw std::runtime_error("GONGKAI_TEST_MYSQL_URL is not set: run the MariaDB suites through ./test.sh");
  std::string s = base;
  if (s.back() != '/') s += '/';
  return s;
}

}  // namespace

bool backend_is_mysql() {
  const char* b = std::getenv("GONGKAI_TEST_BACKEND");
  return b && std::string(b) == "mysql";
}

std::string temp_dir() {
  const char* root = std::getenv("GONGKAI_TEST_TMP");
  std::filesystem::path base = root && *root ? root : std::filesystem::temp_directory_path();
  auto dir = base / ("gk-" + crypto::random_token(9));
  std::filesystem::create_directories(dir);
  return dir.string();
}

void mysql_admin(const std::string& sql) {
  auto url = db_url::parse(mysql_base() + "mysql");
  soci::session s(*soci::factory_mysql(), url.soci_connect_string());
  s << sql;
}

scratch_database::scratch_database() {
  if (backend_is_mysql()) {
    std::string suffix = crypto::token_hash(crypto::random_token()).substr(0, 12);
    name_ = "gk_test_" + suffix;
    mysql_admin("CREATE DATABASE " + name_ + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    url_ = mysql_base() + name_;
  } else {
    url_ = "sqlite://" + temp_dir() + "/test.db";
  }
  db_ = open();
}

std::unique_ptr<database> scratch_database::open(std::size_t pool) const {
  return std::make_unique<database>(db_url::parse(url_), pool);
}

scratch_database::~scratch_database() {
  db_.reset();
  if (!name_.empty()) {
    try {
      mysql_admin("DROP DATABASE IF EXISTS " + name_);
    } catch (...) {
    }
  }
}

}  // namespace gongkai::test
