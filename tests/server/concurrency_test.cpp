// Many requests at the same instant (issue 10, item 14), on SQLite and MariaDB: first requests from new
// addresses never become 500s (no read-then-write races, deadlocks retried), and rate limits admit
// exactly their limit however many arrive at once.
#include <catch2/catch.hpp>

#include "tests/support/route_harness.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <barrier>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace gongkai;
namespace json = boost::json;

namespace {

const std::string application_body = json::serialize(json::object{
    {"category", "natural_person"}, {"name", "王芳"}, {"id_type", "resident_id"}, {"id_number", "11010519491231002X"},
    {"phone", "13800138000"}, {"address", "北京市东城区"}, {"description", "某项目批复文件"},
    {"info_form", "electronic"}, {"delivery", "download"}});

// Runs `rounds` rounds of `threads` requests released together (a barrier before each round).
template <class Request>
std::map<unsigned, int> in_rounds(int rounds, int threads, Request request) {
  std::barrier start(threads);
  std::mutex mutex;
  std::map<unsigned, int> statuses;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int r = 0; r < rounds; ++r) {
        start.arrive_and_wait();
        auto status = request(r, t);
        std::lock_guard lock(mutex);
        ++statuses[status];
      }
    });
  for (auto& th : pool) th.join();
  return statuses;
}

}  // namespace

TEST_CASE("eight simultaneous first filings from each of 100 new addresses: no 500, every number unique", "[citizen]") {
  test::route_harness h("concurrency-key");
  auto wide = h.s.open(8);  // as many connections as requests in flight
  services svc{wide.get(), &h.calendar, h.svc.form_key};
  h.cfg.filing_limit = 8;
  auto route = h.routes.find(http::verb::post, "/api/v1/requests");
  std::mutex mutex;
  std::set<std::string> numbers;
  auto statuses = in_rounds(100, 8, [&](int round, int) {
    http::request req{http::verb::post, "/api/v1/requests", 11};
    req.set(boost::beast::http::field::content_type, "application/json");
    req.body() = application_body;
    req.prepare_payload();
    auto res = h.routes.dispatch(route, req, h.cfg, svc, "198.51.100." + std::to_string(round));
    if (res.result() == http::status::created) {
      std::lock_guard lock(mutex);
      numbers.insert(std::string(json::parse(res.body()).at("tracking_no").as_string()));
    }
    return res.result_int();
  });
  INFO("statuses: " << statuses.size());
  CHECK(statuses.count(500) == 0);
  CHECK(statuses[201] == 800);
  CHECK(numbers.size() == 800);
}

TEST_CASE("a rate limit admits exactly its limit when requests arrive together", "[citizen]") {
  test::route_harness h("concurrency-key");
  auto wide = h.s.open(8);
  services svc{wide.get(), &h.calendar, h.svc.form_key};
  for (int limit : {10, 60}) {
    h.cfg.lookup_limit = limit;
    const std::string client = "203.0.113." + std::to_string(limit);
    auto route = h.routes.find(http::verb::get, "/api/v1/requests/2026-999999");
    auto statuses = in_rounds(20, 8, [&](int, int) {
      http::request req{http::verb::get, "/api/v1/requests/2026-999999", 11};
      req.set("X-Access-Code", "WRONG-CODE");
      return h.routes.dispatch(route, req, h.cfg, svc, client).result_int();
    });
    INFO("limit " << limit);
    CHECK(statuses[404] == limit);  // admitted: the look-up ran and found nothing
    CHECK(statuses[429] == 160 - limit);
    CHECK(statuses.count(500) == 0);
  }
}

TEST_CASE("a successful look-up writes nothing; only failed look-ups count against the limit", "[citizen]") {
  test::route_harness h("concurrency-key");
  h.cfg.lookup_limit = 3;
  auto filed = h.dispatch(http::verb::post, "/api/v1/requests", application_body, "application/json", {}, "192.0.2.1");
  REQUIRE(filed.result() == http::status::created);
  const auto receipt = json::parse(filed.body());
  const std::string no(receipt.at("tracking_no").as_string()), code(receipt.at("access_code").as_string());
  auto limit_rows = [&] {
    return h.db.run(database::access::read, [](connection& c) {
      long long rows = 0, hits = 0;
      soci::indicator ind = soci::i_null;
      c.sql << "SELECT COUNT(*), SUM(hits) FROM rate_limits", soci::into(rows), soci::into(hits, ind);
      return std::make_pair(rows, ind == soci::i_ok ? hits : 0);
    });
  };
  auto look = [&](const std::string& with) {
    return h.dispatch(http::verb::get, "/api/v1/requests/" + no, "", "", {{"X-Access-Code", with}}, "192.0.2.9").result();
  };
  const auto before = limit_rows();
  for (int i = 0; i < 10; ++i) CHECK(look(code) == http::status::ok);  // more than the limit, all fine
  CHECK(limit_rows() == before);                                        // and nothing was written
  for (int i = 0; i < 3; ++i) CHECK(look("WRONG-CODE") == http::status::not_found);
  CHECK(look("WRONG-CODE") == http::status::too_many_requests);
  CHECK(look(code) == http::status::too_many_requests);  // over the limit, even the right code waits
}
