// What applicants see of their case (issue 10, items 1-4 and 18), through the route table, on SQLite and
// MariaDB: only their own notices and steps, the remedies the law gives for the answer, text escaped for
// its medium, and names that cannot be spoofed.
#include <catch2/catch.hpp>

#include "server/letters.hpp"
#include "app/notifications.hpp"
#include "sql/applications.hpp"
#include "sql/outbox.hpp"
#include "sql/staff.hpp"
#include "app/sweeper.hpp"
#include "tests/support/staff_harness.hpp"

#include <boost/json.hpp>

#include <set>

using namespace gongkai;
using gongkai::test::staff_harness;
namespace json = boost::json;

namespace {

json::object applicant_json(staff_harness& h, const std::string& no, const std::string& code) {
  auto res = h.dispatch(http::verb::get, "/api/v1/requests/" + no, "", "", {{"X-Access-Code", code}}, "198.51.100.7");
  REQUIRE(res.result() == http::status::ok);
  return json::parse(res.body()).as_object();
}

std::string tracking_page(staff_harness& h, const std::string& no, const std::string& code) {
  auto res = h.dispatch(http::verb::post, "/track", h.form_body({{"tracking_no", no}, {"access_code", code}}),
                        "application/x-www-form-urlencoded", {}, "198.51.100.7");
  REQUIRE(res.result() == http::status::ok);
  return res.body();
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

long long noon_ms(workflow::date d) {
  return (std::chrono::duration_cast<std::chrono::seconds>(d.time_since_epoch()).count() + 4 * 3600) * 1000;
}

}  // namespace

TEST_CASE("the applicant sees only notices addressed to them, whatever notices the case produced", "[staff]") {
  staff_harness h;
  std::string code;
  auto no = h.file(&code);
  // Every kind of notice: assignment (staff), correction, consultation, extension, reminders to the
  // assignee (due soon, due today, overdue), the applicant's overdue notice, the supervisors' digest.
  REQUIRE(h.post("/staff/cases/" + no + "/assign", "head", {{"assignee", "clerk"}, {"version", h.version(no)}}).result() ==
          http::status::see_other);
  h.event(no, "clerk", "request_correction", {{"items", "请写明文号"}});
  h.applicant_corrects(no);
  auto cal = h.calendar.get(h.db);
  h.event(no, "clerk", "consult", {{"party", "某某公司"}});
  h.event(no, "clerk", "consultation_answered");
  h.event(no, "clerk", "request_extension", {{"days", "5"}, {"reason", "需要调取档案"}});
  h.event(no, "head", "approve_extension");
  h.post("/staff/cases/" + no + "/note", "clerk", {{"text", "内部：已电话联系"}, {"version", h.version(no)}});
  auto due = *h.row(no).reply_due;
  auto before = due;
  while (workflow::working_days_between(*cal, before, due) < 2) before -= std::chrono::days{1};
  sweeper::remind(h.db, *cal, noon_ms(before));
  sweeper::remind(h.db, *cal, noon_ms(due));
  sweeper::remind(h.db, *cal, noon_ms(due + std::chrono::days{1}));

  std::set<std::string> staff_kinds, applicant_kinds;
  for (const auto& m : outbox::for_case(h.db, h.row(no).id))
    (m.audience == "applicant" ? applicant_kinds : staff_kinds).insert(m.kind);
  REQUIRE(staff_kinds == std::set<std::string>{"assigned", "due_soon", "due_today", "overdue"});
  REQUIRE(applicant_kinds == std::set<std::string>{"received", "correction_requested", "consultation_started",
                                                   "extension_approved", "reply_overdue"});

  auto view = applicant_json(h, no, code);
  std::set<std::string> subjects;
  for (const auto& m : view.at("messages").as_array()) subjects.insert(std::string(m.at("subject").as_string()));
  CHECK(subjects.size() == applicant_kinds.size());
  auto page = tracking_page(h, no, code);
  for (const auto* staff_text : {"新分配给您的申请", "请登录工作台", "您承办的申请", "请尽快办理"}) {
    INFO(staff_text);
    CHECK_FALSE(contains(json::serialize(view), staff_text));
    CHECK_FALSE(contains(page, staff_text));
  }
  CHECK(contains(page, "请补正您的政府信息公开申请"));
}

TEST_CASE("the applicant's timeline shows only their steps, in their words", "[staff]") {
  staff_harness h;
  std::string code;
  auto no = h.file(&code);
  h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}});
  h.post("/staff/cases/" + no + "/note", "clerk", {{"text", "内部备注"}, {"version", h.version(no)}});
  h.event(no, "clerk", "accept");
  h.event(no, "clerk", "request_extension", {{"days", "5"}, {"reason", "需要调取档案"}});
  h.event(no, "head", "refuse_extension", {{"reason", "理由不足"}});
  auto view = applicant_json(h, no, code);
  std::vector<std::string> events, names;
  for (const auto& s : view.at("steps").as_array()) {
    events.emplace_back(s.at("event").as_string());
    names.emplace_back(s.at("event_zh").as_string());
  }
  CHECK(events == std::vector<std::string>{"register", "accept"});
  CHECK(names == std::vector<std::string>{"收到申请", "受理"});
  auto page = tracking_page(h, no, code);
  CHECK_FALSE(contains(page, "答复期限重新计算"));
  CHECK_FALSE(contains(page, "延期"));
  CHECK(contains(page, "收到申请"));
}

TEST_CASE("remedies: a refusal goes to reconsideration first on every view; other answers may go to court",
          "[staff]") {
  staff_harness h;
  std::string refused_code, released_code;
  auto refused = h.file(&refused_code), released = h.file(&released_code);
  for (const auto& no : {refused, released}) h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}});
  REQUIRE(h.event(refused, "clerk", "answer", {{"outcome", "3.4"}, {"reply_text", "涉及商业秘密"}, {"legal_basis", "条例第十五条"}})
              .result() == http::status::see_other);
  REQUIRE(h.event(released, "clerk", "answer", {{"outcome", "1"}, {"reply_text", "予以公开"}}).result() ==
          http::status::see_other);

  const std::string first = "第二十三条第一款第四项", court_direct = "6个月内依法向人民法院提起行政诉讼";
  // The tracking page and the API.
  auto page = tracking_page(h, refused, refused_code);
  CHECK(contains(page, first));
  CHECK_FALSE(contains(page, "6个月"));
  auto reply = applicant_json(h, refused, refused_code).at("reply").as_object();
  CHECK(reply.at("reconsideration_first").as_bool());
  CHECK(contains(std::string(reply.at("remedies").as_string()), first));
  auto open = applicant_json(h, released, released_code).at("reply").as_object();
  CHECK_FALSE(open.at("reconsideration_first").as_bool());
  CHECK(contains(std::string(open.at("remedies").as_string()), court_direct));
  CHECK(contains(tracking_page(h, released, released_code), court_direct));
  // The staff page: no 6-month litigation deadline for the refusal, one for the release.
  auto staff_refused = h.call(http::verb::get, "/staff/cases/" + refused, "clerk").body();
  CHECK(contains(staff_refused, "须先申请行政复议"));
  CHECK_FALSE(contains(staff_refused, "提起行政诉讼期限（6个月"));
  CHECK(contains(h.call(http::verb::get, "/staff/cases/" + released, "clerk").body(), "提起行政诉讼期限（6个月"));
  // The letter and the notice say the same.
  auto row = h.row(refused);
  auto log = cases::transitions(h.db, row.id);
  auto letter = *letters::render(h.db, row, log, letters::of_case(log, true).back().seq, *h.calendar.get(h.db), true);
  CHECK(contains(letter, std::string(workflow::remedies_for("3.4", row.received_on, "本机关的上一级行政机关").text_zh)));
  for (const auto& m : outbox::for_applicant(h.db, row.id))
    if (m.kind == "answered") CHECK(contains(notifications::render(m).body, first));
}

TEST_CASE("notices are escaped for their medium: once on pages, never in JSON or text mail", "[staff]") {
  staff_harness h;
  std::string code;
  auto no = h.file(&code);
  h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}});
  const std::string items = "请补充\"A&B\"项目的<批复>文号";
  REQUIRE(h.event(no, "clerk", "request_correction", {{"items", items}}).result() == http::status::see_other);
  outbox::message notice;
  for (const auto& m : outbox::for_applicant(h.db, h.row(no).id))
    if (m.kind == "correction_requested") notice = m;
  REQUIRE(notice.id != 0);
  CHECK(contains(notifications::render(notice).body, items));  // the text mail: as typed
  bool in_json = false;
  auto view = applicant_json(h, no, code);
  for (const auto& m : view.at("messages").as_array())
    in_json |= contains(std::string(m.at("body").as_string()), items);
  CHECK(in_json);
  auto page = tracking_page(h, no, code);
  CHECK(contains(page, "请补充&quot;A&amp;B&quot;项目的&lt;批复&gt;文号"));
  CHECK_FALSE(contains(page, "&amp;quot;"));
  CHECK_FALSE(contains(page, "&amp;amp;"));
}

TEST_CASE("names refuse invisible and direction-changing characters; text is stored in NFC and shown visibly",
          "[staff]") {
  staff_harness h;
  auto file = [&](const std::string& name, const std::string& description) {
    json::object app{{"category", "natural_person"}, {"name", name}, {"id_type", "resident_id"},
                     {"id_number", "11010519491231002X"}, {"phone", "13800138000"}, {"address", "北京市东城区"},
                     {"description", description}, {"info_form", "electronic"}, {"delivery", "download"}};
    return h.call(http::verb::post, "/api/v1/requests", "", json::serialize(app), "application/json");
  };
  for (const std::string spoof : {"王\u202E芳", "王\u200B芳", "\uFEFF王芳", "王\u2066芳"}) {
    auto res = file(spoof, "某文件");
    CHECK(res.result() == http::status::unprocessable_entity);
    CHECK(json::parse(res.body()).at("error").at("fields").at("name").at("code") == "invisible_characters");
  }
  CHECK(staff_store::queue(h.db, {}).rows.empty());  // nothing was stored
  // Decomposed e + combining acute is stored composed; an override in free text is kept but shown.
  auto res = file("Jose\u0301", "第\u202E1号文件");
  REQUIRE(res.result() == http::status::created);
  auto no = std::string(json::parse(res.body()).at("tracking_no").as_string());
  auto app = applications::details(h.db, h.row(no).id);
  REQUIRE(app);
  CHECK(app->name == "Jos\u00E9");
  h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}});
  auto page = h.call(http::verb::get, "/staff/cases/" + no, "clerk").body();
  CHECK(contains(page, "第[U+202E]1号文件"));
  CHECK_FALSE(contains(page, "\u202E"));
}

TEST_CASE("bulk reassignment is all or nothing", "[staff]") {
  staff_harness h;
  auto a = h.file(), b = h.file();
  auto res = h.post("/staff/bulk-assign", "head",
                    {{"assignee", "clerk2"}, {"case_" + a, "on"}, {"case_" + b, "on"}, {"case_9999-999999", "on"}});
  CHECK(res.result() == http::status::not_found);
  CHECK(contains(res.body(), "9999-999999"));
  CHECK(h.row(a).assignee.empty());
  CHECK(h.row(b).assignee.empty());
  CHECK(cases::transitions(h.db, h.row(a).id).size() == 1);
  CHECK(h.post("/staff/bulk-assign", "head", {{"assignee", "clerk2"}, {"case_" + a, "on"}, {"case_" + b, "on"}}).result() ==
        http::status::see_other);
  CHECK(h.row(a).assignee == "clerk2");
  CHECK(h.row(b).assignee == "clerk2");
}

TEST_CASE("the polled view is sent again only while its case, notices, remedies setting and day are unchanged",
          "[staff]") {
  staff_harness h;
  std::string code;
  auto no = h.file(&code);
  auto first = applicant_json(h, no, code);
  const auto hits = h.views.hits();
  CHECK(applicant_json(h, no, code) == first);
  CHECK(h.views.hits() == hits + 1);  // the same stamp: the view computed before

  // The case moved (any instance may move it: the stamp is read from the database on every look-up).
  h.post("/staff/cases/" + no + "/claim", "clerk", {{"version", h.version(no)}});
  h.event(no, "clerk", "request_correction", {{"items", "请写明文号"}});
  auto asked = applicant_json(h, no, code);
  CHECK(asked.at("state").as_string() == "correction_requested");
  CHECK(asked.at("version").as_int64() > first.at("version").as_int64());

  // A notice was delivered: the same case version, a different view.
  auto row = h.row(no);
  auto notices = outbox::for_applicant(h.db, row.id);
  REQUIRE_FALSE(notices.empty());
  CHECK(notices.back().status != "sent");
  outbox::mark_sent(h.db, notices.back().id, unix_now_ms());
  auto delivered = applicant_json(h, no, code);
  CHECK(delivered.at("version") == asked.at("version"));
  CHECK(delivered.at("messages").as_array().back().as_object().at("status").as_string() == "sent");

  // The remedies setting changed: the answer's remedies name the new body at once.
  h.applicant_corrects(no);
  REQUIRE(h.event(no, "clerk", "answer", {{"outcome", "3.4"}, {"reply_text", "涉及商业秘密"}, {"legal_basis", "条例第十五条"}})
              .result() == http::status::see_other);
  CHECK_FALSE(contains(std::string(applicant_json(h, no, code).at("reply").at("remedies").as_string()), "某某市人民政府"));
  staff_store::set_setting(h.db, "reconsideration_body", "某某市人民政府");
  CHECK(contains(std::string(applicant_json(h, no, code).at("reply").at("remedies").as_string()), "某某市人民政府"));

  // A wrong code is refused whatever this instance computed before.
  CHECK(h.dispatch(http::verb::get, "/api/v1/requests/" + no, "", "", {{"X-Access-Code", code + "X"}}, "198.51.100.7")
            .result() == http::status::not_found);
}

TEST_CASE("the applicant's view says when the reply is overdue, by how many working days, and what they may do",
          "[staff]") {
  staff_harness h;
  auto cal = h.calendar.get(h.db);
  const auto today = workflow::china_date(unix_now());
  // Received 60 days ago and never answered: past its 20 working days (Art. 33).
  workflow::application app;
  app.name = "王芳";
  app.phone = "13800138000";
  app.address = "北京市东城区";
  app.description = "某项目批复文件";
  app.info_form = "paper";
  app.delivery = "post";
  auto late = applications::file(h.db, app, "in_person", today - std::chrono::days{60}, "",
                                 actor{workflow::role::staff, "clerk"}, *cal, unix_now_ms());
  auto j = applicant_json(h, late.row.tracking_no, late.access_code);
  REQUIRE(j.at("reply_due").is_string());
  const auto due = *workflow::parse_date(std::string(j.at("reply_due").as_string()));
  REQUIRE(due < today);
  // Counted here day by day on the calendar: the working days after the due date, up to today.
  int expected = 0;
  for (auto d = due + std::chrono::days{1}; d <= today; d += std::chrono::days{1})
    if (cal->is_working_day(d)) ++expected;
  CHECK(j.at("overdue").as_bool());
  CHECK(j.at("overdue_working_days").as_int64() == expected);
  const std::string remedies(j.at("overdue_remedies").as_string());
  CHECK(contains(remedies, "第五十一条"));
  CHECK(contains(remedies, "投诉、举报"));
  CHECK(contains(remedies, "行政复议"));
  // The tracking page says the same, in words.
  const auto page = tracking_page(h, late.row.tracking_no, late.access_code);
  CHECK(contains(page, "已超过法定答复期限 " + std::to_string(expected) + " 个工作日"));
  CHECK(contains(page, "第五十一条"));

  // A case filed today is not overdue.
  std::string code;
  auto fresh = h.file(&code);
  auto f = applicant_json(h, fresh, code);
  CHECK_FALSE(f.at("overdue").as_bool());
  CHECK(f.at("overdue_working_days").as_int64() == 0);
  CHECK(f.at("overdue_remedies").is_null());
  CHECK_FALSE(contains(tracking_page(h, fresh, code), "已超过法定答复期限"));

  // Answered (late): no longer overdue; the reply carries its appeal windows, litigation only where it
  // may be brought directly.
  h.post("/staff/cases/" + late.row.tracking_no + "/claim", "clerk", {{"version", h.version(late.row.tracking_no)}});
  REQUIRE(h.event(late.row.tracking_no, "clerk", "answer", {{"outcome", "1"}, {"reply_text", "予以公开"}}).result() ==
          http::status::see_other);
  auto answered = applicant_json(h, late.row.tracking_no, late.access_code);
  CHECK_FALSE(answered.at("overdue").as_bool());
  const auto& windows = answered.at("reply").at("appeal_windows").as_object();
  REQUIRE(windows.contains("reconsideration"));
  REQUIRE(windows.contains("litigation"));
  CHECK(*workflow::parse_date(std::string(windows.at("reconsideration").at("due").as_string())) > today);
  CHECK(*workflow::parse_date(std::string(windows.at("litigation").at("due").as_string())) >
        *workflow::parse_date(std::string(windows.at("reconsideration").at("due").as_string())));
  h.post("/staff/cases/" + fresh + "/claim", "clerk", {{"version", h.version(fresh)}});
  REQUIRE(h.event(fresh, "clerk", "answer", {{"outcome", "3.4"}, {"reply_text", "涉及商业秘密"}, {"legal_basis", "条例第十五条"}})
              .result() == http::status::see_other);
  auto refused_view = applicant_json(h, fresh, code);
  const auto& refused = refused_view.at("reply").at("appeal_windows").as_object();
  CHECK(refused.contains("reconsideration"));
  CHECK_FALSE(refused.contains("litigation"));  // 复议前置: litigation only after the reconsideration decision
}

TEST_CASE("the applicant's views show what they asked for, and none of their identity data", "[staff]") {
  staff_harness h;
  std::string code;
  auto no = h.file(&code);
  auto j = applicant_json(h, no, code);
  const auto& request = j.at("request").as_object();
  CHECK(request.at("description").as_string() == "某项目批复文件");
  CHECK(request.at("info_form").as_string() == "electronic");
  CHECK(request.at("delivery").as_string() == "download");
  const auto body = boost::json::serialize(j);
  CHECK_FALSE(contains(body, "11010519491231002X"));
  CHECK_FALSE(contains(body, "13800138000"));
  const auto page = tracking_page(h, no, code);
  CHECK(contains(page, "您申请公开的信息"));
  CHECK(contains(page, "某项目批复文件"));
  CHECK_FALSE(contains(page, "11010519491231002X"));
}
