// The server over real loopback sockets: keep-alive, pipelining, limits, timeouts, graceful stop.
#include <catch2/catch.hpp>

#include "server/config.hpp"
#include "server/server.hpp"
#include "tests/support/http_client.hpp"

#include <boost/beast/http/field.hpp>

#include <atomic>
#include <thread>

using namespace gongkai;
using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

namespace {

config test_config() {
  config c;
  c.listen_port = 0;
  c.io_threads = 1;
  c.db_threads = 2;
  c.read_timeout = 800ms;
  c.idle_timeout = 1500ms;
  c.header_limit = 2048;
  c.body_limit = 4096;
  c.pipeline_limit = 4;
  c.shutdown_timeout = 5s;
  return c;
}

// Routes for the tests: a fast one on the I/O thread, a slow one and an echo on the worker pool.
router test_routes(std::atomic<int>& slow_started) {
  router r;
  r.add(http::verb::get, "/fast", run_on::io, [](request_context& ctx) {
    return http::text_response(ctx.req, http::status::ok, "fast", "text/plain");
  });
  r.add(http::verb::get, "/slow", run_on::db, [&slow_started](request_context& ctx) {
    ++slow_started;
    std::this_thread::sleep_for(600ms);
    return http::text_response(ctx.req, http::status::ok, "slow", "text/plain");
  });
  r.add(http::verb::post, "/api/echo", run_on::db, [](request_context& ctx) {
    return http::text_response(ctx.req, http::status::ok, ctx.req.body(), "text/plain");
  });
  return r;
}

struct running_server {
  config cfg = test_config();
  std::atomic<int> slow_started{0};
  router routes = test_routes(slow_started);
  services svc;
  server srv{cfg, routes, svc};
  std::uint16_t port = srv.start();
};

std::string get(const std::string& path, const std::string& extra_headers = {}) {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra_headers + "\r\n";
}

}  // namespace

TEST_CASE("keep-alive: several requests on one connection", "[socket]") {
  running_server s;
  test::http_client c(s.port);
  auto first = c.get("/fast");
  auto port_before = c.local_port();
  auto second = c.send(http::verb::post, "/api/echo", "hello");
  auto third = c.get("/fast");
  CHECK(first.body() == "fast");
  CHECK(second.body() == "hello");
  CHECK(third.keep_alive());
  CHECK(c.local_port() == port_before);
  CHECK(s.srv.open_connections() == 1);
}

TEST_CASE("pipelined requests are answered in order, even when the first is slow", "[socket]") {
  running_server s;
  test::raw_connection c(s.port);
  c.write(get("/slow") + get("/fast") + get("/nope") + get("/fast"));
  auto responses = c.read_responses(4, 5s);
  REQUIRE(responses.size() == 4);
  CHECK(responses[0].body() == "slow");
  CHECK(responses[1].body() == "fast");
  CHECK(responses[2].result() == http::status::not_found);
  CHECK(responses[3].body() == "fast");
}

TEST_CASE("pipelining is bounded: reading pauses while the queue is full", "[socket]") {
  running_server s;  // pipeline_limit 4
  test::raw_connection c(s.port);
  std::string burst;
  for (int i = 0; i < 6; ++i) burst += get("/slow");
  c.write(burst);
  std::this_thread::sleep_for(300ms);
  // Only the queued requests have started; the rest wait in the socket until responses leave.
  CHECK(s.slow_started.load() <= 4);
  auto responses = c.read_responses(6, 15s);
  CHECK(responses.size() == 6);
  CHECK(s.slow_started.load() == 6);
}

TEST_CASE("a header over the limit is 431, a body over the limit 413, and the connection closes", "[socket]") {
  running_server s;
  SECTION("431 as JSON under /api/") {
    test::raw_connection c(s.port);
    c.write("GET /api/echo HTTP/1.1\r\nHost: t\r\nX-Filler: " + std::string(4000, 'a') + "\r\n\r\n");
    auto r = c.read_responses(1, 3s);
    REQUIRE(r.size() == 1);
    CHECK(r[0].result() == http::status::request_header_fields_too_large);
    CHECK(r[0][bhttp::field::content_type].starts_with("application/json"));
    CHECK(r[0].body().find("header_too_large") != std::string::npos);
    CHECK(c.closed_by_peer(3s));
  }
  SECTION("413 before the body is read") {
    test::raw_connection c(s.port);
    c.write("POST /api/echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n" +
            std::string(5000, 'x'));
    auto r = c.read_responses(1, 3s);
    REQUIRE(r.size() == 1);
    CHECK(r[0].result() == http::status::payload_too_large);
    CHECK(r[0].body().find("body_too_large") != std::string::npos);
    CHECK_FALSE(r[0].keep_alive());
    CHECK(c.closed_by_peer(3s));
  }
  SECTION("a body at the limit is accepted") {
    test::http_client c(s.port);
    auto r = c.send(http::verb::post, "/api/echo", std::string(4096, 'y'), {{"Content-Type", "text/plain"}});
    CHECK(r.result() == http::status::ok);
    CHECK(r.body().size() == 4096);
  }
}

TEST_CASE("malformed requests get 400 and the connection closes", "[socket]") {
  running_server s;
  test::raw_connection c(s.port);
  c.write("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read_responses(1, 3s);
  REQUIRE(r.size() == 1);
  CHECK(r[0].result() == http::status::bad_request);
  CHECK(c.closed_by_peer(3s));
}

TEST_CASE("a client trickling its header a byte at a time is cut off", "[socket]") {
  running_server s;  // read_timeout 800 ms for a whole request
  test::raw_connection c(s.port);
  const std::string request = get("/fast", "X-Slow: " + std::string(200, 'z') + "\r\n");
  auto started = std::chrono::steady_clock::now();
  std::size_t sent = 0;
  bool cut = false;
  for (; sent < request.size(); ++sent) {
    if (!c.try_write(request.substr(sent, 1))) {
      cut = true;
      break;
    }
    if (c.closed_by_peer(100ms)) {
      cut = true;
      break;
    }
  }
  auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(cut);
  CHECK(sent < request.size());
  CHECK(elapsed < 3s);
}

TEST_CASE("an idle kept-alive connection is closed after the idle timeout", "[socket]") {
  running_server s;  // idle_timeout 1.5 s
  test::raw_connection c(s.port);
  c.write(get("/fast"));
  REQUIRE(c.read_responses(1, 2s).size() == 1);
  auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(c.closed_by_peer(1000ms));  // still open within the idle timeout
  CHECK(c.closed_by_peer(3s));
  CHECK(std::chrono::steady_clock::now() - started >= 1400ms);
}

TEST_CASE("graceful stop: in-flight requests finish, new connections are refused", "[socket]") {
  running_server s;
  test::raw_connection busy(s.port);
  test::raw_connection idle(s.port);
  idle.write(get("/fast"));
  REQUIRE(idle.read_responses(1, 2s).size() == 1);
  busy.write(get("/slow"));
  while (s.slow_started.load() == 0) std::this_thread::sleep_for(5ms);

  std::thread stopper([&] { s.srv.stop(); });
  auto r = busy.read_responses(1, 5s);
  REQUIRE(r.size() == 1);
  CHECK(r[0].result() == http::status::ok);
  CHECK(r[0].body() == "slow");
  CHECK_FALSE(r[0].keep_alive());
  CHECK(busy.closed_by_peer(3s));
  CHECK(idle.closed_by_peer(3s));
  stopper.join();
  s.srv.wait();
  CHECK(s.srv.open_connections() == 0);
  CHECK_THROWS(test::raw_connection(s.port));
}

TEST_CASE("a body shorter than its Content-Length is answered 408 when the read timeout ends", "[socket]") {
  running_server s;  // read_timeout 800 ms
  test::raw_connection c(s.port);
  c.write("POST /api/echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly ten b");
  auto started = std::chrono::steady_clock::now();
  auto r = c.read_responses(1, 3s);
  REQUIRE(r.size() == 1);
  CHECK(r[0].result() == http::status::request_timeout);
  CHECK_FALSE(r[0].keep_alive());
  CHECK(std::chrono::steady_clock::now() - started >= 700ms);
  CHECK(c.closed_by_peer(3s));
}

TEST_CASE("stopping while connections close by themselves never waits for the grace period", "[socket]") {
  // The last session ending and the stop arming its grace timer race; both run on one strand, so the
  // timer is always cancelled once nothing is left, and wait() returns at once.
  for (int round = 0; round < 30; ++round) {
    config cfg = test_config();
    cfg.shutdown_timeout = 4s;
    std::atomic<int> slow{0};
    router routes = test_routes(slow);
    services svc;
    server srv{cfg, routes, svc};
    auto port = srv.start();
    std::vector<std::unique_ptr<test::raw_connection>> clients;
    for (int i = 0; i < 8; ++i) {
      clients.push_back(std::make_unique<test::raw_connection>(port));
      clients.back()->write(get("/fast"));
      REQUIRE(clients.back()->read_responses(1, 2s).size() == 1);
    }
    auto started = std::chrono::steady_clock::now();
    std::thread closer([&] { clients.clear(); });
    srv.stop();
    closer.join();
    srv.wait();
    INFO("round " << round);
    REQUIRE(std::chrono::steady_clock::now() - started < 2s);
    CHECK(srv.open_connections() == 0);
  }
}
