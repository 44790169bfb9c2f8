
#include "server/staff_common.hpp"
#include "app/filing.hpp"
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

// The Art. 31 checks of a registration: the application itself, the channel it came by (not online),
// the dates it was sent and received, and whether that receipt date is possible for that channel.
struct registration {
  validated_application checked;
  std::optional<intake_channel> channel;
  std::optional<date> received;
};

registration check_registration(request_context& ctx, const std::map<std::string, std::string>& fields) {
  auto today = china_date(ctx.now_s());
  registration r{validate_application(fields, today), parse_channel(http::value_of(fields, "channel")),
                 parse_date(http::value_of(fields, "received_on"))};
  auto sent = parse_date(http::value_of(fields, "sent_on"));
  auto& problems = r.checked.problems;
  if (!r.channel || *r.channel == intake_channel::online) problems["channel"] = {"invalid_choice", "请选择收件方式"};
  if (!sent) problems["sent_on"] = {"invalid_format", "请填写日期"};
  if (!r.received) problems["received_on"] = {"invalid_format", "请填写日期"};
  if (r.channel && sent && r.received)
    if (auto why = check_receipt_date(*r.channel, *r.received, *sent, today)) problems["received_on"] = {"invalid_date", *why};
  return r;
}

http::response register_submit(request_context& ctx) {
  auto u = auth::require(ctx, {"staff"});
  auto form = http::parse_form_body(ctx.req);
  auth::check_form_token(ctx, form);
  auto r = check_registration(ctx, form);
  if (!r.checked.problems.empty())
    return http::html_response(ctx.req, status::unprocessable_entity,
                               render_page("登记申请", "apply", register_data(ctx, form, r.checked.problems)));
  return citizen::file_and_receipt(ctx, r.checked.app, *r.channel, *r.received, "", actor{role::staff, u.username});
}

// POST /api/v1/cases: the same registration as JSON (every field a string), for systems that register
// paper applications.
http::response register_api(request_context& ctx) {
  auto u = auth::require(ctx, {"staff"});
  auto body = http::parse_json_body(ctx.req);
  std::map<std::string, std::string> fields;
  http::http_error wrong(status::unprocessable_entity, "invalid_fields", "申请内容有误，请按提示修改");
  for (const auto& [k, v] : body) {
    if (v.is_string()) fields[std::string(k)] = std::string(v.as_string());
    else if (!v.is_null()) {
      wrong.fields[std::string(k)] = "须为字符串";
      wrong.field_codes[std::string(k)] = "wrong_type";
    }
  }
  // Received in person the day it was handed in: the sending date defaults to the receipt date.
  if (!fields.count("sent_on") && fields.count("received_on")) fields["sent_on"] = fields["received_on"];
  auto r = check_registration(ctx, fields);
  for (const auto& [name, p] : r.checked.problems) {
    wrong.fields[name] = p.message;
    wrong.field_codes[name] = p.code;
  }
  if (!wrong.fields.empty()) throw wrong;
  auto receipt = filing::file(*ctx.db, *calendar(ctx), r.checked.app, *r.channel, *r.received, "",
                              actor{role::staff, u.username}, ctx.now_ms);
  const auto& row = receipt.filed.row;
  auto out = citizen::receipt_json(receipt);
  out["channel"] = to_string(*r.channel);
  out["overdue"] = receipt.clocks.overdue(china_date(ctx.now_s()));
  out["version"] = row.version;
  auto res = http::json_response(ctx.req, status::created, out);
  res.set(http::bhttp::field::location, "/api/v1/cases/" + row.tracking_no);
  return res;
}

}  // namespace

void add_registration_routes(router& r) {
  //     method      pattern                                  runs on     handler
  r.add(verb::get,   "/staff/register",                       run_on::db, register_page);
  r.add(verb::post,  "/staff/register",                       run_on::db, register_submit);
  r.add(verb::post,  "/api/v1/cases",                         run_on::db, register_api);
}

}  // namespace gongkai::staff
