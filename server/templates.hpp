#pragma once
// Whole pages: a body template inside web/templates/layout.mustache, and the error page.
#include "app/templates.hpp"

#include <string>
#include <string_view>

namespace gongkai {

namespace http { struct http_error; }

// Renders a body template inside web/templates/layout.mustache with the page title.
std::string render_page(std::string_view title, std::string_view body_template, const template_data& data);

std::string render_error_page(const http::http_error& e);

}  // namespace gongkai
