#include "cli/commands.hpp"

#include "core/clock.hpp"
#include "app/templates.hpp"
#include "server/report_views.hpp"
#include "server/templates.hpp"
#include "sql/cases.hpp"
#include "sql/report_figures.hpp"
#include "sql/reports.hpp"
#include "sql/statistics.hpp"

#include <iostream>

namespace gongkai::cli {

namespace {

std::string values_text(const auto& values) {
  std::string out;
  for (auto v : values) out += (out.empty() ? "" : " ") + std::to_string(v);
  return out;
}

// `report verify`: the figures the pages read against a recomputation from the log, year by year.
int verify(std::vector<std::string> args) {
  auto year_arg = take_option(args, "--year");
  std::optional<int> only;
  if (!year_arg.empty()) {
    only = workflow::parse_year(year_arg.front());
    if (!only) throw usage_error("--year must be a year");
  }
  auto cfg = load_config(args, environ);
  database db(cfg.db(), 1);
  prepare_database(db, unix_now_ms());
  int first = 0, last = 0;
  if (only) first = last = *only;
  else {
    // From the first year in the log to this year (and the next, as the figures of open cases reach it).
    first = db.run(database::access::read, [](connection& c) {
      std::string earliest;
      soci::indicator ind = soci::i_null;
      c.sql << "SELECT MIN(effective_on) FROM transitions", soci::into(earliest, ind);
      return ind == soci::i_ok ? std::stoi(earliest.substr(0, 4)) : 0;
    });
    last = static_cast<int>(std::chrono::year_month_day{workflow::china_date(unix_now_ms() / 1000)}.year()) + 1;
    if (!first) first = last - 1;
  }
  const auto cal = calendar_store::load(db);
  int differing = 0;
  for (int year = first; year <= last; ++year) {
    std::vector<std::string> lines;
    const auto figures = reports::annual(db, year), log = reports::recompute_annual(db, year);
    for (const auto& r : log.applications)
      if (r.values != figures.at(r.key).values)
        lines.push_back("annual " + r.key + " " + r.label + ": log [" + values_text(r.values) + "], figures [" +
                        values_text(figures.at(r.key).values) + "]");
    for (int k = 0; k < 3; ++k)
      if (log.appeals[k] != figures.appeals[k])
        lines.push_back("annual appeals line " + std::to_string(k + 1) + ": log [" + values_text(log.appeals[k]) +
                        "], figures [" + values_text(figures.appeals[k]) + "]");
    if (log.previous_carried_forward != figures.previous_carried_forward)
      lines.push_back("annual carried forward from the year before differs");
    for (auto& line : statistics::differences(statistics::recompute_for_year(db, year, cal), statistics::for_year(db, year, cal)))
      lines.push_back("monthly " + line);
    if (lines.empty()) std::cout << year << ": the figures equal the recomputation from the log\n";
    else {
      ++differing;
      std::cout << year << ": " << lines.size() << " figure(s) differ from the log\n";
      for (const auto& line : lines) std::cout << "  " << line << "\n";
    }
  }
  return differing ? 1 : 0;
}

}  // namespace

int report(std::vector<std::string> args) {
  auto kind = take_positional(args, "report kind (annual, verify)");
  if (kind == "verify") return verify(std::move(args));
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
