#pragma once
// The one typed configuration, loaded and validated once at start (flags > environment > config file >
// defaults) and then passed by const reference. No globals.
#include "core/errors.hpp"
#include "sql/db_url.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gongkai {

struct config {
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string database = "sqlite://var/gongkai.db";
  unsigned io_threads = 2;
  unsigned db_threads = 8;  // enough concurrent filings to form SQLite commit groups; MariaDB work waits on the network

  std::size_t header_limit = 8 * 1024;        // bytes; beyond it: 431
  std::size_t body_limit = 1024 * 1024;       // bytes; beyond it: 413
  std::size_t pipeline_limit = 8;             // responses queued per connection before reading pauses
  std::chrono::milliseconds read_timeout{10'000};   // a whole request, from its first byte
  std::chrono::milliseconds idle_timeout{30'000};   // a kept-alive connection waiting for the next request
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_timeout{20'000};  // in-flight work gets this long after SIGTERM
  std::chrono::seconds retry_after{5};        // Retry-After on 503 while the database is unreachable
  bool secure_cookies = false;                // set behind TLS
  bool test_mode = false;                     // a test clock, and the test endpoints
  std::string clock;                          // test mode: the clock's start, ISO 8601 with offset
  std::string smtp_url;                       // smtp://host:port of the relay; empty = keep messages, send none
  std::string mail_from = "gongkai@localhost";  // the sender address of notices
  int sweep_interval_s = 60;                  // how often the sweeper fires due time events
  std::string web_dir;                        // templates read from here (editable); empty = compiled in
  int filing_limit = 10;                      // applications filed per client address per hour (429 beyond)
  int lookup_limit = 60;                      // status look-ups per client address per 10 minutes

  db_url db() const { return db_url::parse(database); }
};

// Parses argv (after the subcommand), GONGKAI_* environment variables and an optional --config file.
// Throws config_error with a message naming the bad setting.
config load_config(const std::vector<std::string>& args, char** environ_ptr);

// The option help text, for `gongkai help`.
std::string config_help();

}  // namespace gongkai
