#include "app/templates.hpp"

#include "core/embedded.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace gongkai {

namespace {

std::string& template_directory() {
  static std::string dir;
  return dir;
}

struct cached_template {
  std::string origin;  // the file it came from; empty for the compiled-in copy
  std::filesystem::file_time_type mtime{};
  std::unique_ptr<kainjow::mustache::mustache> tmpl;
};

kainjow::mustache::mustache& parsed(std::string_view name) {
  // kainjow's render() is not const, so each thread keeps its own parsed copies.
  thread_local std::map<std::string, cached_template, std::less<>> cache;
  auto& entry = cache[std::string(name)];
  std::string source, origin;
  const auto& dir = template_directory();
  if (!dir.empty()) {
    std::filesystem::path file = std::filesystem::path(dir) / "templates" / (std::string(name) + ".mustache");
    std::error_code ec;
    auto mtime = std::filesystem::last_write_time(file, ec);
    if (!ec) {
      origin = file.string();
      if (entry.tmpl && entry.origin == origin && entry.mtime == mtime) return *entry.tmpl;
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      source = text.str();
      entry.mtime = mtime;
    }
  }
  entry.origin = origin;
  if (source.empty()) {
    if (entry.tmpl && origin.empty() && entry.mtime == std::filesystem::file_time_type{}) return *entry.tmpl;
    entry.mtime = {};
    auto compiled = embedded::find("web/templates/" + std::string(name) + ".mustache");
    if (!compiled) throw std::logic_error("unknown template " + std::string(name));
    source = std::string(*compiled);
  }
  auto m = std::make_unique<kainjow::mustache::mustache>(source);
  if (!m->is_valid()) throw std::logic_error("template " + std::string(name) + ": " + m->error_message());
  entry.tmpl = std::move(m);
  return *entry.tmpl;
}

}  // namespace

void set_template_directory(const std::string& dir) { template_directory() = dir; }

std::string render_template(std::string_view name, const template_data& data) {
  auto& t = parsed(name);
  t.set_custom_escape(kainjow::mustache::html_escape<std::string>);
  return t.render(data);
}

std::string render_text_template(std::string_view name, const template_data& data) {
  auto& t = parsed(name);
  t.set_custom_escape([](const std::string& s) { return s; });
  return t.render(data);
}

}  // namespace gongkai
