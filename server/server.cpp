#include "server/server.hpp"

#include "core/log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace gongkai {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

class http_session;

struct server::impl {
  impl(const config& c, const router& r, const services& s) : cfg(c), routes(r), svc(s), ioc(static_cast<int>(c.io_threads)),
      acceptor(net::make_strand(ioc)), signals(ioc), stop_strand(net::make_strand(ioc)), shutdown_timer(stop_strand),
      workers(c.db_threads) {}

  const config& cfg;
  const router& routes;
  const services& svc;

  // Declared before the io_context: handlers destroyed with it may still deregister sessions.
  std::mutex sessions_mutex;
  std::unordered_map<http_session*, std::weak_ptr<http_session>> sessions;
  std::atomic<bool> stopping{false};
  std::atomic<bool> finished{false};  // the I/O threads have ended: nothing may be posted any more

  net::io_context ioc;
  tcp::acceptor acceptor;
  net::signal_set signals;
  // Every step of stopping (arming the grace timer, cancelling it when the last session ends) runs on
  // this one strand, so their order is the order they were asked for.
  net::strand<net::io_context::executor_type> stop_strand;
  net::steady_timer shutdown_timer;
  bool grace_armed = false;  // on stop_strand only
  net::thread_pool workers;
  std::vector<std::thread> io_threads;

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void begin_stop();
  void session_closed(http_session* s);
};

// One connection. Everything it owns is touched only on its strand.
class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(tcp::socket&& socket, server::impl& srv) : stream_(std::move(socket)), srv_(srv) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ = peer.address().to_string();
  }
  ~http_session() { srv_.session_closed(this); }

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  // Called (through the strand) when the server stops: finish what is queued, read nothing more.
  void stop() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (self->reading_) {
        beast::error_code ignored;
        self->stream_.socket().cancel(ignored);
      }
      self->maybe_close();
    });
  }

 private:
  struct slot {
    std::string request_id;
    std::string method;
    std::string path;
    clock_type::time_point started;
    std::optional<http::response> res;
  };

  void do_read() {
    if (closing_ || reading_) return;
    if (queue_.size() >= srv_.cfg.pipeline_limit) {
      read_paused_ = true;  // resumes when a response has been written
      return;
    }
    reading_ = true;
    if (buffer_.size() == 0) {
      // Waiting for the next request on a kept-alive connection: the idle timeout applies.
      stream_.expires_after(srv_.cfg.idle_timeout);
      stream_.async_read_some(buffer_.prepare(4096),
                              beast::bind_front_handler(&http_session::on_first_bytes, shared_from_this()));
    } else {
      start_parse();
    }
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    if (ec) return on_read(ec);
    buffer_.commit(n);
    start_parse();
  }

  void start_parse() {
    // A fresh parser per request, with the limits; the whole request must arrive within read_timeout,
    // so a client trickling a byte at a time is cut off.
    target_hint_ = sniff_target();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(srv_.cfg.header_limit));
    parser_->body_limit(srv_.cfg.body_limit);
    // The deadline cancels the read instead of closing the socket, so the client is told 408; the
    // stream's own expiry stays as a backstop.
    stream_.expires_after(srv_.cfg.read_timeout + std::chrono::seconds(2));
    timed_out_ = false;
    read_deadline_.expires_after(srv_.cfg.read_timeout);
    read_deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || !self->reading_) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    reading_ = false;
    read_deadline_.cancel();
    if (ec && timed_out_ && !closing_)
      return reject(http::status::request_timeout, "request_timeout", "请求未能在规定时间内完整送达");
    if (ec) {
      if (ec == bhttp::error::header_limit)
        return reject(http::status::request_header_fields_too_large, "header_too_large", "请求头过大");
      if (ec == bhttp::error::body_limit)
        return reject(http::status::payload_too_large, "body_too_large", "请求体过大");
      if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() && ec != bhttp::error::end_of_stream &&
          ec != bhttp::error::partial_message)
        return reject(http::status::bad_request, "bad_request", "请求格式错误");
      // end of stream, timeout, reset, or cancelled by stop(): nothing more to read.
      closing_ = true;
      if (ec == beast::error::timeout) {
        queue_.clear();  // the stream is already closed; nothing can be written
        closed_ = true;
      }
      return maybe_close();
    }
    auto req = std::make_shared<http::request>(parser_->release());
    parser_.reset();
    handle(std::move(req));
    do_read();
  }

  // A request we will not process: answer and close.
  void reject(http::status s, const char* code, const char* message) {
    closing_ = true;
    // The parser may not have kept the target after a limit error: use the request line as first seen.
    std::string target = target_hint_.empty() ? "/" : target_hint_;
    queue_.push_back(slot{log::next_request_id(), "-", std::string(http::path_of(target)), clock_type::now(), {}});
    auto res = http::error_response(11, false, target, http::http_error(s, code, message));
    complete(queue_.size() - 1 + front_seq_, std::move(res));
  }

  // The target of the request line at the front of the buffer (to pick a JSON or HTML error page for a
  // request rejected before it is parsed). May be partial or empty.
  std::string sniff_target() const {
    auto bytes = buffer_.data();
    std::string_view data(static_cast<const char*>(bytes.data()), std::min<std::size_t>(bytes.size(), 512));
    auto sp = data.find(' ');
    if (sp == std::string::npos) return {};
    auto sp2 = data.find_first_of(" \r\n", sp + 1);
    return std::string(data.substr(sp + 1, (sp2 == std::string_view::npos ? data.size() : sp2) - sp - 1));
  }

  void handle(std::shared_ptr<http::request> req) {
    const std::size_t seq = front_seq_ + queue_.size();
    auto path = http::path_of(req->target());
    queue_.push_back(slot{log::next_request_id(), std::string(req->method_string()), std::string(path),
                          clock_type::now(), {}});
    if (!req->keep_alive()) closing_ = true;
    auto match = srv_.routes.find(req->method(), path);
    if (!match.found || match.found->where == run_on::io) {
      complete(seq, srv_.routes.dispatch(match, *req, srv_.cfg, srv_.svc, client_));
      return;
    }
    // Database work leaves the I/O thread; the response comes back through the strand.
    net::post(srv_.workers, [self = shared_from_this(), req, match = std::move(match), seq]() mutable {
      auto res = self->srv_.routes.dispatch(match, *req, self->srv_.cfg, self->srv_.svc, self->client_);
      net::post(self->stream_.get_executor(), [self, seq, res = std::move(res)]() mutable {
        self->complete(seq, std::move(res));
      });
    });
  }

  void complete(std::size_t seq, http::response res) {
    if (closed_ || seq < front_seq_ || seq - front_seq_ >= queue_.size()) return;
    auto& s = queue_[seq - front_seq_];
    res.set("X-Request-Id", s.request_id);
    // The last response before closing says so; earlier pipelined ones still go out normally.
    if (closing_ && seq == front_seq_ + queue_.size() - 1) res.keep_alive(false);
    log::access({s.request_id, s.method, s.path, static_cast<unsigned>(res.result_int()),
                 std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - s.started)});
    s.res = std::move(res);
    do_write();
  }

  void do_write() {
    if (writing_ || closed_) return;
    if (queue_.empty() || !queue_.front().res) return maybe_close();
    writing_ = true;
    stream_.expires_after(srv_.cfg.write_timeout);
    bhttp::async_write(stream_, *queue_.front().res,
                       beast::bind_front_handler(&http_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
      closed_ = true;
      beast::error_code ignored;
      stream_.socket().close(ignored);
      return;
    }
    bool last = queue_.front().res->need_eof();
    queue_.pop_front();
    ++front_seq_;
    if (last) {
      closing_ = true;
      queue_.clear();
      return maybe_close();
    }
    if (read_paused_) {
      read_paused_ = false;
      do_read();
    }
    do_write();
  }

  void maybe_close() {
    if (closed_ || !closing_ || writing_ || reading_) return;
    for (const auto& s : queue_)
      if (!s.res) return;  // a handler is still running: its response goes out first
    if (!queue_.empty()) return do_write();
    closed_ = true;
    // Half-close, then drain what the client still sends (e.g. the rest of a body over the limit) for
    // a moment, so closing does not reset the connection before the client has read our answer.
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(1));
    do_drain();
  }

  void do_drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) return self->do_drain();
                              beast::error_code ignored;
                              self->stream_.socket().close(ignored);
                            });
  }

  beast::tcp_stream stream_;
  net::steady_timer read_deadline_{stream_.get_executor()};
  bool timed_out_ = false;
  server::impl& srv_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string target_hint_;
  std::deque<slot> queue_;
  std::size_t front_seq_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool read_paused_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

void server::impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), beast::bind_front_handler(&impl::on_accept, this));
}

void server::impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
  if (!ec && !stopping) {
    auto s = std::make_shared<http_session>(std::move(socket), *this);
    {
      std::lock_guard lock(sessions_mutex);
      sessions.emplace(s.get(), s);
    }
    s->run();
  }
  do_accept();
}

void server::impl::session_closed(http_session* s) {
  {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(s);
  }
  if (!stopping || finished) return;
  net::post(stop_strand, [this] {
    std::lock_guard lock(sessions_mutex);
    if (grace_armed && sessions.empty()) {
      grace_armed = false;
      shutdown_timer.cancel();
    }
  });
}

void server::impl::begin_stop() {
  if (stopping.exchange(true)) return;
  log::event("info", "shutting down: no new connections, finishing in-flight requests");
  net::post(acceptor.get_executor(), [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
  });
  net::post(ioc, [this] { signals.cancel(); });
  net::post(stop_strand, [this] {
    std::vector<std::shared_ptr<http_session>> live;
    {
      std::lock_guard lock(sessions_mutex);
      for (auto& [p, w] : sessions)
        if (auto s = w.lock()) live.push_back(std::move(s));
    }
    if (live.empty()) return;
    // In-flight work gets shutdown_timeout; then the io_context is stopped regardless. The timer is
    // armed before any session is told to stop, and cancelled (on this strand) after the last ends.
    grace_armed = true;
    shutdown_timer.expires_after(cfg.shutdown_timeout);
    shutdown_timer.async_wait([this](beast::error_code ec) {
      if (!ec && grace_armed) {
        log::event("warn", "shutdown timeout: closing connections with work still in flight");
        ioc.stop();
      }
    });
    for (auto& s : live) s->stop();
  });
}

server::server(const config& cfg, const router& routes, const services& svc)
    : impl_(std::make_unique<impl>(cfg, routes, svc)) {}

server::~server() {
  stop();
  wait();
}

std::uint16_t server::start() {
  auto& i = *impl_;
  auto address = net::ip::make_address(i.cfg.listen_address);
  tcp::endpoint ep{address, i.cfg.listen_port};
  i.acceptor.open(ep.protocol());
  i.acceptor.set_option(net::socket_base::reuse_address(true));
  i.acceptor.bind(ep);
  i.acceptor.listen(net::socket_base::max_listen_connections);
  auto port = i.acceptor.local_endpoint().port();
  i.do_accept();
  for (unsigned n = 0; n < i.cfg.io_threads; ++n) i.io_threads.emplace_back([&i] { i.ioc.run(); });
  return port;
}

void server::handle_signals() {
  auto& i = *impl_;
  i.signals.add(SIGINT);
  i.signals.add(SIGTERM);
  i.signals.async_wait([&i](beast::error_code ec, int) {
    if (!ec) i.begin_stop();
  });
}

void server::stop() { impl_->begin_stop(); }

void server::wait() {
  for (auto& t : impl_->io_threads)
    if (t.joinable()) t.join();
  impl_->io_threads.clear();
  impl_->finished = true;
  impl_->workers.join();
}

std::size_t server::open_connections() const {
  std::lock_guard lock(impl_->sessions_mutex);
  return impl_->sessions.size();
}

}  // namespace gongkai
