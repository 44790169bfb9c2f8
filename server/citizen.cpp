#include "server/citizen_common.hpp"

#include "app/filing.hpp"
#include "app/notifications.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "server/config.hpp"
#include "server/letters.hpp"
#include "sql/applications.hpp"
#include "sql/staff.hpp"
#include "workflow/deadlines.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace gongkai::citizen {

namespace {

data options(const choices& list, const std::string& selected) {
  data out{data::type::list};
  for (const auto& [v, l] : list) {
    data o;
    o.set("value", v);
    o.set("label", l);
    o.set("selected", v == selected);
    out.push_back(o);
  }
  return out;
}

}  // namespace

// ---- Filing ----
data application_form(request_context& ctx, const std::map<std::string, std::string>& values,
               const std::map<std::string, field_problem>& problems) {
  data d;
  d.set("form_action", "/apply");
  d.set("csrf", crypto::sign_form_token(ctx.svc.form_key, "apply", ctx.now_s(), form_lifetime_seconds));
  for (auto name : application_fields()) {
    std::string key(name);
    d.set("v_" + key, http::value_of(values, key));
    if (auto it = problems.find(key); it != problems.end()) d.set("e_" + key, it->second.message);
  }
  d.set("categories", options(category_choices(), values.count("category") ? values.at("category") : "natural_person"));
  d.set("id_types", options(id_type_choices(), values.count("id_type") ? values.at("id_type") : "resident_id"));
  d.set("info_forms", options(form_choices(), values.count("info_form") ? values.at("info_form") : "electronic"));
  d.set("deliveries", options(delivery_choices(), values.count("delivery") ? values.at("delivery") : "download"));
  if (!problems.empty()) {
    data list{data::type::list};
    for (auto name : application_fields()) {
      auto it = problems.find(std::string(name));
      if (it == problems.end()) continue;
      data e;
      e.set("field", std::string(name));
      e.set("message", it->second.message);
      list.push_back(e);
    }
    d.set("error_list", list);
    d.set("has_errors", true);
  }
  return d;
}

http::response file_and_receipt(request_context& ctx, const application& app, intake_channel channel, date received_on,
                                const std::string& nonce, const actor& who) {
  return receipt_page(ctx, app, filing::file(*ctx.db, *calendar(ctx), app, channel, received_on, nonce, who, ctx.now_ms));
}

void add_routes(router& r) {
  add_form_routes(r);
  add_api_routes(r);
}

}  // namespace gongkai::citizen
