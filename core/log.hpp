#pragma once
// Structured logs: one JSON line per request and one per notable event, on stderr. Callers pass only
// what may be logged: method, path without query string, status, timings, ids. Never personal data.
#include <chrono>
#include <string>
#include <string_view>

namespace gongkai::log {

struct access_entry {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;  // without the query string (queries may carry access codes)
  unsigned status;
  std::chrono::microseconds duration;
};

// Request lines are gathered and written in batches (at 32 KB, and by flush_access(), which `serve` calls
// every second and at exit): one write per batch instead of one per request. A crash loses at most the
// last second's request lines; events are written at once.
void access(const access_entry& e);
void flush_access();
void event(std::string_view level, std::string_view message, std::string_view detail = {});

// A process-unique, instance-unique request id (random instance prefix + counter).
std::string next_request_id();

// Turns off request lines (benchmarks); events are still written.
void set_access_enabled(bool on);

}  // namespace gongkai::log
