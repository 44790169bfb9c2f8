#pragma once
// HTTP vocabulary shared by the router, the handlers and the socket layer. Handlers see only these types.
#include "core/errors.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gongkai::http {

namespace bhttp = boost::beast::http;
using request = bhttp::request<bhttp::string_body>;
using response = bhttp::response<bhttp::string_body>;
using status = bhttp::status;
using verb = bhttp::verb;

// An error with an explicit HTTP status (a redirect, 405, a limit), raised by the HTTP layer itself.
// Lower layers raise domain_error; error_map.cpp turns either into a status in one place.
struct http_error : domain_error {
  http::status status;
  std::string allow;     // for 405
  std::string location;  // for 303 (e.g. to the login page)
  http_error(http::status s, std::string c, const std::string& message, std::map<std::string, std::string> f = {});
};

using gongkai::unavailable_error;

// The one map from an error to its status: an http_error's own, or its kind's.
http::status status_of(const domain_error& e);
http_error as_http_error(const domain_error& e);

bool is_api_path(std::string_view path);

// Builds the error response for `target` (JSON under /api/, the HTML error page elsewhere).
response error_response(const request& req, const http_error& e);
response error_response(unsigned version, bool keep_alive, std::string_view target, const http_error& e);

response json_response(const request& req, http::status s, const boost::json::value& body);
response html_response(const request& req, http::status s, std::string body);
response text_response(const request& req, http::status s, std::string body, std::string_view content_type);

// Security headers for every response (CSP without inline script, no framing, nosniff, referrer policy).
void add_security_headers(response& res);

// Parses the body as a JSON object: 415 unless the content type is JSON, 400 if it is malformed.
boost::json::object parse_json_body(const request& req);

// Parses an application/x-www-form-urlencoded body: 415 for another content type, 400 when the
// percent-encoding is broken. A repeated name keeps its first value.
std::map<std::string, std::string> parse_form_body(const request& req);

// A submitted field's value (from a form, a query or JSON strings), empty when it is absent.
std::string value_of(const std::map<std::string, std::string>& fields, const std::string& name);

// The query string's parameters, decoded ('+' is a space); a repeated name keeps its first value.
std::map<std::string, std::string> query_params(const request& req);

// A year in a path or query (four digits, 2008-2100), else 404.
int year_or_404(std::string_view text);

std::string_view path_of(std::string_view target);   // target without ?query
std::string_view query_of(std::string_view target);  // after '?', or empty

std::string html_escape(std::string_view s);

}  // namespace gongkai::http
