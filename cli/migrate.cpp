#include "cli/commands.hpp"

#include "core/clock.hpp"
#include "sql/cases.hpp"

#include <iostream>

namespace gongkai::cli {

int migrate(std::vector<std::string> args) {
  auto cfg = load_config(args, environ);
  database db(cfg.db(), 1);
  int n = db.migrate();
  calendar_store::ensure_builtin(db, unix_now_ms());
  std::cout << "applied " << n << " migration(s); schema version " << db.schema_version() << "\n";
  return 0;
}

}  // namespace gongkai::cli
