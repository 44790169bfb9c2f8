// The staff side through the route table (no socket), on SQLite and on MariaDB.
#include <catch2/catch.hpp>

#include <set>

#include "server/auth.hpp"
#include "server/config.hpp"
#include "core/crypto.hpp"
#include "server/routes.hpp"
#include "sql/staff.hpp"
#include "tests/support/route_harness.hpp"
#include "tests/support/staff_harness.hpp"
#include "tests/support/test_db.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

using namespace gongkai;
using gongkai::test::staff_harness;
namespace bhttp = boost::beast::http;
namespace json = boost::json;


TEST_CASE("every staff route checks the role server-side", "[staff]") {
  staff_harness h;
  auto no = h.file();
  struct expectation {
    http::verb method;
    std::string target;
    std::map<std::string, http::status> by_user;  // "" = not logged in
  };
  const auto ok = http::status::ok, see_other = http::status::see_other, forbidden = http::status::forbidden,
             unauthorized = http::status::unauthorized;
  std::vector<expectation> table = {
      {http::verb::get, "/staff", {{"", see_other}, {"root", forbidden}, {"clerk", ok}, {"head", ok}}},
      {http::verb::get, "/staff/cases/" + no, {{"", see_other}, {"root", forbidden}, {"clerk", ok}, {"head", ok}}},
      {http::verb::get, "/staff/register", {{"", see_other}, {"root", forbidden}, {"clerk", ok}, {"head", ok}}},
      {http::verb::get, "/api/v1/session", {{"", unauthorized}, {"root", ok}, {"clerk", ok}, {"head", ok}}},
  };
  for (const auto& e : table)
    for (const auto& [who, expected] : e.by_user) {
      INFO(e.target << " as " << (who.empty() ? "anonymous" : who));
      auto res = h.call(e.method, e.target, who);
      CHECK(res.result() == expected);
      if (expected == see_other) CHECK(res[bhttp::field::location] == "/login");
    }
  // Posts: assignment is a supervisor's; claiming a staff member's; nobody acts anonymously or as admin only.
  CHECK(h.post("/staff/cases/" + no + "/assign", "", {{"assignee", "clerk"}, {"version", h.version(no)}}, false).result() == see_other);
  CHECK(h.post("/staff/cases/" + no + "/assign", "root", {{"assignee", "clerk"}, {"version", h.version(no)}}).result() == forbidden);
  CHECK(h.post("/staff/cases/" + no + "/assign", "clerk", {{"assignee", "clerk"}, {"version", h.version(no)}}).result() == forbidden);
  CHECK(h.row(no).assignee.empty());
  CHECK(h.post("/staff/cases/" + no + "/assign", "head", {{"assignee", "clerk"}, {"version", h.version(no)}}).result() == see_other);
  CHECK(h.row(no).assignee == "clerk");
  // A staff member acts only on their own cases.
  auto other = h.event(no, "clerk2", "accept");
  CHECK(other.result() == forbidden);
  CHECK(other.body().find("此案件由 clerk 承办") != std::string::npos);
  CHECK(h.event(no, "clerk", "accept").result() == see_other);
  // Approving an extension is a supervisor's, asking for it a staff member's.
  CHECK(h.event(no, "clerk", "request_extension", {{"days", "5"}, {"reason", "档案调取"}}).result() == see_other);
  CHECK(h.event(no, "clerk", "approve_extension").result() == forbidden);
  CHECK(h.event(no, "head", "approve_extension").result() == see_other);
  CHECK(cases::find(h.db, no)->version == 5);
}

TEST_CASE("staff forms refuse a missing or foreign anti-forgery token", "[staff]") {
  staff_harness h;
  auto no = h.file();
  auto missing = h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}}, false);
  CHECK(missing.result() == http::status::forbidden);
  auto foreign = h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}, {"csrf", h.csrf("clerk2")}}, false);
  CHECK(foreign.result() == http::status::forbidden);
  CHECK(h.row(no).assignee.empty());
  auto logout = h.post("/logout", "clerk", {}, false);
  CHECK(logout.result() == http::status::forbidden);
  CHECK(h.call(http::verb::get, "/staff", "clerk").result() == http::status::ok);  // still logged in
}

TEST_CASE("logout ends the session; an expired session sends the user to the login page", "[staff]") {
  staff_harness h;
  auto res = h.post("/logout", "clerk", {});
  CHECK(res.result() == http::status::see_other);
  CHECK(res[bhttp::field::set_cookie].find("Max-Age=0") != std::string::npos);
  CHECK(h.call(http::verb::get, "/staff", "clerk").result() == http::status::see_other);
  auto id = users::find(h.db, "clerk2")->id;
  h.tokens["clerk2"] = sessions::open(h.db, id, unix_now() - 13 * 3600, 12 * 3600).token;
  CHECK(h.call(http::verb::get, "/staff", "clerk2").result() == http::status::see_other);
}

TEST_CASE("the login page logs in, sets a strict cookie, and throttles guessing", "[staff]") {
  staff_harness h;
  auto form = h.call(http::verb::get, "/login", "");
  auto at = form.body().find("name=\"csrf\" value=\"") + 19;
  auto token = form.body().substr(at, form.body().find('"', at) - at);
  auto login = [&](const std::string& password) {
    std::string body = "csrf=" + token + "&username=clerk&password=" + boost::urls::encode(password, boost::urls::unreserved_chars);
    return h.call(http::verb::post, "/login", "", body, "application/x-www-form-urlencoded");
  };
  auto ok = login("a long enough password");
  CHECK(ok.result() == http::status::see_other);
  CHECK(ok[bhttp::field::location] == "/staff");
  CHECK(ok[bhttp::field::set_cookie].find("HttpOnly; SameSite=Strict") != std::string::npos);
  CHECK(login("wrong").result() == http::status::unauthorized);
  int throttled = 0;
  for (int i = 0; i < 12; ++i)
    if (login("wrong").result() == http::status::too_many_requests) ++throttled;
  CHECK(throttled >= 3);  // 10 attempts per account per 15 minutes
  CHECK(login("a long enough password").result() == http::status::too_many_requests);
}

TEST_CASE("two people acting on the same case: the second is told it changed", "[staff]") {
  staff_harness h;
  auto no = h.file();
  h.post("/staff/cases/" + no + "/assign", "head", {{"assignee", "clerk"}, {"version", h.version(no)}});
  auto seen = h.version(no);  // both have the page open at this version
  auto first = h.post("/staff/cases/" + no + "/events", "clerk", {{"event", "accept"}, {"version", seen}});
  CHECK(first.result() == http::status::see_other);
  auto second = h.post("/staff/cases/" + no + "/events", "head",
                       {{"event", "request_correction"}, {"version", seen}, {"items", "补充文号"}});
  CHECK(second.result() == http::status::conflict);
  CHECK(second.body().find("此案件已被他人更新，请刷新后重试") != std::string::npos);
  CHECK(h.row(no).state == workflow::case_state::under_review);
  // The API says the same with 409.
  http::request req{http::verb::post, "/api/v1/requests/" + no + "/events", 11};
  req.set(bhttp::field::authorization, "Bearer " + h.tokens["clerk"]);
  req.set(bhttp::field::content_type, "application/json");
  req.body() = R"({"event":"answer","version":)" + seen + R"(,"outcome":"1","reply_text":"予以公开"})";
  req.prepare_payload();
  auto api = h.routes.dispatch(h.routes.find(req.method(), http::path_of(req.target())), req, h.cfg, h.svc, "x");
  CHECK(api.result() == http::status::conflict);
  CHECK(json::parse(api.body()).at("error").at("code") == "conflict");
}

TEST_CASE("a case from receipt to answer and archive, with its clocks and timeline", "[staff]") {
  staff_harness h;
  auto no = h.file();
  CHECK(h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}}).result() == http::status::see_other);
  CHECK(h.row(no).assignee == "clerk");
  auto page = h.call(http::verb::get, "/staff/cases/" + no, "clerk").body();
  CHECK(page.find("id=\"action-accept\"") != std::string::npos);
  CHECK(page.find("id=\"action-request_correction\"") != std::string::npos);
  CHECK(page.find("id=\"action-approve_extension\"") == std::string::npos);  // not in this state, not this role
  CHECK(page.find("补正告知期限") != std::string::npos);
  CHECK(h.event(no, "clerk", "request_correction", {{"items", "请写明文号"}}).result() == http::status::see_other);
  h.applicant_corrects(no);
  auto cal = h.calendar.get(h.db);
  CHECK(h.event(no, "clerk", "consult", {{"party", "某公司"}}).result() == http::status::see_other);
  CHECK(h.event(no, "clerk", "consultation_answered").result() == http::status::see_other);
  CHECK(h.event(no, "clerk", "request_extension", {{"days", "10"}, {"reason", "需协调"}}).result() == http::status::see_other);
  CHECK(h.event(no, "head", "approve_extension").result() == http::status::see_other);
  auto bad = h.event(no, "clerk", "answer", {{"outcome", "3"}, {"reply_text", "不予公开"}});
  CHECK(bad.result() == http::status::unprocessable_entity);
  CHECK(bad.body().find("该办理结果须选择具体理由") != std::string::npos);
  CHECK(h.event(no, "clerk", "answer", {{"outcome", "3.4"}, {"reply_text", "涉及商业秘密"}, {"legal_basis", "条例第十五条"}})
            .result() == http::status::see_other);
  CHECK(h.post("/staff/cases/" + no + "/note", "clerk", {{"version", h.version(no)}, {"text", "已电话告知申请人"}}).result() ==
        http::status::see_other);
  CHECK(h.event(no, "clerk", "close").result() == http::status::see_other);
  CHECK(h.row(no).state == workflow::case_state::closed);
  page = h.call(http::verb::get, "/staff/cases/" + no, "head").body();
  for (const char* step : {"登记", "分配承办人", "补正告知", "收到补正", "征求意见", "收到意见", "申请延期", "批准延期", "答复",
                           "内部备注", "归档"})
    CHECK(page.find(step) != std::string::npos);
  CHECK(page.find("申请行政复议期限") != std::string::npos);
  CHECK(page.find("已电话告知申请人") != std::string::npos);
}

TEST_CASE("personal data is masked in lists; each reveal on the case page is recorded", "[staff]") {
  staff_harness h;
  auto no = h.file();
  auto queue = h.call(http::verb::get, "/staff", "clerk").body();
  CHECK(queue.find("11010519491231002X") == std::string::npos);
  CHECK(queue.find("13800138000") == std::string::npos);
  CHECK(queue.find("1101**********002X") != std::string::npos);
  auto page = h.call(http::verb::get, "/staff/cases/" + no, "clerk").body();
  CHECK(page.find("11010519491231002X") == std::string::npos);
  CHECK(h.post("/staff/cases/" + no + "/reveal", "clerk", {}).result() == http::status::forbidden);  // not the assignee
  auto revealed = h.post("/staff/cases/" + no + "/reveal", "head", {});
  CHECK(revealed.result() == http::status::ok);
  CHECK(revealed.body().find("11010519491231002X") != std::string::npos);
  CHECK(revealed.body().find("13800138000") != std::string::npos);
  CHECK(staff_store::reveals(h.db, h.row(no).id) == 1);
}

TEST_CASE("the queue filters, searches, sorts and pages", "[staff]") {
  staff_harness h;
  std::vector<std::string> numbers;
  for (int i = 0; i < 3; ++i) numbers.push_back(h.file());
  h.post("/staff/cases/" + numbers[1] + "/claim", "clerk", {{"version", h.version(numbers[1])}});
  auto count = [&](const std::string& query, const std::string& as = "clerk") {
    auto body = h.call(http::verb::get, "/staff" + query, as).body();
    auto at = body.find("共 ") + std::string("共 ").size();
    return std::stoi(body.substr(at, body.find(' ', at) - at));
  };
  CHECK(count("") == 3);
  CHECK(count("?view=mine") == 1);
  CHECK(count("?view=unassigned") == 2);
  CHECK(count("?q=" + numbers[2]) == 1);
  CHECK(count("?q=%E7%8E%8B%E8%8A%B3") == 3);          // 王芳
  CHECK(count("?q=%25") == 0);                          // a literal % matches nothing
  CHECK(count("?state=received") == 3);
  CHECK(count("?state=closed") == 0);
  CHECK(count("?overdue=1") == 0);
  CHECK(count("?due_within=30") == 3);
  CHECK(count("?sort=received&page=1") == 3);
}

TEST_CASE("the queue's next page link carries where the page ends; it works without JavaScript", "[staff]") {
  staff_harness h;
  std::set<std::string> filed;
  for (int i = 0; i < 52; ++i) filed.insert(h.file());
  auto link = [](const std::string& body, const std::string& label) {
    auto end = body.find("\">" + label + "</a>");
    if (end == std::string::npos) return std::string();
    auto start = body.rfind("href=\"", end) + 6;
    auto href = body.substr(start, end - start);
    for (auto at = href.find("&amp;"); at != std::string::npos; at = href.find("&amp;")) href.replace(at, 5, "&");
    return href;
  };
  auto listed = [](const std::string& body) {
    std::vector<std::string> out;
    for (auto at = body.find("href=\"/staff/cases/"); at != std::string::npos; at = body.find("href=\"/staff/cases/", at + 1)) {
      at += std::string("href=\"/staff/cases/").size();
      out.push_back(body.substr(at, body.find('"', at) - at));
    }
    return out;
  };
  for (const std::string sort : {"", "&sort=received"}) {
    INFO(sort);
    auto first = h.call(http::verb::get, "/staff?view=all" + sort, "clerk").body();
    CHECK(first.find("共 52 件，第 1 页") != std::string::npos);
    CHECK(link(first, "第一页").empty());
    auto next = link(first, "下一页");
    REQUIRE(next.find("after=") != std::string::npos);
    CHECK(next.find("page=2") != std::string::npos);
    CHECK((sort.empty() || next.find("sort=received") != std::string::npos));  // the link keeps the filters
    auto second = h.call(http::verb::get, next, "clerk").body();
    CHECK(second.find("共 52 件，第 2 页") != std::string::npos);
    CHECK(link(second, "下一页").empty());
    CHECK(link(second, "第一页") == "/staff?view=all" + sort);
    auto a = listed(first), b = listed(second);
    CHECK(a.size() == 50);
    CHECK(b.size() == 2);
    std::set<std::string> all(a.begin(), a.end());
    all.insert(b.begin(), b.end());
    CHECK(all == filed);
  }
  // A cursor that is not one is the first page; page= alone is only a label and shows the first page.
  CHECK(listed(h.call(http::verb::get, "/staff?after=x.1", "clerk").body()).size() == 50);
  CHECK(h.call(http::verb::get, "/staff?page=3", "clerk").body().find("第 1 页") != std::string::npos);
}

TEST_CASE("staff register an application received by registered mail, with its receipt date", "[staff]") {
  staff_harness h;
  auto today = workflow::china_date(unix_now());
  auto yesterday = workflow::format_date(today - std::chrono::days{1});
  std::map<std::string, std::string> f = {
      {"category", "commercial"}, {"name", "某某公司"}, {"credit_code", "91350100M000100Y43"}, {"contact_person", "李雷"},
      {"phone", "0591-87654321"}, {"address", "福州市"}, {"description", "某地块出让合同"}, {"info_form", "paper"},
      {"delivery", "post"}, {"channel", "registered_mail"}, {"sent_on", yesterday}, {"received_on", workflow::format_date(today)}};
  auto bad = f;
  bad["received_on"] = workflow::format_date(today + std::chrono::days{1});
  auto refused = h.post("/staff/register", "clerk", bad);
  CHECK(refused.result() == http::status::unprocessable_entity);
  CHECK(refused.body().find("不能晚于今天") != std::string::npos);
  auto res = h.post("/staff/register", "clerk", f);
  REQUIRE(res.result() == http::status::created);
  auto at = res.body().find("id=\"tracking-no\"");
  auto start = res.body().find('>', at) + 1;
  auto no = res.body().substr(start, res.body().find('<', start) - start);
  auto stored = h.db.run(database::access::read, [&](connection& c) {
    std::string channel;
    c.sql << "SELECT a.channel FROM applications a JOIN cases k ON k.id = a.case_id WHERE k.tracking_no = :n", soci::use(no),
        soci::into(channel);
    return channel;
  });
  CHECK(stored == "registered_mail");
  auto log = cases::transitions(h.db, h.row(no).id);
  CHECK(log.front().actor == "clerk");
  CHECK(log.front().actor_role == "staff");
}

#include "server/letters.hpp"
#include "server/templates.hpp"

#include <filesystem>
#include <fstream>

TEST_CASE("a reply letter for every outcome code, with its decision, basis and remedies", "[staff]") {
  staff_harness h;
  staff_store::set_setting(h.db, "agency_name", "龙泉镇人民政府");
  staff_store::set_setting(h.db, "reconsideration_body", "某区人民政府");
  for (const auto& code : workflow::outcome_codes()) {
    if (code.code == "6.1") continue;  // the expired-correction letter comes from the system event, below
    INFO(code.code);
    auto no = h.file();
    h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}});
    std::map<std::string, std::string> f = {{"outcome", std::string(code.code)}, {"reply_text", "具体答复内容<b>"}};
    if (code.code == "2") f["withheld"] = "第3页涉及个人隐私";
    REQUIRE(h.event(no, "clerk", "answer", f).result() == http::status::see_other);
    auto row = h.row(no);
    auto log = cases::transitions(h.db, row.id);
    auto list = letters::of_case(log, true);
    REQUIRE(list.size() == 1);
    CHECK(list[0].title == "政府信息公开申请答复书");
    auto letter = h.call(http::verb::get, "/staff/cases/" + no + "/letters/" + std::to_string(list[0].seq), "clerk");
    REQUIRE(letter.result() == http::status::ok);
    const auto& body = letter.body();
    CHECK(body.find("龙泉镇人民政府") != std::string::npos);
    CHECK(body.find("王芳：") != std::string::npos);
    CHECK(body.find(std::string(code.decision_zh)) != std::string::npos);
    CHECK(body.find(std::string(code.basis_zh)) != std::string::npos);
    CHECK(body.find("具体答复内容&lt;b&gt;") != std::string::npos);
    CHECK(body.find("某区人民政府申请行政复议") != std::string::npos);
    if (code.code.starts_with("3."))
      CHECK(body.find("第二十三条第一款第四项") != std::string::npos);  // reconsideration first since 2024
    else
      CHECK(body.find("6个月内依法向人民法院提起行政诉讼") != std::string::npos);
    if (code.code == "2") CHECK(body.find("第3页涉及个人隐私") != std::string::npos);
  }
}

TEST_CASE("correction, extension and consultation letters; the applicant sees theirs", "[staff]") {
  staff_harness h;
  auto no = h.file();
  h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}});
  h.event(no, "clerk", "request_correction", {{"items", "请写明文号"}, {"days", "10"}});
  h.applicant_corrects(no);
  auto cal = h.calendar.get(h.db);
  h.event(no, "clerk", "consult", {{"party", "某某科技有限公司"}});
  h.event(no, "clerk", "consultation_answered");
  h.event(no, "clerk", "request_extension", {{"days", "15"}, {"reason", "需要调取历史档案"}});
  h.event(no, "head", "approve_extension");
  auto row = h.row(no);
  auto log = cases::transitions(h.db, row.id);
  auto staff_letters = letters::of_case(log, false);
  auto applicant_letters = letters::of_case(log, true);
  REQUIRE(staff_letters.size() == 3);
  REQUIRE(applicant_letters.size() == 2);  // not the consultation letter
  auto text = [&](int seq, bool applicant) { return *letters::render(h.db, row, log, seq, *cal, applicant); };
  auto correction = text(staff_letters[0].seq, true);
  CHECK(correction.find("补正告知书") != std::string::npos);
  CHECK(correction.find("请写明文号") != std::string::npos);
  CHECK(correction.find("第三十条") != std::string::npos);
  auto consultation = text(staff_letters[1].seq, false);
  CHECK(consultation.find("某某科技有限公司：") != std::string::npos);
  CHECK(consultation.find("15个工作日内") != std::string::npos);
  CHECK_FALSE(letters::render(h.db, row, log, staff_letters[1].seq, *cal, true));
  auto extension = text(staff_letters[2].seq, true);
  CHECK(extension.find("延长15个工作日") != std::string::npos);
  CHECK(extension.find("需要调取历史档案") != std::string::npos);
  CHECK(extension.find(workflow::format_date(*row.reply_due).substr(0, 4) + "年") != std::string::npos);
}

namespace {
int write_count = 1;
}

TEST_CASE("templates can be edited without a rebuild", "[staff]") {
  staff_harness h;
  auto dir = test::temp_dir();
  std::filesystem::create_directories(dir + "/templates");
  auto write = [&](const std::string& text) {
    std::ofstream(dir + "/templates/index.mustache") << text;
    // Make the change visible to a file system with coarse timestamps.
    std::filesystem::last_write_time(dir + "/templates/index.mustache",
                                     std::filesystem::file_time_type::clock::now() + std::chrono::seconds(write_count++));
  };
  write_count = 1;
  set_template_directory(dir);
  write("<h1>第一版首页</h1>");
  CHECK(h.call(http::verb::get, "/", "").body().find("第一版首页") != std::string::npos);
  write("<h1>第二版首页</h1>");
  CHECK(h.call(http::verb::get, "/", "").body().find("第二版首页") != std::string::npos);
  CHECK(h.call(http::verb::get, "/track", "").body().find("查询申请办理进度") != std::string::npos);  // not overridden
  set_template_directory("");
  CHECK(h.call(http::verb::get, "/", "").body().find("第二版首页") == std::string::npos);
}

TEST_CASE("the supervisor's dashboard: overdue, due soon, waiting extensions, correction windows, staff", "[staff]") {
  staff_harness h;
  auto cal = h.calendar.get(h.db);
  auto today = workflow::china_date(unix_now());
  // An overdue case: received 40 calendar days ago and never answered.
  workflow::case_event old;
  old.kind = workflow::event_kind::register_case;
  old.on = today - std::chrono::days{40};
  old.actor_role = workflow::role::staff;
  cases::create(h.db, "2020-000001", old, actor{workflow::role::staff, "clerk"}, *cal, unix_now_ms());
  staff_store::assign(h.db, "2020-000001", std::nullopt, "clerk", actor{workflow::role::supervisor, "head"}, unix_now_ms());
  auto fresh = h.file();  // received today: inside its correction window
  auto asking = h.file();
  h.post("/staff/cases/" + asking + "/claim", "clerk", {{"version", h.version(asking)}});
  h.event(asking, "clerk", "accept");
  h.event(asking, "clerk", "request_extension", {{"days", "7"}, {"reason", "跨部门协调"}});
  CHECK(h.call(http::verb::get, "/staff/dashboard", "clerk").result() == http::status::forbidden);
  auto page = h.call(http::verb::get, "/staff/dashboard", "head");
  REQUIRE(page.result() == http::status::ok);
  const auto& body = page.body();
  auto section = [&](const std::string& id) {
    auto at = body.find("id=\"" + id + "\"");
    return body.substr(at, body.find("</ul>", at) - at);
  };
  CHECK(section("overdue").find("2020-000001") != std::string::npos);
  CHECK(section("overdue").find(fresh) == std::string::npos);
  CHECK(section("extensions").find(asking) != std::string::npos);
  CHECK(section("extensions").find("申请延长 7 个工作日") != std::string::npos);
  CHECK(section("corrections").find(fresh) != std::string::npos);
  CHECK(section("corrections").find("2020-000001") == std::string::npos);  // its 7-day window has passed
  CHECK(body.find("<td>clerk</td><td>2</td><td>0</td><td>-</td>") != std::string::npos);
  // Answer the overdue one late and the other on time: the on-time rate is 50%.
  h.event("2020-000001", "clerk", "accept");
  h.event("2020-000001", "clerk", "answer", {{"outcome", "1"}, {"reply_text", "予以公开"}});
  h.event(asking, "head", "approve_extension");
  h.event(asking, "clerk", "answer", {{"outcome", "1"}, {"reply_text", "予以公开"}});
  page = h.call(http::verb::get, "/staff/dashboard", "head");
  CHECK(page.body().find("<td>clerk</td><td>0</td><td>2</td><td>50%</td>") != std::string::npos);
}

TEST_CASE("a supervisor reassigns several cases at once, each move recorded", "[staff]") {
  staff_harness h;
  auto a = h.file(), b = h.file(), c = h.file();
  CHECK(h.post("/staff/bulk-assign", "clerk", {{"assignee", "clerk2"}, {"case_" + a, "on"}}).result() == http::status::forbidden);
  auto res = h.post("/staff/bulk-assign", "head", {{"assignee", "clerk2"}, {"case_" + a, "on"}, {"case_" + b, "on"}});
  CHECK(res.result() == http::status::see_other);
  CHECK(h.row(a).assignee == "clerk2");
  CHECK(h.row(b).assignee == "clerk2");
  CHECK(h.row(c).assignee.empty());
  auto log = cases::transitions(h.db, h.row(a).id);
  CHECK(log.back().event == "assign");
  CHECK(log.back().actor == "head");
  CHECK(json::parse(log.back().payload).at("assignee") == "clerk2");
  CHECK(h.post("/staff/bulk-assign", "head", {{"assignee", "root"}, {"case_" + c, "on"}}).result() ==
        http::status::unprocessable_entity);  // not a staff member
}

TEST_CASE("admins manage accounts, settings, the calendar and API tokens; nobody else can", "[staff]") {
  staff_harness h;
  CHECK(h.call(http::verb::get, "/admin", "clerk").result() == http::status::forbidden);
  CHECK(h.call(http::verb::get, "/admin", "head").result() == http::status::forbidden);
  CHECK(h.call(http::verb::get, "/admin", "").result() == http::status::see_other);
  CHECK(h.call(http::verb::get, "/admin", "root").result() == http::status::ok);
  CHECK(h.post("/admin/users", "clerk", {{"username", "x1"}, {"role_staff", "on"}}).result() == http::status::forbidden);
  CHECK_FALSE(users::find(h.db, "x1"));

  auto created = h.post("/admin/users", "root", {{"username", "newclerk"}, {"display_name", "新同事"}, {"role_staff", "on"}});
  REQUIRE(created.result() == http::status::ok);
  auto at = created.body().find("id=\"secret\">") + 12;
  auto password = created.body().substr(at, created.body().find('<', at) - at);
  CHECK(password.size() == 20);
  auto u = users::find(h.db, "newclerk");
  REQUIRE(u);
  CHECK(u->must_change_password);
  CHECK(u->roles == std::vector<std::string>{"staff"});
  // The one-time password must be changed before any page opens.
  h.tokens["newclerk"] = sessions::open(h.db, u->id, unix_now(), 3600).token;
  auto first = h.call(http::verb::get, "/staff", "newclerk");
  CHECK(first.result() == http::status::see_other);
  CHECK(first[bhttp::field::location] == "/account/password");
  CHECK(h.post("/account/password", "newclerk", {{"current", password}, {"new", "short"}, {"confirm", "short"}}).result() ==
        http::status::unprocessable_entity);
  CHECK(h.post("/account/password", "newclerk", {{"current", password}, {"new", "a brand new password"}, {"confirm", "a brand new password"}})
            .result() == http::status::see_other);
  CHECK(h.call(http::verb::get, "/staff", "newclerk").result() == http::status::ok);

  CHECK(h.post("/admin/users/newclerk", "root", {{"do", "roles"}, {"role_staff", "on"}, {"role_supervisor", "on"}}).result() ==
        http::status::ok);
  CHECK(users::find(h.db, "newclerk")->roles == std::vector<std::string>{"staff", "supervisor"});
  CHECK(h.post("/admin/users/newclerk", "root", {{"do", "disable"}}).result() == http::status::ok);
  CHECK(h.call(http::verb::get, "/staff", "newclerk").result() == http::status::see_other);  // sessions ended
  CHECK(h.post("/admin/users/root", "root", {{"do", "disable"}}).result() == http::status::unprocessable_entity);

  CHECK(h.post("/admin/settings", "root", {{"agency_name", "龙泉镇人民政府"}, {"agency_address", "龙泉镇政府路1号"},
                                           {"seal_text", "龙泉镇人民政府（印）"}, {"reconsideration_body", "某区人民政府"}})
            .result() == http::status::ok);
  CHECK(staff_store::setting(h.db, "agency_name", "") == "龙泉镇人民政府");

  auto cal_page = h.call(http::verb::get, "/admin/calendar?year=2026", "root");
  CHECK(cal_page.body().find("2026-10-01 星期四") != std::string::npos);
  CHECK(cal_page.body().find("2026-01-04 星期日") != std::string::npos);
  CHECK(cal_page.body().find("尚未载入") == std::string::npos);
  CHECK(h.call(http::verb::get, "/admin/calendar?year=2027", "root").body().find("尚未载入") != std::string::npos);
  auto imported = h.post("/admin/calendar", "root", {{"schedule", R"({"2027": {"off_days": ["2027-01-01"], "makeup_workdays": []}})"}});
  CHECK(imported.result() == http::status::ok);
  CHECK(imported.body().find("已载入 2027 年") != std::string::npos);
  CHECK(h.post("/admin/calendar", "root", {{"schedule", "{\"2027\": 5}"}}).result() == http::status::unprocessable_entity);

  auto issued = h.post("/admin/users/clerk", "root", {{"do", "token"}, {"label", "OA"}});
  at = issued.body().find("id=\"secret\">") + 12;
  auto token = issued.body().substr(at, issued.body().find('<', at) - at);
  CHECK(token.starts_with("gk_"));
  // An office system fires an event with it.
  auto no = h.file();
  h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}});
  http::request req{http::verb::post, "/api/v1/requests/" + no + "/events", 11};
  req.set(bhttp::field::authorization, "Bearer " + token);
  req.set(bhttp::field::content_type, "application/json");
  req.body() = R"({"event":"accept","version":)" + h.version(no) + "}";
  req.prepare_payload();
  auto res = h.routes.dispatch(h.routes.find(req.method(), http::path_of(req.target())), req, h.cfg, h.svc, "x");
  CHECK(res.result() == http::status::ok);
  CHECK(json::parse(res.body()).at("state") == "under_review");
  CHECK(cases::transitions(h.db, h.row(no).id).back().actor == "clerk");
  // Revoked, the token opens nothing.
  CHECK(h.post("/admin/users/clerk", "root", {{"do", "revoke"}}).body().find("吊销 clerk 的接口令牌 1 个") != std::string::npos);
  req.body() = R"({"event":"withdraw","version":)" + h.version(no) + "}";
  req.prepare_payload();
  CHECK(h.routes.dispatch(h.routes.find(req.method(), http::path_of(req.target())), req, h.cfg, h.svc, "x").result() ==
        http::status::unauthorized);
}

TEST_CASE("the role table: every staff and admin route, for every role", "[staff]") {
  staff_harness h;
  auto no = h.file();
  h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}});
  h.event(no, "clerk", "request_correction", {{"items", "补充文号"}});
  const auto letter_seq = std::to_string(cases::transitions(h.db, h.row(no).id).back().seq);
  const auto ok = http::status::ok, see_other = http::status::see_other, forbidden = http::status::forbidden,
             unauthorized = http::status::unauthorized;
  struct row {
    http::verb method;
    std::string target;
    http::status anonymous, admin, staff, supervisor;
  };
  // GET routes: who may open each page.
  std::vector<row> gets = {
      {http::verb::get, "/staff", see_other, forbidden, ok, ok},
      {http::verb::get, "/staff/dashboard", see_other, forbidden, forbidden, ok},
      {http::verb::get, "/staff/register", see_other, forbidden, ok, ok},
      {http::verb::get, "/staff/cases/" + no, see_other, forbidden, ok, ok},
      {http::verb::get, "/staff/cases/" + no + "/letters/" + letter_seq, see_other, forbidden, ok, ok},
      {http::verb::get, "/admin", see_other, ok, forbidden, forbidden},
      {http::verb::get, "/admin/calendar", see_other, ok, forbidden, forbidden},
      {http::verb::get, "/account/password", see_other, ok, ok, ok},
      {http::verb::get, "/api/v1/session", unauthorized, ok, ok, ok},
  };
  for (const auto& r : gets) {
    INFO(r.target);
    CHECK(h.call(r.method, r.target, "").result() == r.anonymous);
    CHECK(h.call(r.method, r.target, "root").result() == r.admin);
    CHECK(h.call(r.method, r.target, "clerk2").result() == r.staff);
    CHECK(h.call(r.method, r.target, "head").result() == r.supervisor);
  }
  // POST routes that change something: the admin-only and supervisor-only ones refuse the others.
  struct post_row {
    std::string target;
    std::map<std::string, std::string> fields;
    std::string allowed;  // the one user (of root, clerk2, head) who may
  };
  std::vector<post_row> posts = {
      {"/admin/settings", {{"agency_name", "某机关"}}, "root"},
      {"/admin/users", {{"username", "made-by-test"}, {"role_staff", "on"}}, "root"},
      {"/admin/calendar", {{"schedule", R"({"2030": {"off_days": [], "makeup_workdays": []}})"}}, "root"},
      {"/staff/bulk-assign", {{"assignee", "clerk"}, {"case_" + no, "on"}}, "head"},
  };
  for (const auto& p : posts)
    for (const std::string who : {"root", "clerk2", "head"}) {
      INFO(p.target << " as " << who);
      auto res = h.post(p.target, who, p.fields);
      if (who == p.allowed) CHECK(res.result() != forbidden);
      else CHECK(res.result() == forbidden);
      CHECK(h.post(p.target, "", p.fields, false).result() == see_other);  // anonymous: to the login page
    }
  // The events API: staff and supervisors only.
  for (const std::string who : {"root", "clerk2"}) {
    http::request req{http::verb::post, "/api/v1/requests/" + no + "/events", 11};
    req.set(bhttp::field::authorization, "Bearer " + h.tokens.at(who));
    req.set(bhttp::field::content_type, "application/json");
    req.body() = R"({"event":"withdraw","version":)" + h.version(no) + "}";
    req.prepare_payload();
    auto res = h.routes.dispatch(h.routes.find(req.method(), http::path_of(req.target())), req, h.cfg, h.svc, "x");
    CHECK(res.result() == forbidden);  // admin: wrong role; clerk2: not the assignee
  }
}

#include "sql/outbox.hpp"
#include "app/sweeper.hpp"

TEST_CASE("reminders to the assignee, the applicant and supervisors, each written once", "[staff]") {
  staff_harness h;
  auto no = h.file();
  h.post("/staff/cases/" + no + "/assign", "head", {{"assignee", "clerk"}, {"version", h.version(no)}});
  auto kinds = [&](const std::string& user) {
    std::vector<std::string> out;
    for (const auto& m : outbox::for_user(h.db, user, 100)) out.push_back(m.kind);
    return out;
  };
  CHECK(kinds("clerk") == std::vector<std::string>{"assigned"});
  auto cal = h.calendar.get(h.db);
  auto due = *h.row(no).reply_due;
  auto noon = [](workflow::date d) {
    return (std::chrono::duration_cast<std::chrono::seconds>(d.time_since_epoch()).count() + 4 * 3600) * 1000;
  };
  auto before = due;
  while (workflow::working_days_between(*cal, before, due) < 2) before -= std::chrono::days{1};
  CHECK(sweeper::remind(h.db, *cal, noon(before)) == 1);
  CHECK(sweeper::remind(h.db, *cal, noon(before)) == 0);  // once
  CHECK(sweeper::remind(h.db, *cal, noon(due)) == 1);
  auto after = due + std::chrono::days{1};
  int written = sweeper::remind(h.db, *cal, noon(after));
  CHECK(written == 3);  // the assignee, the applicant, and the supervisor's daily digest
  CHECK(sweeper::remind(h.db, *cal, noon(after)) == 0);
  CHECK(kinds("clerk") == std::vector<std::string>{"overdue", "due_today", "due_soon", "assigned"});  // newest first
  CHECK(kinds("head") == std::vector<std::string>{"digest"});
  CHECK(sweeper::remind(h.db, *cal, noon(after + std::chrono::days{1})) == 1);  // tomorrow's digest only
  bool applicant_told = false;
  for (const auto& m : outbox::for_case(h.db, h.row(no).id)) applicant_told |= m.kind == "reply_overdue";
  CHECK(applicant_told);
  auto inbox = h.call(http::verb::get, "/staff/inbox", "clerk");
  REQUIRE(inbox.result() == http::status::ok);
  CHECK(inbox.body().find("已逾期：" + no) != std::string::npos);
  CHECK(inbox.body().find("新分配给您的申请：" + no) != std::string::npos);
  CHECK(h.call(http::verb::get, "/staff/inbox", "root").result() == http::status::forbidden);
}
