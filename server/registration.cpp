
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

// ---- Registering an application received on paper, in person, by fax or orally ----
const std::vector<std::pair<std::string, std::string>>& channel_choices() {
  static const std::vector<std::pair<std::string, std::string>> c = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto ch : {intake_channel::in_person, intake_channel::registered_mail, intake_channel::ordinary_mail,
                    intake_channel::fax, intake_channel::oral})
      out.emplace_back(std::string(to_string(ch)), std::string(name_zh(ch)));
    return out;
  }();
  return c;
}

data register_data(request_context& ctx, const std::map<std::string, std::string>& values,
                   const std::map<std::string, field_problem>& problems) {
  auto d = citizen::application_form(ctx, values, problems);
  d.set("form_action", "/staff/register");
  d.set("csrf", auth::form_token(ctx));
  d.set("staff", true);
  data channels{data::type::list};
  for (const auto& [v, l] : channel_choices()) {
    data o;
    o.set("value", v);
    o.set("label", l);
    o.set("selected", http::value_of(values, "channel") == v);
    channels.push_back(o);
  }
  d.set("channels", channels);
  auto today = format_date(china_date(ctx.now_s()));
  d.set("v_sent_on", values.count("sent_on") ? http::value_of(values, "sent_on") : today);
  d.set("v_received_on", values.count("received_on") ? http::value_of(values, "received_on") : today);
  for (const char* k : {"channel", "sent_on", "received_on"})
    if (auto it = problems.find(k); it != problems.end()) d.set(std::string("e_") + k, it->second.message);
  return d;
}

http::response register_page(request_context& ctx) {
  auth::require(ctx, {"staff"});
  return http::html_response(ctx.req, status::ok, render_page("登记申请", "apply", register_data(ctx, {}, {})));
}

http::response register_submit(request_context& ctx) {
  auto u = auth::require(ctx, {"staff"});
  auto form = http::parse_form_body(ctx.req);
  auth::check_form_token(ctx, form);
  auto today = china_date(ctx.now_s());
  auto checked = validate_application(form, today);
  auto channel = parse_channel(http::value_of(form, "channel"));
  auto sent = parse_date(http::value_of(form, "sent_on"));
  auto received = parse_date(http::value_of(form, "received_on"));
  if (!channel || *channel == intake_channel::online) checked.problems["channel"] = {"invalid_choice", "请选择收件方式"};
  if (!sent) checked.problems["sent_on"] = {"invalid_format", "请填写日期"};
  if (!received) checked.problems["received_on"] = {"invalid_format", "请填写日期"};
  if (channel && sent && received)
    if (auto why = check_receipt_date(*channel, *received, *sent, today)) checked.problems["received_on"] = {"invalid_date", *why};
  if (!checked.problems.empty())
    return http::html_response(ctx.req, status::unprocessable_entity,
                               render_page("登记申请", "apply", register_data(ctx, form, checked.problems)));
  return citizen::file_and_receipt(ctx, checked.app, *channel, *received, "", actor{role::staff, u.username});
}

}  // namespace

void add_registration_routes(router& r) {
  //     method      pattern                                  runs on     handler
  r.add(verb::get,   "/staff/register",                       run_on::db, register_page);
  r.add(verb::post,  "/staff/register",                       run_on::db, register_submit);
}

}  // namespace gongkai::staff
