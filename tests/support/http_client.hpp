#pragma once
// Test clients over real loopback sockets, and a child-process helper for tests of the binary.
#include "server/http.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gongkai::test {

// A keep-alive HTTP/1.1 connection (synchronous Beast).
class http_client {
 public:
  explicit http_client(std::uint16_t port);
  http::response send(http::verb method, const std::string& target, const std::string& body = {},
                      const std::map<std::string, std::string>& headers = {});
  http::response get(const std::string& target) { return send(http::verb::get, target); }
  http::response post_json(const std::string& target, const std::string& json,
                           const std::map<std::string, std::string>& headers = {});
  // Local port of this connection: the same value across requests proves the connection was reused.
  std::uint16_t local_port() const;

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  std::string buffer_storage_;
};

// A raw TCP connection for byte-level tests (pipelining, limits, trickling, timeouts).
class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port);
  void write(const std::string& bytes);  // throws on a closed connection
  bool try_write(const std::string& bytes);  // false once the server has closed the connection
  // Reads whatever arrives until the peer closes or `timeout` passes; returns it.
  std::string read_until_close(std::chrono::milliseconds timeout);
  // Reads exactly `count` HTTP responses (waiting up to timeout); fewer if the connection closes.
  std::vector<http::response> read_responses(std::size_t count, std::chrono::milliseconds timeout);
  bool closed_by_peer(std::chrono::milliseconds timeout);  // true if EOF/reset arrives within timeout

 private:
  int fd_;
  std::string pending_;
  bool wait_readable(std::chrono::milliseconds timeout);
 public:
  ~raw_connection();
};

// A child process with its stdout captured; killed (SIGKILL) on destruction if still running.
class child_process {
 public:
  // stderr goes to stderr_path if given, else to GONGKAI_TEST_CHILD_LOG if set, else nowhere.
  child_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                const std::string& stdin_text = {}, const std::string& stderr_path = {});
  ~child_process();
  // Reads stdout lines until one contains `needle`; returns that line (empty on timeout or exit).
  std::string wait_for_line(const std::string& needle, std::chrono::milliseconds timeout);
  void signal(int sig);
  // Waits for exit; returns the exit code, or 128+signal; nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  const std::string& output() const { return out_; }
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::string out_;
  std::size_t scanned_ = 0;
  std::optional<int> status_;
};

// Runs the gongkai binary to completion; returns exit code and stdout.
std::pair<int, std::string> run_gongkai(const std::vector<std::string>& args, const std::string& stdin_text = {},
                                        const std::map<std::string, std::string>& env = {});

// Starts `gongkai serve` on a kernel-picked port; returns the port (0 if it did not come up).
std::uint16_t start_server(child_process& p);

}  // namespace gongkai::test
