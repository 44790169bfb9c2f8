#pragma once
// The HTTP server: Boost.Beast over Asio. I/O threads run the sockets (a strand per connection); every
// handler that needs the database runs on the database thread pool and its response is posted back to
// the connection's strand. Responses leave in request order (bounded pipelining).
#include "server/config.hpp"
#include "server/router.hpp"

#include <cstdint>
#include <memory>

namespace gongkai {

class database;

class server {
 public:
  server(const config& cfg, const router& routes, const services& svc);
  ~server();

  // Binds and starts accepting; returns the bound port (the configured one, or the kernel's pick for 0).
  std::uint16_t start();

  // Graceful stop: stop accepting, let in-flight requests finish and their responses go out, close idle
  // connections, then return from wait(). Safe to call from any thread, more than once.
  void stop();

  // Runs until stop() completes (or SIGTERM/SIGINT when handle_signals() was called first).
  void handle_signals();
  void wait();

  std::size_t open_connections() const;

 struct impl;  // public so the connection type in server.cpp can name it

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace gongkai
