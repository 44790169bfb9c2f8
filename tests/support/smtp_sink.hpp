#pragma once
// A real SMTP listener on loopback for tests: speaks enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
// QUIT) for libcurl to deliver, and keeps what it receives.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gongkai::test {

struct received_mail {
  std::string from;
  std::vector<std::string> to;
  std::string data;  // headers and body as sent
};

class smtp_sink {
 public:
  explicit smtp_sink(std::uint16_t port = 0);  // 0: the kernel picks
  ~smtp_sink();
  std::uint16_t port() const { return port_; }
  std::vector<received_mail> messages() const;

 private:
  void serve();
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<received_mail> messages_;
  std::thread thread_;
};

// The UTF-8 text of an RFC 2047 "=?UTF-8?B?...?=" header value.
std::string decode_subject(const std::string& data);

}  // namespace gongkai::test
