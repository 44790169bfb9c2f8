#pragma once
// Typed failures any layer may raise. Each kind becomes an HTTP status in exactly one place
// (server/error_map.cpp); the message is shown to users, so it never holds SQL or internal detail.
#include <map>
#include <stdexcept>
#include <string>

namespace gongkai {

enum class error_kind {
  bad_request,      // the request cannot be understood (400)
  unauthenticated,  // no valid session (401)
  forbidden,        // the role or the form token does not allow it (403)
  not_found,        // no such thing, or not for this caller (404)
  conflict,         // the state or version moved on (409)
  invalid,          // a field or a rule of law refuses it (422)
  rate_limited,     // too many attempts (429)
  unavailable,      // a resource is busy or down; retry later (503)
};

struct domain_error : std::runtime_error {
  error_kind kind;
  std::string code;                                // machine-readable, e.g. "not_found"
  std::map<std::string, std::string> fields;       // per-field messages for validation errors
  std::map<std::string, std::string> field_codes;  // per-field machine codes (API), where known
  domain_error(error_kind k, std::string c, const std::string& message, std::map<std::string, std::string> f = {})
      : std::runtime_error(message), kind(k), code(std::move(c)), fields(std::move(f)) {}
};

// A setting (flag, environment, config file, database URL) is wrong; the message names it.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The database (or another shared resource) cannot serve now: the client retries later (503 + Retry-After).
struct unavailable_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace gongkai
