// Webhooks (issue 13): each accepted transition is one delivery per active webhook, written with the
// transition, signed when sent, delivered at least once even when an instance dies mid-delivery. On
// SQLite and on MariaDB.
#include <catch2/catch.hpp>

#include "app/webhooks.hpp"
#include "core/crypto.hpp"
#include "sql/applications.hpp"
#include "sql/outbox.hpp"
#include "sql/webhooks.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/prepared_database.hpp"
#include "tests/support/staff_harness.hpp"
#include "tests/workflow/support.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>

using namespace gongkai;
using namespace gongkai::workflow;
using namespace std::chrono_literals;
using test::applicant;
using test::clerk;
using test::day;

namespace {

application sample() {
  application a;
  a.name = "王芳";
  a.phone = "13800138000";
  a.address = "北京市";
  a.description = "某文件";
  a.info_form = "electronic";
  a.delivery = "download";
  return a;
}

long long deliveries(database& db, const std::string& status = {}) {
  return db.run(database::access::read, [&](connection& c) {
    long long n = 0;
    if (status.empty()) c.sql << "SELECT COUNT(*) FROM outbox WHERE audience = 'webhook'", soci::into(n);
    else c.sql << "SELECT COUNT(*) FROM outbox WHERE audience = 'webhook' AND status = :s", soci::use(status), soci::into(n);
    return n;
  });
}

// A receiver on loopback: checks each delivery's signature, records its id, answers 200 after `delay`.
class receiver {
 public:
  explicit receiver(std::string secret, std::chrono::milliseconds delay = 0ms)
      : secret_(std::move(secret)), delay_(delay), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~receiver() {
    stopping_ = true;
    {
      // A blocked accept() does not return when its socket is closed on Linux: connect once to wake it.
      boost::asio::io_context waker;
      boost::asio::ip::tcp::socket s(waker);
      boost::system::error_code ignored;
      s.connect(acceptor_.local_endpoint(), ignored);
    }
    thread_.join();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    while (active_ > 0) std::this_thread::sleep_for(10ms);  // handlers still answering
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook"; }
  std::set<std::string> ids() {
    std::lock_guard lock(mutex_);
    return ids_;
  }
  int received() const { return received_; }
  int bad_signatures() const { return bad_; }

 private:
  void serve() {
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      ++active_;
      std::thread([this, s = std::move(socket)]() mutable {
        handle(std::move(s));
        --active_;
      }).detach();
    }
  }
  void handle(boost::asio::ip::tcp::socket socket) {
    namespace bhttp = boost::beast::http;
    boost::beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    boost::system::error_code ec;
    bhttp::read(socket, buffer, req, ec);
    if (ec) return;
    ++received_;
    const long long ts = std::stoll(std::string(req["X-Gongkai-Timestamp"]));
    if (std::string(req["X-Gongkai-Signature"]) != webhooks::signature(secret_, ts, req.body())) ++bad_;
    std::this_thread::sleep_for(delay_);
    {
      std::lock_guard lock(mutex_);
      ids_.insert(std::string(req["X-Gongkai-Delivery"]));
    }
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
    res.body() = "{}";
    res.prepare_payload();
    bhttp::write(socket, res, ec);
  }
  std::string secret_;
  std::chrono::milliseconds delay_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> received_{0}, bad_{0}, active_{0};
  std::mutex mutex_;
  std::set<std::string> ids_;
};

}  // namespace

TEST_CASE("each accepted transition is one delivery per active webhook, written with it", "[storage]") {
  test::prepared_database f;
  const long long now = test::noon_ms(day("2026-03-02"));
  // No webhook: nothing to deliver.
  auto first = applications::file(f.db, sample(), "online", day("2026-03-02"), "", applicant, f.cal, now);
  CHECK(deliveries(f.db) == 0);
  const auto on = webhooks::add(f.db, "http://127.0.0.1:9/on", "secret-on", "root", now / 1000);
  const auto off = webhooks::add(f.db, "http://127.0.0.1:9/off", "secret-off", "root", now / 1000);
  webhooks::set_active(f.db, off, false);
  auto second = applications::file(f.db, sample(), "online", day("2026-03-02"), "", applicant, f.cal, now);
  CHECK(deliveries(f.db) == 1);  // its registration, to the active webhook only
  auto e = test::event(event_kind::request_correction, "2026-03-03");
  e.items = "请写明文号";
  cases::fire(f.db, second.row.tracking_no, std::nullopt, e, clerk, f.cal, now + 86'400'000);
  CHECK(deliveries(f.db) == 2);
  // A refused event delivers nothing.
  CHECK_THROWS(cases::fire(f.db, second.row.tracking_no, std::nullopt, test::event(event_kind::accept, "2026-03-03"), clerk,
                           f.cal, now + 86'400'000));
  CHECK(deliveries(f.db) == 2);
  // The mail sender never claims a webhook delivery, and the webhook sender never claims mail.
  for (const auto& m : outbox::claim_due(f.db, now + 10 * 86'400'000LL, 100, outbox::channel::mail))
    CHECK(m.audience != "webhook");
  auto hooks = outbox::claim_due(f.db, now + 10 * 86'400'000LL, 100, outbox::channel::webhook);
  CHECK(hooks.size() == 2);
  for (const auto& m : hooks) {
    CHECK(m.audience == "webhook");
    CHECK(m.recipient == std::to_string(on));
    auto data = boost::json::parse(m.data);
    CHECK(data.at("tracking_no").as_string() == second.row.tracking_no);
  }
  (void)first;
}

TEST_CASE("a delivery is signed, sent once acknowledged, and retried while the receiver is down", "[storage]") {
  test::prepared_database f;
  const long long now = unix_now_ms();
  std::string url;
  {
    receiver probe("s");
    url = probe.url();
  }  // nothing listens there now
  const auto id = webhooks::add(f.db, url, "the secret", "root", now / 1000);
  applications::file(f.db, sample(), "online", workflow::china_date(now / 1000), "", applicant, f.cal, now);
  CHECK(webhooks::deliver_due(f.db, now) == 0);
  CHECK(deliveries(f.db, "pending") == 1);
  auto log = webhooks::recent(f.db, 10);
  REQUIRE(log.size() == 1);
  CHECK(log[0].attempts == 1);
  CHECK_FALSE(log[0].last_error.empty());
  // The receiver is back (another URL, same webhook id semantics: re-register and move the delivery on).
  receiver r("the secret");
  f.db.transact([&](connection& c) {
    const std::string u = r.url();
    c.sql << "UPDATE webhooks SET url = :u WHERE id = :i", soci::use(u), soci::use(id);
  });
  CHECK(webhooks::deliver_due(f.db, now + 1000) == 0);  // not yet: the back-off holds it
  CHECK(webhooks::deliver_due(f.db, now + 31'000) == 1);
  CHECK(r.received() == 1);
  CHECK(r.bad_signatures() == 0);
  CHECK(deliveries(f.db, "sent") == 1);
  CHECK(webhooks::deliver_due(f.db, now + 62'000) == 0);  // sent once
}

TEST_CASE("admins register webhooks on the admin page; other schemes and the server itself are refused", "[staff]") {
  test::staff_harness h;
  auto post = [&](const std::string& url) { return h.post("/admin/webhooks", "root", {{"url", url}}); };
  CHECK(post("ftp://example.cn/x").result() == http::status::unprocessable_entity);
  CHECK(post("javascript:alert(1)").result() == http::status::unprocessable_entity);
  CHECK(post("http://user:pw@example.cn/x").result() == http::status::unprocessable_entity);
  CHECK(post("http://127.0.0.1:" + std::to_string(h.cfg.listen_port) + "/api").result() ==
        http::status::unprocessable_entity);
  CHECK(post("http://localhost:" + std::to_string(h.cfg.listen_port) + "/api").result() ==
        http::status::unprocessable_entity);
  CHECK(webhooks::list(h.db).empty());
  CHECK(h.post("/admin/webhooks", "clerk", {{"url", "https://oa.example.cn/hook"}}).result() == http::status::forbidden);
  auto ok = post("https://oa.example.cn/hook");
  REQUIRE(ok.result() == http::status::ok);
  CHECK(ok.body().find("签名密钥") != std::string::npos);
  auto hooks = webhooks::list(h.db);
  REQUIRE(hooks.size() == 1);
  CHECK(ok.body().find(hooks[0].secret) != std::string::npos);  // shown once, at registration
  CHECK(h.call(http::verb::get, "/admin", "root").body().find(hooks[0].secret) == std::string::npos);
  CHECK(h.post("/admin/webhooks/" + std::to_string(hooks[0].id), "root", {{"do", "disable"}}).result() == http::status::ok);
  CHECK_FALSE(webhooks::list(h.db)[0].active);
}

TEST_CASE("every accepted transition reaches the receiver although the instance delivering it is killed", "[process]") {
  test::scratch_database s;
  prepare_database(s.db(), unix_now_ms());
  receiver r("kill-test secret", 150ms);
  webhooks::add(s.db(), r.url(), "kill-test secret", "root", unix_now());
  std::vector<std::string> args{GONGKAI_BINARY, "serve", "--listen", "127.0.0.1:0", "--db", s.url(), "--filing-limit", "1000"};
  auto one = std::make_unique<test::child_process>(args);
  auto port = test::start_server(*one);
  REQUIRE(port != 0);
  std::vector<std::string> numbers;
  for (int i = 0; i < 12; ++i) {
    test::http_client c(port);
    auto res = c.post_json("/api/v1/requests", R"({"category":"natural_person","name":"王芳","id_type":"resident_id",
      "id_number":"11010519491231002X","phone":"13800138000","address":"北京市","description":"某文件",
      "info_form":"electronic","delivery":"download"})");
    REQUIRE(res.result() == http::status::created);
    numbers.emplace_back(boost::json::parse(res.body()).at("tracking_no").as_string());
  }
  // Killed while deliveries are in flight (the receiver takes 150 ms for each).
  for (int i = 0; i < 100 && r.received() < 3; ++i) std::this_thread::sleep_for(50ms);
  REQUIRE(r.received() >= 3);
  one->signal(SIGKILL);
  one->wait(10s);
  const auto before_restart = r.ids().size();
  CHECK(before_restart < numbers.size());
  test::child_process two(args);
  REQUIRE(test::start_server(two) != 0);
  // What the dead instance had claimed is taken over after its claim (30 s) lapses.
  for (int i = 0; i < 900 && r.ids().size() < numbers.size(); ++i) std::this_thread::sleep_for(100ms);
  auto ids = r.ids();
  CHECK(ids.size() == numbers.size());
  CHECK(r.bad_signatures() == 0);
  for (int i = 0; i < 100 && deliveries(s.db(), "sent") < static_cast<long long>(numbers.size()); ++i)
    std::this_thread::sleep_for(100ms);
  CHECK(deliveries(s.db(), "sent") == static_cast<long long>(numbers.size()));
  CHECK(deliveries(s.db()) == static_cast<long long>(numbers.size()));
}
