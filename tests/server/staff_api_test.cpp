// The staff side as JSON (issue 13): the staff view of a case and the actions besides events, with the
// same rules as the pages, on SQLite and on MariaDB.
#include <catch2/catch.hpp>

#include "sql/applications.hpp"
#include "sql/staff.hpp"
#include "tests/support/staff_harness.hpp"

#include <boost/json.hpp>

using namespace gongkai;
using gongkai::test::staff_harness;
namespace json = boost::json;

namespace {

struct api_harness : staff_harness {
  http::response api(http::verb method, const std::string& target, const std::string& as, const json::value& body = nullptr) {
    std::map<std::string, std::string> headers;
    if (!as.empty()) headers["Authorization"] = "Bearer " + tokens.at(as);
    return dispatch(method, target, body.is_null() ? std::string() : json::serialize(body),
                    body.is_null() ? std::string() : "application/json", headers, "203.0.113.5");
  }
  json::object get(const std::string& no, const std::string& as) {
    auto res = api(http::verb::get, "/api/v1/cases/" + no, as);
    INFO(res.body());
    REQUIRE(res.result() == http::status::ok);
    return json::parse(res.body()).as_object();
  }
  std::int64_t version_of(const std::string& no) { return row(no).version; }
};

std::string error_code(const http::response& res) { return std::string(json::parse(res.body()).at("error").at("code").as_string()); }

bool has_event(const json::object& c, const char* name) {
  for (const auto& e : c.at("allowed_events").as_array())
    if (e.at("event") == name) return true;
  return false;
}

}  // namespace

TEST_CASE("staff read a case as JSON: masked applicant, clocks with explanations, timeline, what they may do",
          "[staff]") {
  api_harness h;
  auto no = h.file();
  CHECK(h.api(http::verb::get, "/api/v1/cases/" + no, "").result() == http::status::unauthorized);
  CHECK(h.api(http::verb::get, "/api/v1/cases/" + no, "root").result() == http::status::forbidden);  // admin only
  CHECK(h.api(http::verb::get, "/api/v1/cases/2026-999999", "clerk").result() == http::status::not_found);

  auto c = h.get(no, "clerk");
  CHECK(c.at("tracking_no").as_string() == no);
  CHECK(c.at("state") == "received");
  CHECK(c.at("assignee").is_null());
  const auto& app = c.at("applicant").as_object();
  CHECK(app.at("name") == "王芳");
  CHECK(app.at("identity") != "11010519491231002X");  // masked
  CHECK(app.at("phone") != "13800138000");
  CHECK_FALSE(app.at("revealed").as_bool());
  const auto& reply = c.at("clocks").at("reply").as_object();
  CHECK(reply.at("due").is_string());
  CHECK_FALSE(reply.at("explanation").as_array().empty());
  CHECK(c.at("timeline").as_array().size() == 1);
  CHECK(c.at("timeline").at(0).at("event") == "register");
  // Not theirs yet: no events, but they may claim it.
  CHECK(c.at("allowed_events").as_array().empty());
  CHECK(c.at("can_claim").as_bool());
  CHECK_FALSE(c.at("can_assign").as_bool());
}

TEST_CASE("claim, note, reveal and assign through the JSON API follow the pages' rules", "[staff]") {
  api_harness h;
  auto no = h.file();
  const auto base = "/api/v1/cases/" + no;

  // Claim: a stale version is a conflict; then the clerk holds it and may act.
  CHECK(error_code(h.api(http::verb::post, base + "/claim", "clerk", json::object{{"version", h.version_of(no) + 5}})) ==
        "conflict");
  auto claimed = h.api(http::verb::post, base + "/claim", "clerk", json::object{{"version", h.version_of(no)}});
  REQUIRE(claimed.result() == http::status::ok);
  auto c = json::parse(claimed.body()).as_object();
  CHECK(c.at("assignee") == "clerk");
  CHECK(has_event(c, "accept"));
  CHECK(has_event(c, "request_correction"));
  CHECK_FALSE(has_event(c, "approve_extension"));  // a supervisor's event
  // Another clerk cannot take it over, nor act on it.
  CHECK(error_code(h.api(http::verb::post, base + "/claim", "clerk2", json::object{{"version", h.version_of(no)}})) ==
        "already_assigned");
  CHECK(h.get(no, "clerk2").at("allowed_events").as_array().empty());

  // Notes: the handler's, 1-5,000 characters; listed with who and when.
  CHECK(h.api(http::verb::post, base + "/notes", "clerk2", json::object{{"version", h.version_of(no)}, {"text", "x"}})
            .result() == http::status::forbidden);
  CHECK(h.api(http::verb::post, base + "/notes", "clerk", json::object{{"version", h.version_of(no)}, {"text", ""}})
            .result() == http::status::unprocessable_entity);
  auto noted = h.api(http::verb::post, base + "/notes", "clerk",
                     json::object{{"version", h.version_of(no)}, {"text", "已电话联系申请人"}});
  REQUIRE(noted.result() == http::status::ok);
  auto n = json::parse(noted.body()).as_object();
  REQUIRE(n.at("notes").as_array().size() == 1);
  CHECK(n.at("notes").at(0).at("text") == "已电话联系申请人");
  CHECK(n.at("notes").at(0).at("by") == "clerk");

  // Reveal: the handler only, and every reveal is recorded.
  const auto case_id = h.row(no).id;
  CHECK(h.api(http::verb::post, base + "/reveal", "clerk2").result() == http::status::forbidden);
  CHECK(staff_store::reveals(h.db, case_id) == 0);
  auto shown = h.api(http::verb::post, base + "/reveal", "clerk");
  REQUIRE(shown.result() == http::status::ok);
  auto s = json::parse(shown.body()).as_object();
  CHECK(s.at("applicant").at("identity") == "11010519491231002X");
  CHECK(s.at("applicant").at("phone") == "13800138000");
  CHECK(staff_store::reveals(h.db, case_id) == 1);
  CHECK(h.get(no, "clerk").at("applicant").at("identity") != "11010519491231002X");  // masked again on the next read

  // Assign: supervisors only, to an enabled staff account.
  CHECK(h.api(http::verb::post, base + "/assign", "clerk", json::object{{"version", h.version_of(no)}, {"assignee", "clerk2"}})
            .result() == http::status::forbidden);
  CHECK(error_code(h.api(http::verb::post, base + "/assign", "head",
                         json::object{{"version", h.version_of(no)}, {"assignee", "nobody"}})) == "invalid_fields");
  auto moved = h.api(http::verb::post, base + "/assign", "head", json::object{{"version", h.version_of(no)}, {"assignee", "clerk2"}});
  REQUIRE(moved.result() == http::status::ok);
  CHECK(json::parse(moved.body()).at("assignee") == "clerk2");
  CHECK(h.get(no, "head").at("can_assign").as_bool());
}

TEST_CASE("bulk assignment through the JSON API moves every case or none", "[staff]") {
  api_harness h;
  auto one = h.file(), two = h.file();
  auto bulk = [&](const std::string& as, json::array numbers) {
    return h.api(http::verb::post, "/api/v1/cases/assign", as,
                 json::object{{"assignee", "clerk2"}, {"tracking_numbers", std::move(numbers)}});
  };
  CHECK(bulk("clerk", {one.c_str(), two.c_str()}).result() == http::status::forbidden);
  CHECK(bulk("head", {}).result() == http::status::unprocessable_entity);
  // One unknown number: nothing moves.
  CHECK(bulk("head", {one.c_str(), "2026-999999"}).result() == http::status::not_found);
  CHECK(h.row(one).assignee.empty());
  auto res = bulk("head", {one.c_str(), two.c_str()});
  REQUIRE(res.result() == http::status::ok);
  CHECK(json::parse(res.body()).at("assigned").as_array().size() == 2);
  CHECK(h.row(one).assignee == "clerk2");
  CHECK(h.row(two).assignee == "clerk2");
}

TEST_CASE("the queue as JSON and CSV: the page's filters and keyset paging, masked, bad input refused", "[staff]") {
  api_harness h;
  std::vector<std::string> numbers;
  for (int i = 0; i < 5; ++i) numbers.push_back(h.file());
  // A name that a spreadsheet would take for a formula.
  h.db.transact([&](connection& c) {
    c.sql << "UPDATE applications SET name = '=HYPERLINK(\"http://x\",\"y\")' WHERE case_id = :i", soci::use(h.row(numbers[0]).id);
  });
  auto get = [&](const std::string& query, const std::string& as = "head") {
    return h.api(http::verb::get, "/api/v1/cases" + query, as);
  };
  CHECK(get("", "").result() == http::status::unauthorized);
  CHECK(get("", "root").result() == http::status::forbidden);

  // Two by two, following `next`, every case exactly once.
  std::set<std::string> seen;
  std::string after;
  for (int pages = 0; pages < 10; ++pages) {
    auto res = get("?view=all&limit=2" + (after.empty() ? std::string() : "&after=" + after));
    REQUIRE(res.result() == http::status::ok);
    auto body = json::parse(res.body()).as_object();
    CHECK(body.at("total").as_int64() == 5);
    for (const auto& c : body.at("cases").as_array()) {
      CHECK(seen.insert(std::string(c.at("tracking_no").as_string())).second);
      CHECK(c.at("identity").as_string() != "11010519491231002X");  // masked as on the page
      CHECK(c.at("phone").as_string() != "13800138000");
    }
    if (body.at("next").is_null()) break;
    after = std::string(body.at("next").as_string());
  }
  CHECK(seen.size() == 5);

  // Filters as on the page.
  h.post("/staff/cases/" + numbers[1] + "/claim", "clerk", {{"version", h.version(numbers[1])}});
  auto mine = json::parse(get("?view=mine", "clerk").body()).as_object();
  REQUIRE(mine.at("cases").as_array().size() == 1);
  CHECK(mine.at("cases").at(0).at("tracking_no").as_string() == numbers[1]);
  CHECK(json::parse(get("?q=" + numbers[2]).body()).at("cases").as_array().size() == 1);

  // CSV: the same rows, a header, formulas neutralised.
  auto csv = get("?view=all&format=csv");
  REQUIRE(csv.result() == http::status::ok);
  CHECK(std::string(csv[http::bhttp::field::content_type]).starts_with("text/csv"));
  CHECK(std::string(csv[http::bhttp::field::content_disposition]).starts_with("attachment"));
  const auto& text = csv.body();
  CHECK(text.find("申请编号,收到日期,状态") != std::string::npos);
  for (const auto& no : numbers) CHECK(text.find(no) != std::string::npos);
  CHECK(text.find("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"") != std::string::npos);
  CHECK(text.find(",=HYPERLINK") == std::string::npos);
  CHECK(text.find("11010519491231002X") == std::string::npos);
  CHECK(h.dispatch(http::verb::get, "/api/v1/cases", "", "", {{"Authorization", "Bearer " + h.tokens.at("head")}, {"Accept", "text/csv"}},
                   "203.0.113.5")
            .body()
            .starts_with("\xEF\xBB\xBF申请编号"));

  // Bad input: a clear error, nothing else.
  CHECK(error_code(get("?colour=red")) == "bad_request");
  CHECK(error_code(get("?after=not-a-cursor")) == "bad_request");
  CHECK(error_code(get("?limit=0")) == "invalid_fields");
  CHECK(error_code(get("?limit=500")) == "invalid_fields");
  CHECK(error_code(get("?state=flying")) == "invalid_fields");
  CHECK(error_code(get("?from=2026-13-01")) == "invalid_fields");
  CHECK(error_code(get("?format=xml")) == "invalid_fields");
  auto bad = json::parse(get("?sort=name&view=everyone").body());
  CHECK(bad.at("error").at("fields").as_object().contains("sort"));
  CHECK(bad.at("error").at("fields").as_object().contains("view"));
}

TEST_CASE("the dashboard as JSON: the page's lists and bounded counts, for supervisors", "[staff]") {
  api_harness h;
  auto cal = h.calendar.get(h.db);
  const auto today = workflow::china_date(unix_now());
  workflow::application app;
  app.name = "王芳";
  app.phone = "13800138000";
  app.address = "北京市";
  app.description = "某文件";
  app.info_form = "paper";
  app.delivery = "post";
  // Received 60 days ago, never answered: overdue. Received today: its correction window is open.
  auto late = applications::file(h.db, app, "in_person", today - std::chrono::days{60}, "", actor{workflow::role::staff, "clerk"},
                                 *cal, unix_now_ms());
  auto fresh = h.file();
  // An extension waiting for approval.
  auto asking = h.file();
  h.post("/staff/cases/" + asking + "/claim", "clerk", {{"version", h.version(asking)}});
  h.event(asking, "clerk", "accept");
  REQUIRE(h.event(asking, "clerk", "request_extension", {{"days", "5"}, {"reason", "需要调取档案"}}).result() ==
          http::status::see_other);

  CHECK(h.api(http::verb::get, "/api/v1/dashboard", "clerk").result() == http::status::forbidden);
  auto res = h.api(http::verb::get, "/api/v1/dashboard", "head");
  REQUIRE(res.result() == http::status::ok);
  auto d = json::parse(res.body()).as_object();
  CHECK(d.at("today").as_string() == workflow::format_date(today));
  const auto& overdue = d.at("overdue").as_object();
  CHECK(overdue.at("count").as_int64() == 1);
  CHECK_FALSE(overdue.at("more").as_bool());
  REQUIRE(overdue.at("cases").as_array().size() == 1);
  CHECK(overdue.at("cases").at(0).at("tracking_no").as_string() == late.row.tracking_no);
  CHECK(overdue.at("cases").at(0).at("working_days_late").as_int64() > 0);
  const auto& ext = d.at("extensions_awaiting_approval").as_object();
  REQUIRE(ext.at("cases").as_array().size() == 1);
  CHECK(ext.at("cases").at(0).at("tracking_no").as_string() == asking);
  CHECK(ext.at("cases").at(0).at("days").as_int64() == 5);
  bool window = false;
  for (const auto& c : d.at("correction_windows_open").at("cases").as_array()) window |= c.at("tracking_no").as_string() == fresh;
  CHECK(window);
  // The page shows the same cases.
  auto page = h.call(http::verb::get, "/staff/dashboard", "head").body();
  CHECK(page.find(late.row.tracking_no) != std::string::npos);
  CHECK(page.find(asking) != std::string::npos);
}
