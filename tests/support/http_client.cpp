#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace gongkai::test {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

http_client::http_client(std::uint16_t port) : socket_(ioc_) {
  socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
}

std::uint16_t http_client::local_port() const { return socket_.local_endpoint().port(); }

http::response http_client::send(http::verb method, const std::string& target, const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  http::request req{method, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  bhttp::write(socket_, req);
  boost::beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.skip(method == http::verb::head);
  parser.body_limit(64 * 1024 * 1024);
  bhttp::read(socket_, buffer, parser);
  return parser.release();
}

http::response http_client::post_json(const std::string& target, const std::string& json,
                                      const std::map<std::string, std::string>& headers) {
  auto h = headers;
  h.emplace("Content-Type", "application/json");
  return send(http::verb::post, target, json, h);
}

raw_connection::raw_connection(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect failed");
}

raw_connection::~raw_connection() { ::close(fd_); }

void raw_connection::write(const std::string& bytes) {
  if (!try_write(bytes)) throw std::runtime_error("write failed: connection closed");
}

bool raw_connection::try_write(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool raw_connection::wait_readable(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

std::string raw_connection::read_until_close(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out = std::move(pending_);
  pending_.clear();
  char buf[16384];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_readable(left)) break;
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

bool raw_connection::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_readable(left)) return false;
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return true;
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

std::vector<http::response> raw_connection::read_responses(std::size_t count, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<http::response> out;
  std::string data = std::move(pending_);
  pending_.clear();
  while (out.size() < count) {
    // Parse one complete response from the front of `data`, if it is all there.
    bhttp::response_parser<bhttp::string_body> parser;
    parser.eager(true);
    std::size_t used = 0;
    boost::system::error_code ec;
    while (!parser.is_done() && used < data.size()) {
      auto n = parser.put(net::buffer(data.data() + used, data.size() - used), ec);
      if (ec == bhttp::error::need_more) break;
      if (ec) throw std::runtime_error("bad response: " + ec.message());
      used += n;
      if (n == 0) break;
    }
    if (parser.is_done()) {
      out.push_back(parser.release());
      data.erase(0, used);
      continue;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_readable(left)) break;
    char buf[16384];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  pending_ = std::move(data);
  return out;
}

child_process::child_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                             const std::string& stdin_text, const std::string& stderr_path) {
  int out_pipe[2], in_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(in_pipe) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(in_pipe[0], 0);
    const char* log_path = stderr_path.empty() ? std::getenv("GONGKAI_TEST_CHILD_LOG") : stderr_path.c_str();
    int log_fd = ::open(log_path && *log_path ? log_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log_fd >= 0) ::dup2(log_fd, 2);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(in_pipe[0]);
  if (!stdin_text.empty()) {
    auto n = ::write(in_pipe[1], stdin_text.data(), stdin_text.size());
    (void)n;
  }
  ::close(in_pipe[1]);
  out_fd_ = out_pipe[0];
  ::fcntl(out_fd_, F_SETFL, ::fcntl(out_fd_, F_GETFL) | O_NONBLOCK);
}

child_process::~child_process() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
  ::close(out_fd_);
}

std::string child_process::wait_for_line(const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    for (auto nl = out_.find('\n', scanned_); nl != std::string::npos; nl = out_.find('\n', scanned_)) {
      std::string line = out_.substr(scanned_, nl - scanned_);
      scanned_ = nl + 1;
      if (line.find(needle) != std::string::npos) return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {};
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 100))) > 0) {
      char buf[4096];
      auto n = ::read(out_fd_, buf, sizeof buf);
      if (n > 0) out_.append(buf, static_cast<std::size_t>(n));
      else if (n == 0) return {};
    }
  }
}

void child_process::signal(int sig) { ::kill(pid_, sig); }

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int st = 0;
    auto r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      char buf[4096];
      ssize_t n;
      while ((n = ::read(out_fd_, buf, sizeof buf)) > 0) out_.append(buf, static_cast<std::size_t>(n));
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::pair<int, std::string> run_gongkai(const std::vector<std::string>& args, const std::string& stdin_text,
                                        const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{GONGKAI_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  child_process p(argv, env, stdin_text);
  auto code = p.wait(std::chrono::seconds(120));
  return {code.value_or(-1), p.output()};
}

std::uint16_t start_server(child_process& p) {
  auto line = p.wait_for_line("listening on http://", std::chrono::seconds(60));
  auto colon = line.find(':', line.find("http://") + 7);
  if (line.empty() || colon == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
}

}  // namespace gongkai::test
