#include "cli/commands.hpp"

#include "core/clock.hpp"
#include "core/embedded.hpp"
#include "sql/cases.hpp"
#include "workflow/deadlines.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace gongkai::cli {

int deadline(std::vector<std::string> args) {
  auto received_arg = take_option(args, "--received");
  auto days_arg = take_option(args, "--days");
  bool as_json = std::erase(args, std::string("--json")) > 0;
  bool builtin = std::erase(args, std::string("--builtin-calendar")) > 0;
  if (received_arg.size() != 1) throw usage_error("deadline needs --received YYYY-MM-DD");
  auto received = workflow::parse_date(received_arg.front());
  if (!received) throw usage_error("--received must be a date YYYY-MM-DD, got " + received_arg.front());
  int days = 20;  // Art. 33
  if (!days_arg.empty()) {
    try {
      days = std::stoi(days_arg.front());
    } catch (const std::exception&) {
      days = 0;
    }
    if (days < 1 || days > 400) throw usage_error("--days must be 1..400");
  }
  workflow::working_calendar cal;
  if (builtin) {
    cal = workflow::working_calendar(workflow::parse_schedules(embedded::builtin_holidays()));
  } else {
    auto cfg = load_config(args, environ);
    database db(cfg.db(), 1);
    prepare_database(db, unix_now_ms());
    cal = calendar_store::load(db);
  }
  auto clock = workflow::reply_clock_from(*received, days, cal);
  if (as_json) {
    boost::json::array lines;
    for (const auto& l : clock.explanation) lines.emplace_back(l);
    std::cout << boost::json::serialize(boost::json::object{{"received", workflow::format_date(*received)},
                                                            {"days", days},
                                                            {"due", workflow::format_date(*clock.due)},
                                                            {"provisional", clock.provisional},
                                                            {"explanation", lines}})
              << "\n";
  } else {
    std::cout << workflow::format_date(*clock.due) << "\n";
    for (const auto& l : clock.explanation) std::cout << l << "\n";
  }
  return 0;
}

}  // namespace gongkai::cli
