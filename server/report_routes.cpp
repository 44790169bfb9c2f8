#include "server/report_routes.hpp"

#include "server/auth.hpp"
#include "server/report_views.hpp"
#include "server/templates.hpp"
#include "sql/reports.hpp"

#include <boost/beast/http/field.hpp>

namespace gongkai::report_routes {

namespace {

using http::status;
using http::verb;

// The year's figures: the frozen ones if it was published, with what differs now.
std::pair<workflow::report::annual_tables, std::optional<report_views::freeze_info>> figures(database& db, int year) {
  auto live = reports::annual(db, year);
  auto frozen = reports::frozen(db, year);
  if (!frozen) return {live, std::nullopt};
  return {frozen->figures,
          report_views::freeze_info{frozen->locked_by, frozen->locked_at, workflow::report::differences(frozen->figures, live)}};
}

http::response annual_page(request_context& ctx) {
  auth::require(ctx, {"supervisor"});
  std::string_view what = ctx.params.at("year");
  bool as_csv = what.ends_with(".csv");
  int year = http::year_or_404(as_csv ? what.substr(0, what.size() - 4) : what);
  auto [tables, frozen] = figures(*ctx.db, year);
  if (as_csv) {
    auto res = http::text_response(ctx.req, status::ok, report_views::csv(tables), "text/csv; charset=utf-8");
    res.set(http::bhttp::field::content_disposition,
            "attachment; filename=\"annual-report-" + std::to_string(year) + ".csv\"");
    return res;
  }
  kainjow::mustache::data body;
  auto html = report_views::html_body(tables, frozen, frozen ? std::string() : auth::form_token(ctx));
  return http::html_response(ctx.req, status::ok,
                             render_page(std::to_string(year) + "年度报告统计表", "raw", [&] {
                               kainjow::mustache::data d;
                               d.set("html", html);
                               return d;
                             }()));
}

http::response freeze(request_context& ctx) {
  auto u = auth::require(ctx, {"supervisor"});
  auth::check_form_token(ctx, http::parse_form_body(ctx.req));
  int year = http::year_or_404(ctx.params.at("year"));
  reports::freeze(*ctx.db, year, reports::annual(*ctx.db, year), u.username, ctx.now_s());
  return auth::redirect(ctx, "/staff/reports/annual/" + std::to_string(year));
}

http::response annual_api(request_context& ctx) {
  auth::require(ctx, {"supervisor"});
  int year = http::year_or_404(ctx.params.at("year"));
  auto [tables, frozen] = figures(*ctx.db, year);
  return http::text_response(ctx.req, status::ok, report_views::json(tables, frozen), "application/json; charset=utf-8");
}

}  // namespace

void add_routes(router& r) {
  //     method      pattern                                  runs on     handler
  r.add(verb::get,   "/staff/reports/annual/{year}",          run_on::db, annual_page);
  r.add(verb::post,  "/staff/reports/annual/{year}/freeze",   run_on::db, freeze);
  r.add(verb::get,   "/api/v1/reports/annual/{year}",         run_on::db, annual_api);
}

}  // namespace gongkai::report_routes
