
#include "server/staff_common.hpp"
#include "server/case_actions.hpp"
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

// ---- The case page ----
http::response case_page(request_context& ctx, const user& u, const std::string& no, bool reveal, status s,
                         const std::string& error) {
  auto view = load_detail(ctx, u, no);
  const auto* row = &view.row;
  const auto& log = view.log;
  const auto& clocks = view.clocks;
  const auto& app = view.app;
  const bool may_see_identity = view.may_see_identity;

  data d = nav(ctx, u);
  d.set("tracking_no", row->tracking_no);
  d.set("version", std::to_string(row->version));
  d.set("state_zh", std::string(name_zh(row->state)));
  d.set("received_on", format_date(row->received_on));
  d.set("assignee", row->assignee.empty() ? std::string("未分配") : row->assignee);
  if (!error.empty()) d.set("error", error);
  if (app) {
    d.set("name", show_invisible(app->name));
    d.set("category", std::string(name_zh(app->category)));
    // Invisible and direction-changing characters in free text are shown, never silently rendered.
    d.set("description", show_invisible(app->description));
    d.set("address", show_invisible(app->address));
    d.set("email", app->email);
    d.set("contact_person", app->contact_person);
    const std::string id = app->id_number.empty() ? app->credit_code : app->id_number;
    d.set("identity", reveal && may_see_identity ? id : mask_identity(id));
    d.set("phone", reveal && may_see_identity ? app->phone : mask_phone(app->phone));
    if (may_see_identity && !reveal) d.set("can_reveal", true);
  }
  // Every clock with its explanation.
  data clocks_list{data::type::list};
  auto add_clock = [&](const char* title, const clock& c) {
    if (!c.due && c.explanation.empty()) return;
    data item;
    item.set("title", std::string(title));
    if (c.due) item.set("due", format_date(*c.due));
    item.set("provisional", c.provisional);
    data lines{data::type::list};
    for (const auto& l : c.explanation) lines.push_back(data(l));
    item.set("lines", lines);
    clocks_list.push_back(item);
  };
  add_clock("答复期限", clocks.reply);
  if (row->state == case_state::received) add_clock("补正告知期限", clocks.correction_notice);
  add_clock("补正期限", clocks.correction_period);
  add_clock("征求意见期限", clocks.consultation);
  add_clock("申请行政复议期限", clocks.reconsideration);
  add_clock("提起行政诉讼期限", clocks.litigation);
  d.set("clocks", clocks_list);
  if (view.overdue) d.set("overdue", true);
  // The timeline: who did what, when, and why.
  data steps{data::type::list};
  for (const auto& t : log) {
    data step;
    step.set("date", format_date(t.effective_on));
    auto kind = parse_event(t.event);
    step.set("name", step_name_zh(t));
    step.set("actor", t.actor + "（" + std::string(parse_role(t.actor_role) ? name_zh(*parse_role(t.actor_role)) : "") + "）");
    // An event dated on another day than it was entered (China time) says so, with when it was entered.
    if (kind && china_date(t.occurred_at_ms / 1000) != t.effective_on) {
      const long long minute = (t.occurred_at_ms / 1000 + 8 * 3600) % 86400 / 60;
      auto two = [](long long n) { return (n < 10 ? "0" : "") + std::to_string(n); };
      const std::string entered =
          format_date(china_date(t.occurred_at_ms / 1000)) + " " + two(minute / 60) + ":" + two(minute % 60);
      step.set("recorded", t.effective_on < china_date(t.occurred_at_ms / 1000) ? "（补录，录入于 " + entered + "）"
                                                                                 : "（录入于 " + entered + "）");
    }
    auto payload = json::parse(t.payload);
    std::string detail;
    if (payload.is_object()) {
      for (const auto& [k, v] : payload.as_object()) {
        if (v.is_string() && !v.as_string().empty()) detail += std::string(k) + "：" + std::string(v.as_string()) + "；";
        else if (v.is_int64()) detail += std::string(k) + "：" + std::to_string(v.as_int64()) + "；";
      }
    }
    step.set("detail", show_invisible(detail));
    steps.push_back(step);
  }
  d.set("steps", steps);
  letters::add_list(d, letters::of_case(log, false));
  // Only the actions the machine allows in this state for this user's roles.
  data actions{data::type::list};
  for (const auto* form : view.allowed) {
    data a;
    a.set("event", std::string(to_string(form->kind)));
    a.set("label", std::string(name_zh(form->kind)));
    for (const char* f : form->fields) a.set(std::string("f_") + f, true);
    if (form->kind == event_kind::answer) {
      data outcomes{data::type::list};
      for (const auto& o : outcome_codes()) {
        data item;
        item.set("code", std::string(o.code));
        item.set("label", std::string(o.category_zh) + (o.reason_zh.empty() ? "" : " " + std::string(o.reason_zh)));
        outcomes.push_back(item);
      }
      a.set("outcomes", outcomes);
    }
    actions.push_back(a);
  }
  d.set("actions", actions);
  d.set("has_actions", !actions.is_empty_list());
  d.set("today", format_date(china_date(ctx.now_s())));
  if (view.can_claim) d.set("can_claim", true);
  if (view.can_assign) {
    d.set("staff_users", staff_options(ctx, row->assignee));
    d.set("can_assign", true);
  }
  d.set("can_note", view.handler);
  return http::html_response(ctx.req, s, render_page("案件 " + row->tracking_no, "case", d));
}

http::response case_letter(request_context& ctx) {
  auth::require(ctx, {"staff", "supervisor"});
  auto row = cases::find(*ctx.db, ctx.params.at("tracking_no"));
  if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
  int seq = 0;
  try {
    seq = std::stoi(ctx.params.at("seq"));
  } catch (const std::exception&) {
  }
  auto page = letters::render(*ctx.db, *row, cases::transitions(*ctx.db, row->id), seq, *calendar(ctx), false);
  if (!page) throw http::http_error(status::not_found, "not_found", "没有该文书");
  return http::html_response(ctx.req, status::ok, *page);
}

http::response case_view(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  return case_page(ctx, u, ctx.params.at("tracking_no"), false, status::ok, "");
}

// Runs a case action from a page; a refusal re-renders the case page with the reason and its status.
template <class F>
http::response page_action(request_context& ctx, F&& action) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto form = http::parse_form_body(ctx.req);
  auth::check_form_token(ctx, form);
  const auto& no = ctx.params.at("tracking_no");
  try {
    action(u, form);
  } catch (const domain_error& e) {
    if (e.kind == error_kind::not_found) throw;
    return case_page(ctx, u, no, false, http::status_of(e), e.code == "conflict" ? case_changed : std::string(e.what()));
  }
  return auth::redirect(ctx, "/staff/cases/" + no);
}

http::response case_event_submit(request_context& ctx) {
  return page_action(ctx, [&](const user& u, const std::map<std::string, std::string>& form) {
    fire_for(ctx, u, ctx.params.at("tracking_no"), http::value_of(form, "event"), form, parse_version(http::value_of(form, "version")));
  });
}

http::response case_claim(request_context& ctx) {
  return page_action(ctx, [&](const user& u, const std::map<std::string, std::string>& form) {
    claim(ctx, u, ctx.params.at("tracking_no"), parse_version(http::value_of(form, "version")));
  });
}

http::response case_assign(request_context& ctx) {
  return page_action(ctx, [&](const user& u, const std::map<std::string, std::string>& form) {
    assign(ctx, u, ctx.params.at("tracking_no"), parse_version(http::value_of(form, "version")),
           http::value_of(form, "assignee"));
  });
}

http::response case_note(request_context& ctx) {
  return page_action(ctx, [&](const user& u, const std::map<std::string, std::string>& form) {
    note(ctx, u, ctx.params.at("tracking_no"), parse_version(http::value_of(form, "version")), http::value_of(form, "text"));
  });
}

http::response case_reveal(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auth::check_form_token(ctx, http::parse_form_body(ctx.req));
  auto row = cases::find(*ctx.db, ctx.params.at("tracking_no"));
  if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
  reveal(ctx, u, *row);
  return case_page(ctx, u, row->tracking_no, true, status::ok, "");
}

// ---- The events API for other office systems ----
http::response api_event(request_context& ctx) {
  auto u = auth::require(ctx, {"staff", "supervisor"});
  auto fields = json_fields(ctx);
  auto row = fire_for(ctx, u, ctx.params.at("tracking_no"), http::value_of(fields, "event"), fields, parse_version(http::value_of(fields, "version")));
  return http::json_response(ctx.req, status::ok,
                             json::object{{"tracking_no", row.tracking_no},
                                          {"state", to_string(row.state)},
                                          {"version", row.version},
                                          {"reply_due", row.reply_due ? json::value(format_date(*row.reply_due)) : json::value(nullptr)}});
}

}  // namespace

void add_case_routes(router& r) {
  //     method      pattern                                  runs on     handler
  r.add(verb::get,   "/staff/cases/{tracking_no}",            run_on::db, case_view);
  r.add(verb::post,  "/staff/cases/{tracking_no}/events",     run_on::db, case_event_submit);
  r.add(verb::post,  "/staff/cases/{tracking_no}/claim",      run_on::db, case_claim);
  r.add(verb::post,  "/staff/cases/{tracking_no}/assign",     run_on::db, case_assign);
  r.add(verb::post,  "/staff/cases/{tracking_no}/note",       run_on::db, case_note);
  r.add(verb::post,  "/staff/cases/{tracking_no}/reveal",     run_on::db, case_reveal);
  r.add(verb::get,   "/staff/cases/{tracking_no}/letters/{seq}", run_on::db, case_letter);
  r.add(verb::post,  "/api/v1/requests/{tracking_no}/events", run_on::db, api_event);
}

}  // namespace gongkai::staff
