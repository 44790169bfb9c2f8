#include "tests/support/smtp_sink.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace gongkai::test {

smtp_sink::smtp_sink(std::uint16_t port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("smtp sink: cannot listen");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

smtp_sink::~smtp_sink() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::vector<received_mail> smtp_sink::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

void smtp_sink::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    auto say = [&](const std::string& line) {
      std::string out = line + "\r\n";
      (void)!::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    };
    say("220 sink ESMTP");
    std::string buffer;
    received_mail mail;
    bool in_data = false;
    char chunk[4096];
    while (!stop_) {
      pollfd c{fd, POLLIN, 0};
      if (::poll(&c, 1, 100) <= 0) continue;
      auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      bool quit = false;
      while (true) {
        if (in_data) {
          auto end = buffer.find("\r\n.\r\n");
          if (end == std::string::npos) break;
          mail.data = buffer.substr(0, end + 2);
          buffer.erase(0, end + 5);
          {
            std::lock_guard lock(mutex_);
            messages_.push_back(mail);
          }
          mail = {};
          in_data = false;
          say("250 OK queued");
          continue;
        }
        auto eol = buffer.find("\r\n");
        if (eol == std::string::npos) break;
        std::string line = buffer.substr(0, eol);
        buffer.erase(0, eol + 2);
        std::string verb = line.substr(0, 4);
        for (auto& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (verb == "EHLO" || verb == "HELO") say("250 sink");
        else if (verb == "MAIL") { mail.from = line.substr(10); say("250 OK"); }
        else if (verb == "RCPT") { mail.to.push_back(line.substr(8)); say("250 OK"); }
        else if (verb == "DATA") { in_data = true; say("354 go ahead"); }
        else if (verb == "RSET") { mail = {}; say("250 OK"); }
        else if (verb == "NOOP") say("250 OK");
        else if (verb == "QUIT") { say("221 bye"); quit = true; break; }
        else say("502 command unrecognized");
      }
      if (quit) break;
    }
    ::close(fd);
  }
}

std::string decode_subject(const std::string& data) {
  auto at = data.find("Subject: =?UTF-8?B?");
  if (at == std::string::npos) return {};
  at += 19;
  auto end = data.find("?=", at);
  std::string b64 = data.substr(at, end - at);
  std::string out(b64.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), b64.c_str(), b64.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return {};
  out.resize(len);
  return out;
}

}  // namespace gongkai::test
