#include "server/templates.hpp"

#include "core/clock.hpp"
#include "server/http.hpp"

namespace gongkai {

std::string render_page(std::string_view title, std::string_view body_template, const template_data& data) {
  template_data page;
  page.set("title", std::string(title));
  if (test_clock::enabled()) {
    page.set("test_mode", true);
    page.set("clock", test_clock::format_iso8601_china(unix_now_ms()));
  }
  page.set("body", render_template(body_template, data));
  return render_template("layout", page);
}

std::string render_error_page(const http::http_error& e) {
  template_data d;
  d.set("status", std::to_string(static_cast<unsigned>(e.status)));
  d.set("message", std::string(e.what()));
  kainjow::mustache::data fields{kainjow::mustache::data::type::list};
  for (const auto& [name, message] : e.fields) {
    template_data f;
    f.set("name", name);
    f.set("message", message);
    fields.push_back(f);
  }
  d.set("has_fields", !e.fields.empty());
  d.set("fields", fields);
  return render_page("出错了", "error", d);
}

}  // namespace gongkai
