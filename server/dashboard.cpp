
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

data case_list(const std::vector<staff_store::queue_row>& rows, date today, const working_calendar& cal) {
  data list{data::type::list};
  for (const auto& r : rows) {
    data item;
    item.set("tracking_no", r.tracking_no);
    item.set("state_zh", std::string(name_zh(r.state)));
    item.set("assignee", r.assignee.empty() ? std::string("未分配") : r.assignee);
    if (r.reply_due) {
      item.set("due", format_date(*r.reply_due));
      int late = *r.reply_due < today ? working_days_between(cal, *r.reply_due, today) : 0;
      if (late) item.set("late", std::to_string(late));
    }
    list.push_back(item);
  }
  return list;
}

http::response dashboard_page(request_context& ctx) {
  auto u = auth::require(ctx, {"supervisor"});
  auto cal = calendar(ctx);
  auto today = china_date(ctx.now_s());
  staff_store::queue_filter f;
  f.today = today;
  // A summary: the 50 most urgent of each list, with the bounded count; the whole list is the queue's view.
  f.page_size = dashboard_list_size;
  f.overdue_only = true;
  auto overdue = staff_store::queue(*ctx.db, f);
  f.overdue_only = false;
  f.due_from = today;  // the overdue ones come first in the due order: without this bound, 50 of them
  f.due_by = add_working_days(*cal, today, 3).end;  // would fill the page and leave no case due soon
  auto soon = staff_store::queue(*ctx.db, f);
  const auto& due_soon = soon.rows;
  data d = nav(ctx, u);
  // Every figure is bounded: past its cap it reads "N+".
  auto bounded = [](std::size_t n, int cap) { return n > static_cast<std::size_t>(cap) ? std::to_string(cap) + "+" : std::to_string(n); };
  d.set("overdue", case_list(overdue.rows, today, *cal));
  d.set("overdue_count", bounded(overdue.total, overdue.cap));
  d.set("due_soon", case_list(due_soon, today, *cal));
  d.set("due_soon_count", bounded(soon.total, soon.cap));
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
  auto extensions = staff_store::pending_extensions(*ctx.db, *cal);
  d.set("extensions", waiting_list(extensions));
  d.set("extensions_count", bounded(extensions.size(), staff_store::waiting_list_cap));
  auto corrections = staff_store::correction_window_open(*ctx.db, *cal, today);
  d.set("corrections", waiting_list(corrections));
  d.set("corrections_count", bounded(corrections.size(), staff_store::waiting_list_cap));
  data stats{data::type::list};
  for (const auto& s : staff_store::staff_stats(*ctx.db)) {
    data item;
    item.set("assignee", s.assignee);
    item.set("open", std::to_string(s.open));
    item.set("concluded", std::to_string(s.concluded));
    item.set("on_time_rate", s.concluded ? std::to_string((s.on_time * 100 + s.concluded / 2) / s.concluded) + "%" : "-");
    stats.push_back(item);
  }
  d.set("stats", stats);
  return http::html_response(ctx.req, status::ok, render_page("负责人工作台", "dashboard", d));
}

}  // namespace

void add_dashboard_routes(router& r) {
  //     method      pattern                                  runs on     handler
  r.add(verb::get,   "/staff/dashboard",                      run_on::db, dashboard_page);
}

}  // namespace gongkai::staff
