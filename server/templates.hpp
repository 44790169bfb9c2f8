#pragma once
// Server-rendered HTML from the mustache templates in web/templates (compiled into the binary).
#include <kainjow/mustache.hpp>

#include <string>
#include <string_view>

namespace gongkai {

namespace http { struct http_error; }

using template_data = kainjow::mustache::data;

// Renders web/templates/<name>.mustache with `data` (values are HTML-escaped unless the template uses
// triple braces). Templates are parsed once per thread. Throws std::logic_error for an unknown template.
std::string render_template(std::string_view name, const template_data& data);

// Renders a plain-text template (mail, notices): values are inserted as they are, never HTML-escaped;
// the medium that shows the text escapes it (a page) or not (a text/plain mail, JSON).
std::string render_text_template(std::string_view name, const template_data& data);

// Renders a body template inside web/templates/layout.mustache with the page title.
std::string render_page(std::string_view title, std::string_view body_template, const template_data& data);

std::string render_error_page(const http::http_error& e);

// Serve templates from DIR/templates/*.mustache instead of the copies compiled in, re-reading a file
// when it changes, so an agency can edit its pages and letters without a rebuild. Called once at start
// (the process-wide choice of where templates live); empty = compiled-in copies.
void set_template_directory(const std::string& dir);

}  // namespace gongkai
