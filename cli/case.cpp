#include "cli/commands.hpp"

#include "core/clock.hpp"
#include "sql/cases.hpp"

#include <iostream>

namespace gongkai::cli {

int case_event(std::vector<std::string> args) {
  auto action = take_positional(args, "case action (event)");
  if (action != "event") throw usage_error("unknown case action: " + action);
  auto tracking_no = take_positional(args, "tracking number");
  auto event_name = take_positional(args, "event name");
  auto as = take_option(args, "--as");
  auto on = take_option(args, "--on");
  auto payload = take_option(args, "--payload");
  auto version = take_option(args, "--version");
  const long long now_ms = unix_now_ms();
  auto kind = workflow::parse_event(event_name);
  if (!kind) throw usage_error("unknown event: " + event_name);
  if (as.size() != 1 || as.front().find(':') == std::string::npos) throw usage_error("--as ROLE:NAME is required");
  auto role = workflow::parse_role(as.front().substr(0, as.front().find(':')));
  if (!role) throw usage_error("unknown role in --as: " + as.front());
  auto date = on.empty() ? workflow::china_date(now_ms / 1000) : workflow::parse_date(on.front()).value_or(workflow::date{});
  if (date == workflow::date{}) throw usage_error("--on must be a date YYYY-MM-DD");
  auto e = workflow::event_from_payload(*kind, date, *role, payload.empty() ? "{}" : payload.front());
  std::optional<int> expected;
  if (!version.empty()) expected = std::stoi(version.front());
  auto cfg = load_config(args, environ);
  database db(cfg.db(), 1);
  prepare_database(db, now_ms);
  auto row = cases::fire(db, tracking_no, expected, e, actor{*role, as.front().substr(as.front().find(':') + 1)},
                         calendar_store::load(db), now_ms);
  std::cout << row.tracking_no << " " << workflow::to_string(row.state) << " version " << row.version << "\n";
  return 0;
}

}  // namespace gongkai::cli
