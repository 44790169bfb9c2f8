// Event dates through the staff API and pages: no future dates; backdated events shown as such.
// On SQLite and on MariaDB (the [staff] suite runs per backend).
#include <catch2/catch.hpp>

#include "core/crypto.hpp"
#include "server/routes.hpp"
#include "sql/users.hpp"
#include "tests/support/route_harness.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

using namespace gongkai;
namespace bhttp = boost::beast::http;
namespace json = boost::json;

namespace {

struct dates_harness : test::route_harness {
  std::string token;
  dates_harness() : route_harness("staff-dates-test-key") {
    auto id = users::create(db, "clerk", "clerk", crypto::hash_password("a long enough password"), {"staff"}, false, unix_now());
    token = sessions::open(db, id, unix_now(), 3600).token;
  }
  std::map<std::string, std::string> cookie() const { return {{"Cookie", "gk_session=" + token}}; }
  std::string csrf() const {
    return crypto::sign_form_token(svc.form_key, "staff:" + crypto::token_hash(token).substr(0, 16), unix_now(), 3600);
  }
  http::response post(const std::string& target, std::map<std::string, std::string> fields) {
    fields.emplace("csrf", csrf());
    return dispatch(http::verb::post, target, form_body(fields), "application/x-www-form-urlencoded", cookie(), "203.0.113.9");
  }
  http::response api_event(const std::string& no, const std::string& body_fields) {
    return dispatch(http::verb::post, "/api/v1/requests/" + no + "/events",
                    R"({"version":)" + std::to_string(cases::find(db, no)->version) + "," + body_fields + "}",
                    "application/json", {{"Authorization", "Bearer " + token}}, "203.0.113.9");
  }
  // A paper application received `days_ago` days ago, claimed by the clerk.
  std::string paper(int days_ago) {
    auto today = workflow::china_date(unix_now());
    std::map<std::string, std::string> f = {
        {"category", "natural_person"}, {"name", "王芳"}, {"id_type", "resident_id"}, {"id_number", "11010519491231002X"},
        {"phone", "13800138000"}, {"address", "北京市东城区"}, {"description", "某项目批复文件"}, {"info_form", "paper"},
        {"delivery", "post"}, {"channel", "in_person"},
        {"sent_on", workflow::format_date(today - std::chrono::days{days_ago})},
        {"received_on", workflow::format_date(today - std::chrono::days{days_ago})}};
    auto res = post("/staff/register", f);
    INFO(res.body().substr(0, 2000));
    REQUIRE(res.result() == http::status::created);
    auto at = res.body().find("id=\"tracking-no\"");
    auto start = res.body().find('>', at) + 1;
    auto no = res.body().substr(start, res.body().find('<', start) - start);
    REQUIRE(post("/staff/cases/" + no + "/claim", {{"version", std::to_string(cases::find(db, no)->version)}}).result() ==
            http::status::see_other);
    return no;
  }
  std::size_t log_size(const std::string& no) { return cases::transitions(db, cases::find(db, no)->id).size(); }
};

}  // namespace

TEST_CASE("an event dated in the future is 422 date_in_future on the API and the pages, and stores nothing", "[staff]") {
  dates_harness h;
  auto no = h.paper(3);
  const auto before = h.log_size(no);
  const int version = cases::find(h.db, no)->version;
  auto res = h.api_event(no, R"("event":"accept","on":"2062-11-28")");
  CHECK(res.result() == http::status::unprocessable_entity);
  CHECK(json::parse(res.body()).at("error").at("code") == "date_in_future");
  const auto tomorrow = workflow::format_date(workflow::china_date(unix_now()) + std::chrono::days{1});
  auto page = h.post("/staff/cases/" + no + "/events",
                     {{"event", "accept"}, {"version", std::to_string(version)}, {"on", tomorrow}});
  CHECK(page.result() == http::status::unprocessable_entity);
  CHECK(page.body().find("晚于今天") != std::string::npos);
  CHECK(h.log_size(no) == before);
  CHECK(cases::find(h.db, no)->version == version);
  CHECK(cases::find(h.db, no)->state == workflow::case_state::received);
  // Today is fine.
  CHECK(h.api_event(no, R"("event":"accept","on":")" + workflow::format_date(workflow::china_date(unix_now())) + "\"")
            .result() == http::status::ok);
}

TEST_CASE("a backdated event shows on the staff timeline as entered later, with when", "[staff]") {
  dates_harness h;
  auto no = h.paper(5);
  const auto today = workflow::china_date(unix_now());
  const auto backdated = workflow::format_date(today - std::chrono::days{2});
  REQUIRE(h.api_event(no, R"("event":"accept","on":")" + backdated + "\"").result() == http::status::ok);
  auto page = h.dispatch(http::verb::get, "/staff/cases/" + no, "", "", h.cookie(), "203.0.113.9");
  REQUIRE(page.result() == http::status::ok);
  const auto& body = page.body();
  // The accept step: dated two days ago, entered today.
  auto at = body.find("<span class=\"date\">" + backdated + "</span>");
  REQUIRE(at != std::string::npos);
  auto line = body.substr(at, body.find("</li>", at) - at);
  INFO(line);
  CHECK(line.find("补录，录入于 " + workflow::format_date(today) + " ") != std::string::npos);
  // The claim (entered and dated today) is not marked.
  auto claim = body.find("<span class=\"date\">" + workflow::format_date(today) + "</span>");
  REQUIRE(claim != std::string::npos);
  CHECK(body.substr(claim, body.find("</li>", claim) - claim).find("补录") == std::string::npos);
}
