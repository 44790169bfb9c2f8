#pragma once
// Files compiled into the binary: web templates, static assets and SQL migrations (see cmake/embed.cmake).
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace gongkai::embedded {

struct file {
  std::string_view path;     // relative to the source tree, e.g. "web/static/app.css"
  std::string_view content;
};

const std::vector<file>& files();

inline std::optional<std::string_view> find(std::string_view path) {
  for (const auto& f : files())
    if (f.path == path) return f.content;
  return std::nullopt;
}

// The official holiday schedules 2019-2026 (workflow/holidays/), for the calendar's first load.
inline std::string_view builtin_holidays() {
  auto f = find("workflow/holidays/cn-holidays-2019-2026.json");
  if (!f) throw std::logic_error("the built-in holiday schedule is missing from the binary");
  return *f;
}

}  // namespace gongkai::embedded
