#pragma once
// The route table: method + path pattern -> handler. Handlers are plain functions from a parsed request to
// a response; they know no socket, so tests call them (and the whole table) directly.
#include "server/http.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gongkai {

class database;
class calendar_cache;
class view_cache;
struct config;

// What handlers may use besides the request, built once at start.
struct services {
  database* db = nullptr;                // null in tests of handlers that need none
  calendar_cache* calendar = nullptr;    // the stored working-day calendar
  std::string form_key;                  // signs anti-forgery tokens; the same on every instance
  view_cache* views = nullptr;           // applicants' views computed before (null: always computed)
};

// What a handler gets: the request, the captured path parameters and the services it may use.
struct request_context {
  const http::request& req;
  std::string_view path;
  std::map<std::string, std::string, std::less<>> params;  // {name} segments of the pattern
  const config& cfg;
  database* db;  // null for routes that run on the I/O thread
  const services& svc;
  std::string_view client;  // the peer's address (for rate limits; never logged)
  long long now_ms = 0;     // "now" for this request, read once when it is dispatched (Unix ms)
  long long now_s() const { return now_ms / 1000; }
};

using handler_fn = std::function<http::response(request_context&)>;

// Where a handler runs: `io` handlers are cheap and touch no database (health, static files); every
// other handler runs on the database thread pool, never on an I/O thread.
enum class run_on { io, db };

struct route {
  http::verb method;
  std::string pattern;  // "/api/v1/requests/{tracking_no}"
  run_on where;
  handler_fn handler;
};

class router {
 public:
  void add(http::verb method, std::string pattern, run_on where, handler_fn handler);

  struct match {
    const route* found = nullptr;
    std::map<std::string, std::string, std::less<>> params;
    std::string allow;  // set when the path exists but not for this method
  };
  // Every route, in the order added (the OpenAPI test walks them).
  const std::vector<route>& routes() const { return routes_; }

  // GET routes also answer HEAD.
  match find(http::verb method, std::string_view path) const;

  // Runs the matched handler (or produces 404/405) and turns every failure into a response: an
  // http_error becomes its status, unavailable_error 503 with Retry-After, anything else a bare 500.
  // HEAD gets the GET response without its body.
  http::response dispatch(const match& m, const http::request& req, const config& cfg, const services& svc,
                          std::string_view client = {}) const;

 private:
  std::vector<route> routes_;
};

}  // namespace gongkai
