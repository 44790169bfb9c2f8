
#include "server/staff_common.hpp"
#include "server/auth.hpp"
#include "server/login.hpp"
#include "server/citizen.hpp"
#include "server/config.hpp"
#include "core/crypto.hpp"
#include "server/letters.hpp"
#include "app/notifications.hpp"
#include "sql/outbox.hpp"
#include "server/templates.hpp"
#include "sql/staff.hpp"
#include "workflow/case_machine.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/parse_query.hpp>

#include <set>

namespace gongkai::staff {

namespace {

// ---- The supervisor's dashboard ----
constexpr std::size_t dashboard_list_size = 50;

// What the dashboard shows, for the page and the API: each list the 50 most urgent, each count bounded.
struct dashboard {
  date today{};
  staff_store::queue_page overdue, due_soon;
  std::vector<staff_store::waiting_case> extensions, corrections;
  std::vector<staff_store::staff_stat> stats;
};

dashboard load_dashboard(request_context& ctx, const working_calendar& cal) {
  dashboard b;
  b.today = china_date(ctx.now_s());
  staff_store::queue_filter f;
  f.today = b.today;
  // A summary: the 50 most urgent of each list, with the bounded count; the whole list is the queue's view.
  f.page_size = dashboard_list_size;
  f.overdue_only = true;
  b.overdue = staff_store::queue(*ctx.db, f);
  f.overdue_only = false;
  f.due_from = b.today;  // the overdue ones come first in the due order: without this bound, 50 of them
  f.due_by = add_working_days(cal, b.today, 3).end;  // would fill the page and leave no case due soon
  b.due_soon = staff_store::queue(*ctx.db, f);
  b.extensions = staff_store::pending_extensions(*ctx.db, cal);
  b.corrections = staff_store::correction_window_open(*ctx.db, cal, b.today);
  b.stats = staff_store::staff_stats(*ctx.db);
  return b;
}

// Past its cap a count reads "N+".
std::string bounded(std::size_t n, int cap) {
  return n > static_cast<std::size_t>(cap) ? std::to_string(cap) + "+" : std::to_string(n);
}

int working_days_late(const staff_store::queue_row& r, date today, const working_calendar& cal) {
  return r.reply_due && *r.reply_due < today ? working_days_between(cal, *r.reply_due, today) : 0;
}

data case_list(const std::vector<staff_store::queue_row>& rows, date today, const working_calendar& cal) {
  data list{data::type::list};
  for (const auto& r : rows) {
    data item;
    item.set("tracking_no", r.tracking_no);
    item.set("state_zh", std::string(name_zh(r.state)));
    item.set("assignee", r.assignee.empty() ? std::string("未分配") : r.assignee);
    if (r.reply_due) {
      item.set("due", format_date(*r.reply_due));
      if (int late = working_days_late(r, today, cal)) item.set("late", std::to_string(late));
    }
    list.push_back(item);
  }
  return list;
}

std::string on_time_rate(const staff_store::staff_stat& s) {
  return s.concluded ? std::to_string((s.on_time * 100 + s.concluded / 2) / s.concluded) + "%" : "-";
}

http::response dashboard_page(request_context& ctx) {
  auto u = auth::require(ctx, {"supervisor"});
  auto cal = calendar(ctx);
  auto b = load_dashboard(ctx, *cal);
  data d = nav(ctx, u);
  d.set("overdue", case_list(b.overdue.rows, b.today, *cal));
  d.set("overdue_count", bounded(b.overdue.total, b.overdue.cap));
  d.set("due_soon", case_list(b.due_soon.rows, b.today, *cal));
  d.set("due_soon_count", bounded(b.due_soon.total, b.due_soon.cap));
  auto waiting_list = [](const std::vector<staff_store::waiting_case>& cases) {
    data list{data::type::list};
    for (std::size_t i = 0; i < cases.size() && i < dashboard_list_size; ++i) {
      const auto& w = cases[i];
      data item;
      item.set("tracking_no", w.tracking_no);
      item.set("limit", format_date(w.limit));
      if (w.days) item.set("days", std::to_string(w.days));
      list.push_back(item);
    }
    return list;
  };
  d.set("extensions", waiting_list(b.extensions));
  d.set("extensions_count", bounded(b.extensions.size(), staff_store::waiting_list_cap));
  d.set("corrections", waiting_list(b.corrections));
  d.set("corrections_count", bounded(b.corrections.size(), staff_store::waiting_list_cap));
  data stats{data::type::list};
  for (const auto& s : b.stats) {
    data item;
    item.set("assignee", s.assignee);
    item.set("open", std::to_string(s.open));
    item.set("concluded", std::to_string(s.concluded));
    item.set("on_time_rate", on_time_rate(s));
    stats.push_back(item);
  }
  d.set("stats", stats);
  return http::html_response(ctx.req, status::ok, render_page("负责人工作台", "dashboard", d));
}

// GET /api/v1/dashboard: the same lists and counts as JSON (supervisors).
http::response dashboard_api(request_context& ctx) {
  auth::require(ctx, {"supervisor"});
  auto cal = calendar(ctx);
  auto b = load_dashboard(ctx, *cal);
  auto count = [](std::size_t n, int cap) {
    return json::object{{"count", std::min<std::size_t>(n, static_cast<std::size_t>(cap))}, {"more", n > static_cast<std::size_t>(cap)}};
  };
  auto cases = [&](const staff_store::queue_page& p) {
    json::array out;
    for (const auto& r : p.rows)
      out.push_back(json::object{{"tracking_no", r.tracking_no},
                                 {"state", to_string(r.state)},
                                 {"assignee", r.assignee.empty() ? json::value(nullptr) : json::value(r.assignee)},
                                 {"reply_due", r.reply_due ? json::value(format_date(*r.reply_due)) : json::value(nullptr)},
                                 {"working_days_late", working_days_late(r, b.today, *cal)}});
    auto o = count(static_cast<std::size_t>(p.total), p.cap);
    o["cases"] = std::move(out);
    return o;
  };
  auto waiting = [&](const std::vector<staff_store::waiting_case>& list) {
    json::array out;
    for (std::size_t i = 0; i < list.size() && i < dashboard_list_size; ++i)
      out.push_back(json::object{{"tracking_no", list[i].tracking_no}, {"limit", format_date(list[i].limit)}, {"days", list[i].days}});
    auto o = count(list.size(), staff_store::waiting_list_cap);
    o["cases"] = std::move(out);
    return o;
  };
  json::array staff;
  for (const auto& s : b.stats)
    staff.push_back(json::object{{"assignee", s.assignee}, {"open", s.open}, {"concluded", s.concluded}, {"on_time", s.on_time}});
  return http::json_response(ctx.req, status::ok,
                             json::object{{"today", format_date(b.today)},
                                          {"overdue", cases(b.overdue)},
                                          {"due_within_3_working_days", cases(b.due_soon)},
                                          {"extensions_awaiting_approval", waiting(b.extensions)},
                                          {"correction_windows_open", waiting(b.corrections)},
                                          {"staff", std::move(staff)}});
}

}  // namespace

void add_dashboard_routes(router& r) {
  //     method      pattern                                  runs on     handler
  r.add(verb::get,   "/staff/dashboard",                      run_on::db, dashboard_page);
  r.add(verb::get,   "/api/v1/dashboard",                     run_on::db, dashboard_api);
}

}  // namespace gongkai::staff
