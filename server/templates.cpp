#include "server/templates.hpp"

#include "server/embedded.hpp"
#include "server/http.hpp"

#include <map>
#include <stdexcept>

namespace gongkai {

namespace {

kainjow::mustache::mustache& parsed(std::string_view name) {
  // kainjow's render() is not const, so each thread keeps its own parsed copies.
  thread_local std::map<std::string, kainjow::mustache::mustache, std::less<>> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  auto source = embedded::find("web/templates/" + std::string(name) + ".mustache");
  if (!source) throw std::logic_error("unknown template " + std::string(name));
  kainjow::mustache::mustache m{std::string(*source)};
  if (!m.is_valid()) throw std::logic_error("template " + std::string(name) + ": " + m.error_message());
  return cache.emplace(std::string(name), std::move(m)).first->second;
}

}  // namespace

std::string render_template(std::string_view name, const template_data& data) {
  return parsed(name).render(data);
}

std::string render_page(std::string_view title, std::string_view body_template, const template_data& data) {
  template_data page;
  page.set("title", std::string(title));
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
