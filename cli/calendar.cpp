#include "cli/commands.hpp"

#include "core/clock.hpp"
#include "sql/cases.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace gongkai::cli {

int calendar(std::vector<std::string> args) {
  auto action = take_positional(args, "calendar action (import)");
  if (action != "import") throw usage_error("unknown calendar action: " + action);
  auto path = take_positional(args, "schedule file");
  std::ifstream in(path);
  if (!in) throw usage_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto years = workflow::parse_schedules(text.str());
  auto cfg = load_config(args, environ);
  database db(cfg.db(), 1);
  const long long now_ms = unix_now_ms();
  prepare_database(db, now_ms);
  int changed = calendar_store::import(db, years, path.substr(path.find_last_of('/') + 1), now_ms);
  std::string list;
  for (const auto& y : years) list += (list.empty() ? "" : ", ") + std::to_string(y.year);
  std::cout << "loaded " << list << "; due dates of " << changed << " open case(s) recomputed\n";
  return 0;
}

}  // namespace gongkai::cli
