#pragma once
// The route table with four accounts (clerk, clerk2: staff; head: supervisor and staff; root: admin),
// each with an open session: what staff-side handler tests share.
#include "core/crypto.hpp"
#include "sql/staff.hpp"
#include "sql/users.hpp"
#include "tests/support/route_harness.hpp"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace gongkai::test {

struct staff_harness : test::route_harness {
  std::map<std::string, std::string> tokens;  // user -> session token

  staff_harness() : route_harness("staff-test-key") {
    auto hash = crypto::hash_password("a long enough password");
    for (auto [name, roles] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"clerk", {"staff"}}, {"clerk2", {"staff"}}, {"head", {"supervisor", "staff"}}, {"root", {"admin"}}}) {
      auto id = users::create(db, name, name, hash, roles, false, unix_now());
      tokens[name] = sessions::open(db, id, unix_now(), 3600).token;
    }
  }
  http::response call(http::verb method, const std::string& target, const std::string& as, const std::string& body = {},
                      const std::string& type = {}) {
    std::map<std::string, std::string> headers;
    if (!as.empty()) headers["Cookie"] = "gk_session=" + tokens.at(as);
    return dispatch(method, target, body, type, headers, "203.0.113.5");
  }
  std::string csrf(const std::string& as) {
    return crypto::sign_form_token(svc.form_key, "staff:" + crypto::token_hash(tokens.at(as)).substr(0, 16), unix_now(), 3600);
  }
  http::response post(const std::string& target, const std::string& as, std::map<std::string, std::string> fields,
                      bool with_csrf = true) {
    if (with_csrf && !as.empty()) fields.emplace("csrf", csrf(as));
    return call(http::verb::post, target, as, form_body(fields), "application/x-www-form-urlencoded");
  }
  // Files an application through the API; returns its tracking number (and, with `code`, its access code).
  std::string file(std::string* code = nullptr) {
    boost::json::object app{{"category", "natural_person"}, {"name", "王芳"}, {"id_type", "resident_id"},
                     {"id_number", "11010519491231002X"}, {"phone", "13800138000"}, {"address", "北京市东城区"},
                     {"description", "某项目批复文件"}, {"info_form", "electronic"}, {"delivery", "download"}};
    auto res = call(http::verb::post, "/api/v1/requests", "", boost::json::serialize(app), "application/json");
    REQUIRE(res.result() == http::status::created);
    auto receipt = boost::json::parse(res.body());
    if (code) *code = std::string(receipt.at("access_code").as_string());
    return std::string(receipt.at("tracking_no").as_string());
  }
  case_row row(const std::string& no) { return *cases::find(db, no); }
  // The applicant sends the correction asked for, today (as the tracking page would).
  void applicant_corrects(const std::string& no) {
    workflow::case_event corr;
    corr.kind = workflow::event_kind::correction_received;
    corr.on = workflow::china_date(unix_now());
    corr.actor_role = workflow::role::applicant;
    cases::fire(db, no, std::nullopt, corr, actor{workflow::role::applicant, "applicant"}, *calendar.get(db), unix_now_ms());
  }
  std::string version(const std::string& no) { return std::to_string(row(no).version); }
  http::response event(const std::string& no, const std::string& as, const std::string& name,
                       std::map<std::string, std::string> fields = {}) {
    fields["event"] = name;
    fields["version"] = version(no);
    return post("/staff/cases/" + no + "/events", as, fields);
  }
};


}  // namespace gongkai::test
