#include "server/statistics_page.hpp"

#include "server/config.hpp"
#include "server/templates.hpp"
#include "sql/cases.hpp"
#include "sql/reports.hpp"
#include "sql/statistics.hpp"

#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>

namespace gongkai::statistics_page {

namespace {

using namespace workflow;
using http::status;
using http::verb;
using kainjow::mustache::data;

const std::vector<std::string> month_labels = {"1月", "2月", "3月", "4月", "5月", "6月",
                                               "7月", "8月", "9月", "10月", "11月", "12月"};

struct figures {
  statistics::monthly monthly;
  report::annual_tables annual;
};

// The public page may be asked for often: each instance keeps a year's figures for five minutes, and
// computes at most one year at a time (requests arriving meanwhile wait for it and share its result), so
// the public page cannot multiply the work however many ask at once.
figures cached(request_context& ctx, int year) {
  static std::mutex mutex, computing;
  static std::map<int, std::pair<std::chrono::steady_clock::time_point, figures>> cache;
  auto fresh = [&]() -> std::optional<figures> {
    std::lock_guard lock(mutex);
    auto it = cache.find(year);
    if (it != cache.end() && std::chrono::steady_clock::now() - it->second.first < std::chrono::minutes(5))
      return it->second.second;
    return std::nullopt;
  };
  if (auto f = fresh()) return *f;
  std::lock_guard one_at_a_time(computing);
  if (auto f = fresh()) return *f;  // computed while this request waited
  auto cal = ctx.svc.calendar->get(*ctx.db);
  figures f{statistics::for_year(*ctx.db, year, *cal), reports::annual(*ctx.db, year)};
  std::lock_guard lock(mutex);
  cache[year] = {std::chrono::steady_clock::now(), f};
  return f;
}

std::string percent(long long part, long long whole) {
  if (whole == 0) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

// How many months of `year` are over on `today` (China date): figures are shown only for those, so a
// month under way (or to come) is never shown as if it were complete.
int months_over(int year, date today) {
  const int now_year = year_of(today);
  if (year < now_year) return 12;
  if (year > now_year) return 0;
  return static_cast<int>(static_cast<unsigned>(std::chrono::year_month_day{today}.month())) - 1;
}

std::string csv(const figures& f, int over) {
  std::string out = "\xEF\xBB\xBF月份,收到申请,办结,按期办结,补正告知,批准延期,月末逾期\r\n";
  for (int i = 0; i < over; ++i)
    out += std::to_string(f.monthly.year) + "-" + (i < 9 ? "0" : "") + std::to_string(i + 1) + "," +
           std::to_string(f.monthly.received[i]) + "," + std::to_string(f.monthly.concluded[i]) + "," +
           std::to_string(f.monthly.on_time[i]) + "," + std::to_string(f.monthly.corrections[i]) + "," +
           std::to_string(f.monthly.extensions[i]) + "," + std::to_string(f.monthly.overdue_at_end[i]) + "\r\n";
  return out;
}

http::response page(request_context& ctx, int year, bool as_csv) {
  auto f = cached(ctx, year);
  const int over = months_over(year, china_date(ctx.now_s()));
  if (as_csv) {
    auto res = http::text_response(ctx.req, status::ok, csv(f, over), "text/csv; charset=utf-8");
    res.set(http::bhttp::field::content_disposition, "attachment; filename=\"statistics-" + std::to_string(year) + ".csv\"");
    return res;
  }
  const auto& m = f.monthly;
  data d;
  d.set("year", std::to_string(year));
  d.set("prev", std::to_string(year - 1));
  d.set("next", std::to_string(year + 1));
  // Only the months that are over: the charts, the table's figures and the totals.
  auto vec = [&](const std::array<long long, 12>& a) { return std::vector<long long>(a.begin(), a.begin() + over); };
  const std::vector<std::string> labels(month_labels.begin(), month_labels.begin() + over);
  if (over > 0) {
    d.set("chart_flow", bar_chart(std::to_string(year) + "年每月收到与办结的申请", labels,
                                  {{"收到", vec(m.received), "#b4232a"}, {"办结", vec(m.concluded), "#59636e"}}));
    d.set("chart_overdue", bar_chart(std::to_string(year) + "年各月末逾期未答复的申请", labels,
                                     {{"月末逾期", vec(m.overdue_at_end), "#d4a72c"}}));
  }
  d.set("through", over == 0 ? std::string("本年尚无已结束的月份") : over == 12 ? std::string("全年")
                                                                       : "截至" + std::to_string(year) + "年" + std::to_string(over) + "月底");
  data rows{data::type::list};
  long long received = 0, concluded = 0, on_time = 0, corrections = 0, extensions = 0;
  for (int i = 0; i < 12; ++i) {
    data r;
    r.set("month", month_labels[i]);
    if (i >= over) {
      for (const char* k : {"received", "concluded", "on_time", "corrections", "extensions", "overdue"}) r.set(k, "—");
      rows.push_back(r);
      continue;
    }
    r.set("received", std::to_string(m.received[i]));
    r.set("concluded", std::to_string(m.concluded[i]));
    // Cases still overdue at the month's end count as not answered on time.
    r.set("on_time", percent(m.on_time[i], m.concluded[i] + m.overdue_at_end[i]));
    r.set("corrections", std::to_string(m.corrections[i]));
    r.set("extensions", std::to_string(m.extensions[i]));
    r.set("overdue", std::to_string(m.overdue_at_end[i]));
    rows.push_back(r);
    received += m.received[i];
    concluded += m.concluded[i];
    on_time += m.on_time[i];
    corrections += m.corrections[i];
    extensions += m.extensions[i];
  }
  d.set("months", rows);
  d.set("received", std::to_string(received));
  d.set("concluded", std::to_string(concluded));
  // On time among the conclusions and the cases still open past their due date at the last month's end.
  d.set("on_time_rate", percent(on_time, concluded + (over > 0 ? m.overdue_at_end[over - 1] : 0)));
  d.set("corrections", std::to_string(corrections));
  d.set("extensions", std::to_string(extensions));
  if (m.median_working_days) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", *m.median_working_days);
    d.set("median", std::string(buf));
  }
  // Outcomes by share: first conclusions of the year, as table 三 counts them.
  data outcomes{data::type::list};
  const auto total = f.annual.at("total").values[report::columns - 1];
  for (const auto& r : f.annual.applications) {
    const auto* code = find_outcome(r.key);
    if (!code || r.values[report::columns - 1] == 0) continue;
    data o;
    o.set("label", std::string(code->category_zh) + (code->reason_zh.empty() ? "" : " " + std::string(code->reason_zh)));
    o.set("count", std::to_string(r.values[report::columns - 1]));
    o.set("share", percent(r.values[report::columns - 1], total));
    outcomes.push_back(o);
  }
  d.set("outcomes", outcomes);
  return http::html_response(ctx.req, status::ok, render_page(std::to_string(year) + "年政府信息公开申请统计", "statistics", d));
}

http::response current(request_context& ctx) {
  return page(ctx, year_of(china_date(ctx.now_s())), false);
}

http::response by_year(request_context& ctx) {
  std::string_view what = ctx.params.at("year");
  bool as_csv = what.ends_with(".csv");
  return page(ctx, http::year_or_404(as_csv ? what.substr(0, what.size() - 4) : what), as_csv);
}

std::string escape(const std::string& s) { return http::html_escape(s); }

}  // namespace

std::string bar_chart(const std::string& title, const std::vector<std::string>& labels, const std::vector<series>& data) {
  const int width = 640, height = 260, left = 44, bottom = 40, top = 36, right = 10;
  long long max = 1;
  for (const auto& s : data)
    for (auto v : s.values) max = std::max(max, v);
  // A round top for the axis: 1, 2 or 5 times a power of ten.
  long long step = 1;
  while (step * 5 < max) step *= 10;
  long long axis = ((max + step - 1) / step) * step;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  const double group_w = plot_w / static_cast<double>(labels.size());
  const double bar_w = (group_w * 0.7) / static_cast<double>(data.size());
  char buf[256];
  std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                    "\" role=\"img\" aria-label=\"" + escape(title) + "\" xmlns=\"http://www.w3.org/2000/svg\">";
  svg += "<title>" + escape(title) + "</title>";
  svg += "<text x=\"" + std::to_string(left) + "\" y=\"20\" font-size=\"14\" fill=\"#1f2328\">" + escape(title) + "</text>";
  for (int tick = 0; tick <= 4; ++tick) {
    double y = top + plot_h - plot_h * tick / 4.0;
    std::snprintf(buf, sizeof buf, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d0d7de\"/>", left, y,
                  width - right, y);
    svg += buf;
    std::snprintf(buf, sizeof buf, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#59636e\">%lld</text>",
                  left - 4, y + 4, axis * tick / 4);
    svg += buf;
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    double gx = left + group_w * static_cast<double>(i) + group_w * 0.15;
    for (std::size_t s = 0; s < data.size(); ++s) {
      long long v = i < data[s].values.size() ? data[s].values[i] : 0;
      double h = plot_h * static_cast<double>(v) / static_cast<double>(axis);
      std::snprintf(buf, sizeof buf, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
                    gx + bar_w * static_cast<double>(s), top + plot_h - h, bar_w, h, data[s].colour.c_str());
      svg += buf;
      svg += "<title>" + escape(labels[i] + " " + data[s].name + "：" + std::to_string(v)) + "</title></rect>";
    }
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" fill=\"#59636e\">",
                  gx + group_w * 0.35, height - bottom + 16);
    svg += buf + escape(labels[i]) + "</text>";
  }
  double lx = left;
  for (const auto& s : data) {
    std::snprintf(buf, sizeof buf, "<rect x=\"%.1f\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", lx, height - 14,
                  s.colour.c_str());
    svg += buf;
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#1f2328\">", lx + 14, height - 5);
    svg += buf + escape(s.name) + "</text>";
    lx += 80;
  }
  return svg + "</svg>";
}

void add_routes(router& r) {
  //     method      pattern                 runs on     handler
  r.add(verb::get,   "/statistics",          run_on::db, current);
  r.add(verb::get,   "/statistics/{year}",   run_on::db, by_year);
}

}  // namespace gongkai::statistics_page
