#pragma once
// HTTP vocabulary shared by the router, the handlers and the socket layer. Handlers see only these types.
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

// The typed error a handler (or the storage below it) raises for a client-visible failure. It becomes a
// response in exactly one place (error_response); its message is shown to the user, so it never holds SQL
// or internal detail.
struct http_error : std::runtime_error {
  http::status status;
  std::string code;                           // machine-readable, e.g. "not_found"
  std::map<std::string, std::string> fields;  // per-field messages for validation errors
  std::map<std::string, std::string> field_codes;  // per-field machine codes (API), where known
  std::string allow;                          // for 405
  std::string location;                       // for 303 (e.g. to the login page)
  http_error(http::status s, std::string c, const std::string& message,
             std::map<std::string, std::string> f = {})
      : std::runtime_error(message), status(s), code(std::move(c)), fields(std::move(f)) {}
};

// The database could not be reached; the client should retry later (503 + Retry-After).
struct unavailable_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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

std::string_view path_of(std::string_view target);   // target without ?query
std::string_view query_of(std::string_view target);  // after '?', or empty

std::string html_escape(std::string_view s);

}  // namespace gongkai::http
