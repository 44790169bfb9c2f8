#pragma once
// Mustache templates from web/templates (compiled into the binary, or read from a directory an agency
// edits): pages, letters and the text of notices.
#include <kainjow/mustache.hpp>

#include <string>
#include <string_view>

namespace gongkai {

using template_data = kainjow::mustache::data;

// Renders web/templates/<name>.mustache with `data` (values are HTML-escaped unless the template uses
// triple braces). Templates are parsed once per thread. Throws std::logic_error for an unknown template.
std::string render_template(std::string_view name, const template_data& data);

// Renders a plain-text template (mail, notices): values are inserted as they are, never HTML-escaped;
// the medium that shows the text escapes it (a page) or not (a text/plain mail, JSON).
std::string render_text_template(std::string_view name, const template_data& data);

// Serve templates from DIR/templates/*.mustache instead of the copies compiled in, re-reading a file
// when it changes, so an agency can edit its pages and letters without a rebuild. Called once at start
// (the process-wide choice of where templates live); empty = compiled-in copies.
void set_template_directory(const std::string& dir);

}  // namespace gongkai
