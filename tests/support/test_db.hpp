#pragma once
// A fresh, empty database for one test, on the backend the ctest entry names (GONGKAI_TEST_BACKEND:
// sqlite or mysql). MariaDB comes from GONGKAI_TEST_MYSQL_URL (set by test.sh); missing it is a failure.
#include "core/clock.hpp"
#include "sql/audit.hpp"
#include "sql/database.hpp"

#include <memory>
#include <string>

namespace gongkai::test {

bool backend_is_mysql();
// An audit origin for storage calls made by a test (no actor, no client address, now).
inline audit::origin origin_now() { return {"", "", unix_now_ms()}; }
std::string temp_dir();  // a fresh directory under GONGKAI_TEST_TMP or /tmp

class scratch_database {
 public:
  scratch_database();
  ~scratch_database();
  const std::string& url() const { return url_; }
  database& db() { return *db_; }
  std::unique_ptr<database> open(std::size_t pool = 4) const;

 private:
  std::string url_;
  std::string name_;  // mysql: the database created for the test
  std::unique_ptr<database> db_;
};

// Runs one statement on the MariaDB server as the test account (e.g. KILL), outside any pool.
void mysql_admin(const std::string& sql);

}  // namespace gongkai::test
