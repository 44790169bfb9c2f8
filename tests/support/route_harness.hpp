#pragma once
// The whole route table over a scratch database, called without a socket: what handler tests share.
#include "server/config.hpp"
#include "server/routes.hpp"
#include "server/view_cache.hpp"
#include "sql/cases.hpp"
#include "tests/support/test_db.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <map>
#include <string>

namespace gongkai::test {

struct route_harness {
  scratch_database s;
  database& db = s.db();
  calendar_cache calendar;
  view_cache views;
  config cfg;
  services svc;
  router routes = make_routes();

  explicit route_harness(std::string form_key) {
    prepare_database(db, unix_now_ms());
    cfg.filing_limit = 1000;
    cfg.lookup_limit = 1000;
    svc = services{&db, &calendar, std::move(form_key), &views};
  }

  http::response dispatch(http::verb method, const std::string& target, const std::string& body, const std::string& type,
                          const std::map<std::string, std::string>& headers, const std::string& client) {
    http::request req{method, target, 11};
    if (!type.empty()) req.set(boost::beast::http::field::content_type, type);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    return routes.dispatch(routes.find(method, http::path_of(target)), req, cfg, svc, client);
  }

  static std::string form_body(const std::map<std::string, std::string>& fields) {
    std::string body;
    for (const auto& [k, v] : fields)
      body += (body.empty() ? "" : "&") + k + "=" + boost::urls::encode(v, boost::urls::unreserved_chars);
    return body;
  }
};

}  // namespace gongkai::test
