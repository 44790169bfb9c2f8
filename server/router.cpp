#include "server/router.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "server/config.hpp"
#include "sql/database.hpp"

#include <boost/beast/http/field.hpp>

#include <set>

namespace gongkai {

namespace {

bool match_pattern(std::string_view pattern, std::string_view path,
                   std::map<std::string, std::string, std::less<>>& params) {
  while (true) {
    if (pattern.empty() || path.empty()) return pattern.empty() && path.empty();
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    auto pe = pattern.find('/');
    auto se = path.find('/');
    auto pseg = pattern.substr(0, pe);
    auto sseg = path.substr(0, se);
    if (pseg.size() >= 2 && pseg.front() == '{' && pseg.back() == '}') {
      if (sseg.empty()) return false;
      params.emplace(std::string(pseg.substr(1, pseg.size() - 2)), std::string(sseg));
    } else if (pseg != sseg) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view{} : pattern.substr(pe);
    path = se == std::string_view::npos ? std::string_view{} : path.substr(se);
  }
}

}  // namespace

void router::add(http::verb method, std::string pattern, run_on where, handler_fn handler) {
  routes_.push_back(route{method, std::move(pattern), where, std::move(handler)});
}

router::match router::find(http::verb method, std::string_view path) const {
  match m;
  std::set<std::string> allowed;
  for (const auto& r : routes_) {
    std::map<std::string, std::string, std::less<>> params;
    if (!match_pattern(r.pattern, path, params)) continue;
    if (r.method == method || (method == http::verb::head && r.method == http::verb::get)) {
      m.found = &r;
      m.params = std::move(params);
      return m;
    }
    allowed.insert(std::string(http::bhttp::to_string(r.method)));
    if (r.method == http::verb::get) allowed.insert("HEAD");
  }
  for (const auto& a : allowed) m.allow += (m.allow.empty() ? "" : ", ") + a;
  return m;
}

http::response router::dispatch(const match& m, const http::request& req, const config& cfg, const services& svc,
                                std::string_view client) const {
  http::response res;
  try {
    if (!m.found) {
      if (!m.allow.empty()) {
        http::http_error e(http::status::method_not_allowed, "method_not_allowed", "不支持该请求方法");
        e.allow = m.allow;
        throw e;
      }
      throw http::http_error(http::status::not_found, "not_found", "您访问的页面不存在");
    }
    database* db = m.found->where == run_on::db ? svc.db : nullptr;
    request_context ctx{req, http::path_of(req.target()), m.params, cfg, db, svc, client, unix_now_ms()};
    res = m.found->handler(ctx);
  } catch (const domain_error& e) {
    res = http::error_response(req, http::as_http_error(e));
  } catch (const http::unavailable_error&) {
    http::http_error e(http::status::service_unavailable, "unavailable", "服务暂时不可用，请稍后再试");
    res = http::error_response(req, e);
    res.set(http::bhttp::field::retry_after, std::to_string(cfg.retry_after.count()));
  } catch (const std::exception& ex) {
    // The detail goes to the server log only, and only what may be logged (no bound values); the client
    // sees a generic message.
    log::event("error", "handler failed: " + std::string(http::path_of(req.target())), loggable_error(ex));
    res = http::error_response(req, http::http_error(http::status::internal_server_error, "internal_error",
                                                     "服务器内部错误"));
  } catch (...) {
    log::event("error", "handler failed: " + std::string(http::path_of(req.target())), "non-standard exception");
    res = http::error_response(req, http::http_error(http::status::internal_server_error, "internal_error",
                                                     "服务器内部错误"));
  }
  if (req.method() == http::verb::head) {
    auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
  return res;
}

}  // namespace gongkai
