#pragma once
// Files compiled into the binary: web templates, static assets and SQL migrations (see cmake/embed.cmake).
#include <optional>
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

}  // namespace gongkai::embedded
