#include "cli/commands.hpp"

#include "core/clock.hpp"
#include "app/templates.hpp"
#include "server/report_views.hpp"
#include "server/templates.hpp"
#include "sql/cases.hpp"
#include "sql/reports.hpp"

#include <iostream>

namespace gongkai::cli {

int report(std::vector<std::string> args) {
  auto kind = take_positional(args, "report kind (annual)");
  if (kind != "annual") throw usage_error("unknown report: " + kind);
  auto year_arg = take_option(args, "--year");
  auto format_arg = take_option(args, "--format");
  auto parsed = year_arg.size() == 1 ? workflow::parse_year(year_arg.front()) : std::nullopt;
  if (!parsed) throw usage_error("report annual needs --year YYYY");
  const int year = *parsed;
  const std::string format = format_arg.empty() ? "html" : format_arg.front();
  if (format != "html" && format != "csv" && format != "json") throw usage_error("--format must be html, csv or json");
  auto cfg = load_config(args, environ);
  set_template_directory(cfg.web_dir);
  database db(cfg.db(), 1);
  prepare_database(db, unix_now_ms());
  auto live = reports::annual(db, year);
  auto frozen = reports::frozen(db, year);
  std::optional<report_views::freeze_info> info;
  if (frozen) info = report_views::freeze_info{frozen->locked_by, frozen->locked_at, workflow::report::differences(frozen->figures, live)};
  const auto& tables = frozen ? frozen->figures : live;
  if (format == "json") std::cout << report_views::json(tables, info) << "\n";
  else if (format == "csv") std::cout << report_views::csv(tables);
  else {
    kainjow::mustache::data d;
    d.set("html", report_views::html_body(tables, info));
    std::cout << render_page(std::to_string(year) + "年度报告统计表", "raw", d);
  }
  return 0;
}

}  // namespace gongkai::cli
