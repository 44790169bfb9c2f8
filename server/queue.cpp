
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

// ---- The work queue ----
http::response queue_page(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto q = http::query_params(ctx.req);
  auto cal = calendar(ctx);
  staff_store::queue_filter f;
  f.today = china_date(ctx.now_s());
  f.me = u.username;
  auto view = http::value_of(q, "view");
  f.which = view == "mine" ? staff_store::queue_filter::view::mine
            : view == "unassigned" ? staff_store::queue_filter::view::unassigned
                                   : staff_store::queue_filter::view::all;
  f.state = parse_state(http::value_of(q, "state"));
  f.overdue_only = http::value_of(q, "overdue") == "1";
  if (auto n = http::value_of(q, "due_within"); !n.empty() && n.size() < 4 && n.find_first_not_of("0123456789") == std::string::npos)
    f.due_by = add_working_days(*cal, f.today, std::max(1, std::stoi(n))).end;
  f.channel = http::value_of(q, "channel");
  f.category = http::value_of(q, "category");
  f.received_from = parse_date(http::value_of(q, "from"));
  f.received_to = parse_date(http::value_of(q, "to"));
  f.search = http::value_of(q, "q").substr(0, 100);
  f.sort_by_received = http::value_of(q, "sort") == "received";
  // Pages are keyset pages: "下一页" carries where this page ends (after=KEY.ID, KEY the order's date), so
  // a deep page costs what the first does. page= is only the number shown, carried along with after=.
  f.after = parse_queue_cursor(http::value_of(q, "after"));
  int shown = 1;
  if (auto p = http::value_of(q, "page"); f.after && !p.empty() && p.size() < 7 && p.find_first_not_of("0123456789") == std::string::npos)
    shown = std::max(1, std::stoi(p));
  auto page = staff_store::queue(*ctx.db, f);

  data d = nav(ctx, u);
  data rows{data::type::list};
  for (const auto& r : page.rows) {
    data row;
    row.set("tracking_no", r.tracking_no);
    row.set("received_on", format_date(r.received_on));
    row.set("state_zh", std::string(name_zh(r.state)));
    row.set("assignee", r.assignee.empty() ? std::string("未分配") : r.assignee);
    row.set("name", show_invisible(r.name));
    row.set("masked_id", r.masked_id);
    row.set("masked_phone", r.masked_phone);
    bool open = is_open(r.state);
    if (r.reply_due && open) {
      row.set("reply_due", format_date(*r.reply_due));
      int left = working_days_left(*cal, f.today, *r.reply_due);
      row.set("days_left", std::to_string(left));
      row.set("overdue", *r.reply_due < f.today);
      row.set("provisional", r.due_provisional);
    }
    rows.push_back(row);
  }
  d.set("rows", rows);
  d.set("total", page.total > page.cap ? std::to_string(page.cap) + "+" : std::to_string(page.total));
  d.set("page", std::to_string(shown));
  // Paging keeps every filter.
  std::string base = "/staff?view=" + (view.empty() ? std::string("all") : view);
  for (const char* key : {"state", "overdue", "due_within", "channel", "category", "from", "to", "q", "sort"})
    if (auto v = http::value_of(q, key); !v.empty()) base += std::string("&") + key + "=" + boost::urls::encode(v, boost::urls::unreserved_chars);
  if (f.after) d.set("first", base);
  if (page.next)
    d.set("next", base + "&after=" + page.next->key + "." + std::to_string(page.next->id) + "&page=" + std::to_string(shown + 1));
  d.set("q", f.search);
  d.set("view_" + (view.empty() ? std::string("all") : view), true);
  d.set("states", select_options(all_states, f.state ? std::string(to_string(*f.state)) : std::string()));
  d.set("overdue_checked", f.overdue_only);
  d.set("due_within", http::value_of(q, "due_within"));
  d.set("sort_received", f.sort_by_received);
  d.set("from", http::value_of(q, "from"));
  d.set("to", http::value_of(q, "to"));
  d.set("channels", select_options(std::initializer_list<intake_channel>{intake_channel::online, intake_channel::in_person, intake_channel::registered_mail,
                                     intake_channel::ordinary_mail, intake_channel::fax, intake_channel::oral},
                                    f.channel));
  d.set("categories", select_options(all_categories, f.category));
  if (is_supervisor(u)) {
    d.set("staff_users", staff_options(ctx, ""));
  }
  return http::html_response(ctx.req, status::ok, render_page("工作台", "queue", d));
}

// A supervisor moves several cases to one staff member at once: each move is its own transition, all in
// one transaction (all moved, or none).
http::response bulk_assign(request_context& ctx) {
  auto u = auth::require(ctx, {"supervisor"});
  auto form = http::parse_form_body(ctx.req);
  auth::check_form_token(ctx, form);
  auto to = http::value_of(form, "assignee");
  auto target = users::find(*ctx.db, to);
  if (!target || target->disabled || !target->has_role("staff"))
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "请选择承办人", {{"assignee", "承办人不存在"}});
  std::vector<std::string> numbers;
  for (const auto& [key, value] : form)
    if (key.starts_with("case_") && value == "on") numbers.push_back(key.substr(5));
  if (numbers.empty()) throw http::http_error(status::unprocessable_entity, "invalid_fields", "请至少选择一个案件");
  staff_store::assign_all(*ctx.db, numbers, to, actor{role::supervisor, u.username}, ctx.now_ms);
  return auth::redirect(ctx, "/staff?view=all");
}

// ---- The staff inbox: notices for this user (kept here when no relay or no address) ----
http::response inbox_page(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  data d = nav(ctx, u);
  auto messages = outbox::for_user(*ctx.db, u.username, 200);
  d.set("messages", notifications::list_data(messages));
  d.set("has_messages", !messages.empty());
  return http::html_response(ctx.req, status::ok, render_page("通知", "inbox", d));
}

}  // namespace

void add_queue_routes(router& r) {
  //     method      pattern                                  runs on     handler
  r.add(verb::get,   "/staff",                                run_on::db, queue_page);
  r.add(verb::get,   "/staff/inbox",                          run_on::db, inbox_page);
  r.add(verb::post,  "/staff/bulk-assign",                    run_on::db, bulk_assign);
}

}  // namespace gongkai::staff
