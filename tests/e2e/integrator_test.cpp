// An office system runs the whole life of a case through the JSON API, over real sockets against the
// gongkai binary, with no HTML (issue 13): registered on paper, claimed, accepted, corrected by the
// applicant, extended with approval, answered, appealed, decided and closed.
#include <catch2/catch.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/test_db.hpp"

#include <boost/json.hpp>

using namespace gongkai;
namespace json = boost::json;

namespace {

const std::string password = "integrator password 2026";

struct client {
  std::uint16_t port;
  http::response call(http::verb method, const std::string& target, const std::string& token, const json::value& body,
                      std::map<std::string, std::string> headers = {}) {
    test::http_client c(port);
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    if (!body.is_null()) headers["Content-Type"] = "application/json";
    return c.send(method, target, body.is_null() ? std::string() : json::serialize(body), headers);
  }
  json::object ok(http::verb method, const std::string& target, const std::string& token, const json::value& body,
                  http::status expected = http::status::ok, std::map<std::string, std::string> headers = {}) {
    auto res = call(method, target, token, body, std::move(headers));
    INFO(target << " -> " << res.body());
    REQUIRE(res.result() == expected);
    REQUIRE(res[http::bhttp::field::content_type].starts_with("application/json"));
    return json::parse(res.body()).as_object();
  }
  std::string login(const std::string& user) {
    auto o = ok(http::verb::post, "/api/v1/session", "", json::object{{"username", user}, {"password", password}},
                http::status::created);
    return std::string(o.at("token").as_string());
  }
};

}  // namespace

TEST_CASE("an office system runs the whole life of a case through the JSON API alone", "[process]") {
  test::scratch_database s;
  REQUIRE(test::run_gongkai({"user", "add", "clerk", "--role", "staff", "--db", s.url()}, password + "\n").first == 0);
  REQUIRE(test::run_gongkai({"user", "add", "head", "--role", "supervisor", "--role", "staff", "--db", s.url()},
                            password + "\n").first == 0);
  test::child_process server({GONGKAI_BINARY, "serve", "--listen", "127.0.0.1:0", "--db", s.url()});
  client api{test::start_server(server)};
  REQUIRE(api.port != 0);
  const auto clerk = api.login("clerk"), head = api.login("head");

  // Registered on paper (Art. 31): received in person today.
  auto reg = api.ok(http::verb::post, "/api/v1/cases", clerk,
                    json::object{{"category", "natural_person"}, {"name", "李雷"}, {"id_type", "resident_id"},
                                 {"id_number", "11010519491231002X"}, {"phone", "13800138000"}, {"address", "北京市东城区"},
                                 {"description", "本镇2025年道路维修项目的验收报告"}, {"info_form", "paper"},
                                 {"delivery", "post"}, {"channel", "in_person"},
                                 {"received_on", json::value(nullptr)}},
                    http::status::unprocessable_entity);
  CHECK(reg.at("error").at("fields").as_object().contains("received_on"));
  auto registered = api.call(http::verb::post, "/api/v1/cases", clerk,
                             json::object{{"category", "natural_person"}, {"name", "李雷"}, {"id_type", "resident_id"},
                                          {"id_number", "11010519491231002X"}, {"phone", "13800138000"},
                                          {"address", "北京市东城区"}, {"description", "本镇2025年道路维修项目的验收报告"},
                                          {"info_form", "paper"}, {"delivery", "post"}, {"channel", "in_person"},
                                          {"received_on", "today"}});
  CHECK(registered.result() == http::status::unprocessable_entity);  // a date, not a word
  // The receipt date is today in China; the server says which day that is in its answer.
  json::object filed;
  for (int back = 0; back <= 1 && filed.empty(); ++back) {
    auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now() + std::chrono::hours(8)) -
               std::chrono::days{back};
    std::chrono::year_month_day ymd{day};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    auto res = api.call(http::verb::post, "/api/v1/cases", clerk,
                        json::object{{"category", "natural_person"}, {"name", "李雷"}, {"id_type", "resident_id"},
                                     {"id_number", "11010519491231002X"}, {"phone", "13800138000"},
                                     {"address", "北京市东城区"}, {"description", "本镇2025年道路维修项目的验收报告"},
                                     {"info_form", "paper"}, {"delivery", "post"}, {"channel", "in_person"},
                                     {"received_on", buf}});
    if (res.result() == http::status::created) filed = json::parse(res.body()).as_object();
  }
  REQUIRE_FALSE(filed.empty());
  const std::string no(filed.at("tracking_no").as_string()), code(filed.at("access_code").as_string());
  CHECK(filed.at("channel") == "in_person");
  CHECK(filed.at("reply_due").is_string());
  std::int64_t version = filed.at("version").as_int64();

  auto event = [&](const std::string& token, json::object body, http::status expected = http::status::ok) {
    body["version"] = version;
    auto o = api.ok(http::verb::post, "/api/v1/requests/" + no + "/events", token, body, expected);
    if (expected == http::status::ok) version = o.at("version").as_int64();
    return o;
  };
  // Not theirs until claimed.
  auto refused = api.ok(http::verb::post, "/api/v1/requests/" + no + "/events", clerk,
                        json::object{{"event", "accept"}, {"version", version}}, http::status::forbidden);
  CHECK(refused.at("error").at("code") == "not_assigned");
  version = api.ok(http::verb::post, "/api/v1/cases/" + no + "/claim", clerk, json::object{{"version", version}})
                .at("version").as_int64();
  // A correction is asked before the application is accepted (Art. 30: within 7 working days of receipt).
  CHECK(event(clerk, {{"event", "request_correction"}, {"items", "请写明验收报告所属项目的名称"}}).at("state") ==
        "correction_requested");

  // The applicant answers with the access code, over the citizens' API.
  auto corrected = api.ok(http::verb::post, "/api/v1/requests/" + no + "/correction", "",
                          json::object{{"text", "项目名称：某某路维修工程"}}, http::status::ok, {{"X-Access-Code", code}});
  CHECK(corrected.at("state") == "under_review");
  version = corrected.at("version").as_int64();

  // An extension asked by the clerk and approved by the supervisor moves the due date.
  const std::string due_before(api.ok(http::verb::get, "/api/v1/cases/" + no, clerk, nullptr).at("clocks").at("reply").at("due").as_string());
  event(clerk, {{"event", "request_extension"}, {"days", 10}, {"reason", "需要调取档案"}});
  event(head, {{"event", "approve_extension"}, {"reason", "同意"}});
  auto view = api.ok(http::verb::get, "/api/v1/cases/" + no, clerk, nullptr);
  CHECK(std::string(view.at("clocks").at("reply").at("due").as_string()) > due_before);

  CHECK(event(clerk, {{"event", "answer"}, {"outcome", "1"}, {"reply_text", "予以公开，见附件。"}}).at("state") == "answered");
  CHECK(event(clerk, {{"event", "file_appeal"}, {"appeal", "reconsideration"}}).at("state") == "appealed");
  event(clerk, {{"event", "decide_appeal"}, {"result", "upheld"}});
  CHECK(event(clerk, {{"event", "close"}}).at("state") == "closed");

  // Every step is in the staff timeline, in order; the applicant sees the answer and its remedies.
  view = api.ok(http::verb::get, "/api/v1/cases/" + no, head, nullptr);
  CHECK(view.at("state") == "closed");
  std::vector<std::string> events;
  for (const auto& t : view.at("timeline").as_array()) events.emplace_back(t.at("event").as_string());
  CHECK(events == std::vector<std::string>{"register", "assign", "request_correction", "correction_received",
                                           "request_extension", "approve_extension", "answer", "file_appeal",
                                           "decide_appeal", "close"});
  CHECK(view.at("allowed_events").as_array().empty());
  auto mine = api.ok(http::verb::get, "/api/v1/requests/" + no, "", nullptr, http::status::ok, {{"X-Access-Code", code}});
  CHECK(mine.at("reply").at("outcome") == "1");
  CHECK_FALSE(mine.at("overdue").as_bool());

  // A complete application is accepted as it is: registered, claimed, accepted, answered.
  auto second = api.call(http::verb::post, "/api/v1/cases", clerk,
                         json::object{{"category", "commercial"}, {"name", "某某科技有限公司"},
                                      {"credit_code", "91110000600037341L"}, {"contact_person", "韩梅梅"},
                                      {"phone", "010-65001234"}, {"address", "北京市朝阳区"},
                                      {"description", "本镇2025年招商引资协议"}, {"info_form", "electronic"},
                                      {"delivery", "email"}, {"email", "office@example.cn"}, {"channel", "registered_mail"},
                                      {"sent_on", std::string(filed.at("received_on").as_string())},
                                      {"received_on", std::string(filed.at("received_on").as_string())}});
  INFO(second.body());
  REQUIRE(second.result() == http::status::created);
  const std::string other(json::parse(second.body()).at("tracking_no").as_string());
  auto v2 = api.ok(http::verb::post, "/api/v1/cases/" + other + "/claim", clerk,
                   json::object{{"version", json::parse(second.body()).at("version")}}).at("version").as_int64();
  auto accepted = api.ok(http::verb::post, "/api/v1/requests/" + other + "/events", clerk,
                         json::object{{"event", "accept"}, {"version", v2}});
  CHECK(accepted.at("state") == "under_review");
  auto answered = api.ok(http::verb::post, "/api/v1/requests/" + other + "/events", clerk,
                         json::object{{"event", "answer"}, {"version", accepted.at("version")}, {"outcome", "3.4"},
                                      {"reply_text", "涉及商业秘密，不予公开。"}, {"legal_basis", "条例第十五条"}});
  CHECK(answered.at("state") == "answered");
}
