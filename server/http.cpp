#include "server/http.hpp"

#include "server/templates.hpp"
#include "workflow/calendar.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include <cctype>

namespace gongkai::http {

bool is_api_path(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

std::string_view path_of(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

std::string_view query_of(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void add_security_headers(response& res) {
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  res.set(bhttp::field::x_frame_options, "DENY");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
}

namespace {

response make(unsigned version, bool keep_alive, http::status s, std::string body, std::string_view type) {
  response res{s, version};
  res.set(bhttp::field::content_type, type);
  res.set(bhttp::field::cache_control, "no-store");
  add_security_headers(res);
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace

response json_response(const request& req, http::status s, const boost::json::value& body) {
  return make(req.version(), req.keep_alive(), s, boost::json::serialize(body), "application/json; charset=utf-8");
}

response html_response(const request& req, http::status s, std::string body) {
  return make(req.version(), req.keep_alive(), s, std::move(body), "text/html; charset=utf-8");
}

response text_response(const request& req, http::status s, std::string body, std::string_view content_type) {
  return make(req.version(), req.keep_alive(), s, std::move(body), content_type);
}

response error_response(unsigned version, bool keep_alive, std::string_view target, const http_error& e) {
  response res;
  if (is_api_path(path_of(target))) {
    boost::json::object err{{"code", e.code}, {"message", e.what()}};
    if (!e.fields.empty()) {
      boost::json::object f;
      for (const auto& [k, v] : e.fields) {
        auto code = e.field_codes.find(k);
        if (code == e.field_codes.end()) f[k] = v;
        else f[k] = boost::json::object{{"code", code->second}, {"message", v}};
      }
      err["fields"] = std::move(f);
    }
    res = make(version, keep_alive, e.status, boost::json::serialize(boost::json::object{{"error", err}}),
               "application/json; charset=utf-8");
  } else {
    res = make(version, keep_alive, e.status, render_error_page(e), "text/html; charset=utf-8");
  }
  if (!e.allow.empty()) res.set(bhttp::field::allow, e.allow);
  if (!e.location.empty()) res.set(bhttp::field::location, e.location);
  return res;
}

response error_response(const request& req, const http_error& e) {
  return error_response(req.version(), req.keep_alive(), req.target(), e);
}

namespace {

// The media type without parameters, lower-cased: type and subtype are case-insensitive (RFC 9110 8.3.1).
std::string media_type(const request& req) {
  auto type = req[bhttp::field::content_type];
  auto mime = type.substr(0, type.find(';'));
  while (!mime.empty() && (mime.back() == ' ' || mime.back() == '\t')) mime.remove_suffix(1);
  while (!mime.empty() && (mime.front() == ' ' || mime.front() == '\t')) mime.remove_prefix(1);
  std::string out(mime);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

}  // namespace

std::string value_of(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

std::map<std::string, std::string> query_params(const request& req) {
  std::map<std::string, std::string> out;
  // A copy: Boost.URL 1.81's params views read past the end of a view that is not the end of its
  // string (here the request line goes on with " HTTP/1.1").
  const std::string query(query_of(req.target()));
  if (query.empty()) return out;
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) return out;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto p : boost::urls::params_view(*parsed, opts)) out.emplace(p.key, p.value);
  return out;
}

int year_or_404(std::string_view text) {
  auto year = workflow::parse_year(text);
  if (!year) throw http_error(status::not_found, "not_found", "年份有误");
  return *year;
}

std::map<std::string, std::string> parse_form_body(const request& req) {
  if (media_type(req) != "application/x-www-form-urlencoded")
    throw http_error(status::unsupported_media_type, "unsupported_media_type", "表单必须以 application/x-www-form-urlencoded 提交");
  auto parsed = boost::urls::parse_query(req.body());
  if (!parsed) throw http_error(status::bad_request, "malformed_form", "表单内容格式错误");
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;  // '+' is a space in form bodies
  std::map<std::string, std::string> out;
  for (auto p : boost::urls::params_view(*parsed, opts)) out.emplace(p.key, p.value);
  return out;
}

boost::json::object parse_json_body(const request& req) {
  if (media_type(req) != "application/json")
    throw http_error(status::unsupported_media_type, "unsupported_media_type", "请求体必须是 application/json");
  boost::system::error_code ec;
  auto v = boost::json::parse(req.body(), ec);
  if (ec) throw http_error(status::bad_request, "malformed_json", "请求体不是有效的 JSON");
  if (!v.is_object()) throw http_error(status::bad_request, "malformed_json", "请求体必须是 JSON 对象");
  return std::move(v.as_object());
}

}  // namespace gongkai::http
