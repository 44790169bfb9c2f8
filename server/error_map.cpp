// The one place an error becomes an HTTP status.
#include "server/http.hpp"

namespace gongkai::http {

namespace {

error_kind kind_of(http::status s) {
  switch (s) {
    case status::bad_request: return error_kind::bad_request;
    case status::unauthorized: return error_kind::unauthenticated;
    case status::forbidden: return error_kind::forbidden;
    case status::not_found: return error_kind::not_found;
    case status::conflict: return error_kind::conflict;
    case status::too_many_requests: return error_kind::rate_limited;
    case status::service_unavailable: return error_kind::unavailable;
    default: return error_kind::invalid;
  }
}

}  // namespace

http_error::http_error(http::status s, std::string c, const std::string& message, std::map<std::string, std::string> f)
    : domain_error(kind_of(s), std::move(c), message, std::move(f)), status(s) {}

http::status status_of(const domain_error& e) {
  if (const auto* h = dynamic_cast<const http_error*>(&e)) return h->status;
  switch (e.kind) {
    case error_kind::bad_request: return status::bad_request;
    case error_kind::unauthenticated: return status::unauthorized;
    case error_kind::forbidden: return status::forbidden;
    case error_kind::not_found: return status::not_found;
    case error_kind::conflict: return status::conflict;
    case error_kind::invalid: return status::unprocessable_entity;
    case error_kind::rate_limited: return status::too_many_requests;
    case error_kind::unavailable: return status::service_unavailable;
  }
  return status::internal_server_error;
}

http_error as_http_error(const domain_error& e) {
  if (const auto* h = dynamic_cast<const http_error*>(&e)) return *h;
  http_error out(status_of(e), e.code, e.what(), e.fields);
  out.field_codes = e.field_codes;
  return out;
}

}  // namespace gongkai::http
