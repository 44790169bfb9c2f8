// The applicant's side through the route table (no socket), on SQLite and on MariaDB.
#include <catch2/catch.hpp>

#include "server/config.hpp"
#include "core/crypto.hpp"
#include "server/routes.hpp"
#include "sql/applications.hpp"
#include "tests/support/route_harness.hpp"
#include "tests/support/test_db.hpp"
#include "tests/workflow/support.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

using namespace gongkai;
namespace bhttp = boost::beast::http;
namespace json = boost::json;

namespace {

struct harness : test::route_harness {
  harness() : route_harness("test-form-key") {}
  http::response call(http::verb method, const std::string& target, const std::string& body = {},
                      const std::string& type = {}, const std::map<std::string, std::string>& headers = {},
                      const std::string& client = "192.0.2.10") {
    return dispatch(method, target, body, type, headers, client);
  }
  http::response post_json(const std::string& target, const std::string& body, const std::map<std::string, std::string>& h = {}) {
    return call(http::verb::post, target, body, "application/json", h);
  }
  http::response post_form(const std::string& target, const std::map<std::string, std::string>& fields) {
    return call(http::verb::post, target, form_body(fields), "application/x-www-form-urlencoded");
  }
  std::string token(const char* purpose = "apply") { return crypto::sign_form_token(svc.form_key, purpose, unix_now(), 3600); }
  int rows() {
    return db.run(database::access::read, [](connection& c) {
      int a = 0, k = 0, t = 0;
      c.sql << "SELECT COUNT(*) FROM applications", soci::into(a);
      c.sql << "SELECT COUNT(*) FROM cases", soci::into(k);
      c.sql << "SELECT COUNT(*) FROM transitions", soci::into(t);
      return a * 1000000 + k * 1000 + t;
    });
  }
};

json::object person() {
  return {{"category", "natural_person"}, {"name", "王芳"}, {"id_type", "resident_id"},
          {"id_number", "11010519491231002X"}, {"phone", "13800138000"}, {"email", "wang@example.cn"},
          {"address", "北京市东城区某街道1号"}, {"description", "2025年本区老旧小区改造项目的批复文件"},
          {"info_form", "electronic"}, {"delivery", "download"}};
}

json::object organisation() {
  return {{"category", "commercial"}, {"name", "某某科技有限公司"}, {"credit_code", "91350100M000100Y43"},
          {"contact_person", "李雷"}, {"phone", "0591-87654321"}, {"address", "福州市鼓楼区某路2号"},
          {"description", "某地块出让合同"}, {"info_form", "paper"}, {"delivery", "post"}};
}

json::object with(json::object o, const std::string& key, json::value v) {
  o[key] = std::move(v);
  return o;
}
json::object with(json::object o, const std::string& key, const std::string& v) {
  o[key] = json::string(v);
  return o;
}
json::object with(json::object o, const std::string& key, const char* v) { return with(std::move(o), key, std::string(v)); }
json::object without(json::object o, const std::string& key) {
  o.erase(key);
  return o;
}

std::map<std::string, std::string> as_form(const json::object& o) {
  std::map<std::string, std::string> f;
  for (const auto& [k, v] : o) f[std::string(k)] = std::string(v.as_string());
  return f;
}

json::object error_of(const http::response& res) {
  return json::parse(res.body()).as_object().at("error").as_object();
}

}  // namespace

TEST_CASE("API: file an application, get a receipt, follow it, correct it, withdraw it", "[citizen]") {
  harness h;
  auto res = h.post_json("/api/v1/requests", json::serialize(person()));
  REQUIRE(res.result() == http::status::created);
  auto receipt = json::parse(res.body()).as_object();
  std::string no(receipt.at("tracking_no").as_string()), code(receipt.at("access_code").as_string());
  CHECK(res[bhttp::field::location] == "/api/v1/requests/" + no);
  CHECK(no.size() == 11);
  CHECK(no.substr(0, 4) == std::to_string(workflow::year_of(workflow::china_date(unix_now()))));
  CHECK(code.size() == 32);  // 26 base32 digits (128 bits) in groups of four
  CHECK(receipt.at("reply_due").is_string());
  CHECK(receipt.at("due_explanation").as_array().size() >= 2);

  // The stored code is a hash; the code itself is nowhere in the database.
  auto stored = h.db.run(database::access::read, [](connection& c) {
    std::string hash;
    c.sql << "SELECT access_code_hash FROM applications", soci::into(hash);
    return hash;
  });
  CHECK(stored == crypto::access_code_hash(code));
  CHECK(stored.find(code) == std::string::npos);

  auto status = h.call(http::verb::get, "/api/v1/requests/" + no, {}, {}, {{"X-Access-Code", code}});
  REQUIRE(status.result() == http::status::ok);
  auto view = json::parse(status.body()).as_object();
  CHECK(view.at("state") == "received");
  CHECK(view.at("state_zh") == "已收到");
  CHECK(view.at("steps").as_array().size() == 1);
  CHECK(view.at("can_withdraw") == true);
  // A code typed in lower case without dashes still works.
  std::string sloppy;
  for (char c : code)
    if (c != '-') sloppy += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(h.call(http::verb::get, "/api/v1/requests/" + no, {}, {}, {{"X-Access-Code", sloppy}}).result() == http::status::ok);

  // Staff ask for a correction; the applicant sees what to do and answers online.
  auto cal = h.calendar.get(h.db);
  workflow::case_event ask;
  ask.kind = workflow::event_kind::request_correction;
  ask.on = workflow::china_date(unix_now());
  ask.items = "请写明项目名称及批复年份";
  cases::fire(h.db, no, std::nullopt, ask, actor{workflow::role::staff, "clerk"}, *cal, unix_now_ms());
  view = json::parse(h.call(http::verb::get, "/api/v1/requests/" + no, {}, {}, {{"X-Access-Code", code}}).body()).as_object();
  CHECK(view.at("todo").at("action") == "correction");
  CHECK(view.at("todo").at("items") == "请写明项目名称及批复年份");
  CHECK(view.at("reply_due").is_null());
  auto corrected = h.post_json("/api/v1/requests/" + no + "/correction", R"({"text":"项目名称：某小区改造，2025年批复"})",
                               {{"X-Access-Code", code}});
  REQUIRE(corrected.result() == http::status::ok);
  CHECK(json::parse(corrected.body()).at("state") == "under_review");

  auto withdrawn = h.post_json("/api/v1/requests/" + no + "/withdraw", R"({"reason":"已自行获取"})", {{"X-Access-Code", code}});
  REQUIRE(withdrawn.result() == http::status::ok);
  view = json::parse(withdrawn.body()).as_object();
  CHECK(view.at("state") == "withdrawn");
  CHECK(view.at("can_withdraw") == false);
  auto again = h.post_json("/api/v1/requests/" + no + "/withdraw", "{}", {{"X-Access-Code", code}});
  CHECK(again.result() == http::status::conflict);
  CHECK(error_of(again).at("code") == "not_allowed_in_state");
}

TEST_CASE("tracking numbers are the year and a sequence, unique across instances", "[citizen]") {
  harness h;
  auto second = h.s.open(2);
  std::vector<std::string> numbers;
  std::mutex m;
  auto file_many = [&](database& db) {
    for (int i = 0; i < 10; ++i) {
      auto n = db.run(database::access::write, [&](connection& c) {
        write_transaction tx(db, c);
        auto no = applications::next_tracking_number(c, 2026);
        tx.commit();
        return no;
      });
      std::lock_guard lock(m);
      numbers.push_back(n);
    }
  };
  std::thread a(file_many, std::ref(h.db)), b(file_many, std::ref(*second));
  a.join();
  b.join();
  std::sort(numbers.begin(), numbers.end());
  CHECK(std::adjacent_find(numbers.begin(), numbers.end()) == numbers.end());
  CHECK(numbers.front() == "2026-000001");
  CHECK(numbers.back() == "2026-000020");
}

TEST_CASE("a wrong code and an unknown number give the same answer", "[citizen]") {
  harness h;
  auto receipt = json::parse(h.post_json("/api/v1/requests", json::serialize(person())).body()).as_object();
  std::string no(receipt.at("tracking_no").as_string());
  auto wrong = h.call(http::verb::get, "/api/v1/requests/" + no, {}, {}, {{"X-Access-Code", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG"}});
  auto unknown = h.call(http::verb::get, "/api/v1/requests/2026-999999", {}, {}, {{"X-Access-Code", "AAAA-BBBB"}});
  auto none = h.call(http::verb::get, "/api/v1/requests/" + no);
  CHECK(wrong.result() == http::status::not_found);
  CHECK(wrong.body() == unknown.body());
  CHECK(none.body() == unknown.body());
  auto page_wrong = h.post_form("/track", {{"tracking_no", no}, {"access_code", "nope"}});
  auto page_unknown = h.post_form("/track", {{"tracking_no", "2026-999999"}, {"access_code", "nope"}});
  CHECK(page_wrong.result() == http::status::not_found);
  CHECK(page_wrong.body() == page_unknown.body());
}

TEST_CASE("the web form: file, receipt, track, correct, withdraw", "[citizen]") {
  harness h;
  auto form = h.call(http::verb::get, "/apply");
  REQUIRE(form.result() == http::status::ok);
  CHECK(form.body().find("name=\"csrf\"") != std::string::npos);
  CHECK(form.body().find("<label for=\"f-description\">") != std::string::npos);
  auto fields = as_form(person());
  fields["csrf"] = h.token();
  auto receipt = h.post_form("/apply", fields);
  REQUIRE(receipt.result() == http::status::created);
  const auto& page = receipt.body();
  // The element's text, without the markup inside it.
  auto grab = [&](const std::string& id) {
    auto at = page.find("id=\"" + id + "\"");
    auto start = page.find('>', at) + 1;
    auto end = page.find("</dd>", start);
    std::string text;
    bool in_tag = false;
    for (auto i = start; i < end; ++i) {
      if (page[i] == '<') in_tag = true;
      else if (page[i] == '>') in_tag = false;
      else if (!in_tag) text += page[i];
    }
    return text;
  };
  std::string no = grab("tracking-no"), code = grab("access-code");
  CHECK(no.size() == 11);
  CHECK(code.size() == 32);
  // Each group of the code is kept on one line: seven groups, none broken.
  std::size_t groups = 0;
  for (auto at = page.find("<span class=\"code-group\">"); at != std::string::npos; at = page.find("<span class=\"code-group\">", at + 1)) ++groups;
  CHECK(groups == 7);
  CHECK(page.find("@media print") == std::string::npos);  // the print rules live in the stylesheet
  CHECK(page.find("答复期限") != std::string::npos);

  auto status = h.post_form("/track", {{"tracking_no", no}, {"access_code", code}});
  REQUIRE(status.result() == http::status::ok);
  CHECK(status.body().find("已收到") != std::string::npos);
  CHECK(status.body().find("action=\"/track/withdraw\"") != std::string::npos);
  auto token_in = [](const std::string& body, const std::string& action) {
    auto at = body.find("action=\"" + action + "\"");
    auto v = body.find("name=\"csrf\" value=\"", at) + 19;
    return body.substr(v, body.find('"', v) - v);
  };

  auto cal = h.calendar.get(h.db);
  workflow::case_event ask;
  ask.kind = workflow::event_kind::request_correction;
  ask.on = workflow::china_date(unix_now());
  ask.items = "请补充文号";
  cases::fire(h.db, no, std::nullopt, ask, actor{workflow::role::staff, "clerk"}, *cal, unix_now_ms());
  status = h.post_form("/track", {{"tracking_no", no}, {"access_code", code}});
  CHECK(status.body().find("请补充文号") != std::string::npos);
  auto correction_token = token_in(status.body(), "/track/correction");
  auto corrected = h.post_form("/track/correction", {{"csrf", correction_token}, {"tracking_no", no}, {"access_code", code},
                                                     {"text", "文号：某府办〔2025〕12号"}});
  REQUIRE(corrected.result() == http::status::ok);
  CHECK(corrected.body().find("审查办理中") != std::string::npos);
  auto replay = h.post_form("/track/correction", {{"csrf", correction_token}, {"tracking_no", no}, {"access_code", code},
                                                  {"text", "再次提交"}});
  CHECK(replay.result() == http::status::forbidden);

  // Withdrawing takes a confirmation: the first step only asks, and changes nothing.
  auto withdraw_token = token_in(corrected.body(), "/track/withdraw");
  const auto before = cases::find(h.db, no)->version;
  auto asked = h.post_form("/track/withdraw", {{"csrf", withdraw_token}, {"tracking_no", no}, {"access_code", code},
                                               {"reason", "已通过其他途径获得"}});
  REQUIRE(asked.result() == http::status::ok);
  CHECK(asked.body().find("确认撤回申请") != std::string::npos);
  CHECK(asked.body().find("name=\"confirm\" value=\"1\"") != std::string::npos);
  CHECK(asked.body().find("已通过其他途径获得") != std::string::npos);  // the reason is carried to the confirmation
  CHECK(cases::find(h.db, no)->version == before);
  CHECK(cases::find(h.db, no)->state == workflow::case_state::under_review);
  // A wrong code gets no confirmation page.
  CHECK(h.post_form("/track/withdraw", {{"csrf", token_in(asked.body(), "/track/withdraw")}, {"tracking_no", no},
                                        {"access_code", "WRONG-CODE"}})
            .result() == http::status::not_found);
  auto withdrawn = h.post_form("/track/withdraw", {{"csrf", token_in(asked.body(), "/track/withdraw")}, {"tracking_no", no},
                                                   {"access_code", code}, {"confirm", "1"}});
  REQUIRE(withdrawn.result() == http::status::ok);
  CHECK(withdrawn.body().find("已撤回") != std::string::npos);
  CHECK(withdrawn.body().find("action=\"/track/withdraw\"") == std::string::npos);
}

TEST_CASE("text that applicants type is shown as text on the receipt and status pages", "[citizen]") {
  harness h;
  auto fields = as_form(person());
  fields["name"] = "<script>alert('name')</script>";
  fields["description"] = "<img src=x onerror=alert(1)>\n第二行 & \"引号\"";
  fields["csrf"] = h.token();
  auto receipt = h.post_form("/apply", fields);
  REQUIRE(receipt.result() == http::status::created);
  CHECK(receipt.body().find("<script>alert") == std::string::npos);
  CHECK(receipt.body().find("&lt;script&gt;alert(&apos;name&apos;)&lt;/script&gt;") != std::string::npos);
  CHECK(receipt.body().find("<img src=x") == std::string::npos);
  CHECK(receipt.body().find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);

  auto api = h.post_json("/api/v1/requests", json::serialize(with(person(), "description", "<b>粗体</b>")));
  auto r = json::parse(api.body()).as_object();
  auto no = std::string(r.at("tracking_no").as_string()), code = std::string(r.at("access_code").as_string());
  auto cal = h.calendar.get(h.db);
  workflow::case_event ask;
  ask.kind = workflow::event_kind::request_correction;
  ask.on = workflow::china_date(unix_now());
  ask.items = "<script>x()</script>";
  cases::fire(h.db, no, std::nullopt, ask, actor{workflow::role::staff, "clerk"}, *cal, unix_now_ms());
  auto status = h.post_form("/track", {{"tracking_no", no}, {"access_code", code}});
  CHECK(status.body().find("<script>x()") == std::string::npos);
  CHECK(status.body().find("&lt;script&gt;x()&lt;/script&gt;") != std::string::npos);
}

TEST_CASE("a form that fails keeps what the user typed and says what is wrong, field by field", "[citizen]") {
  harness h;
  auto fields = as_form(person());
  fields["id_number"] = "110105194912310021";  // wrong check digit
  fields["phone"] = "12345";
  fields["address"] = "福州市 \"引号\" 路";
  fields["csrf"] = h.token();
  auto before = h.rows();
  auto res = h.post_form("/apply", fields);
  CHECK(res.result() == http::status::unprocessable_entity);
  CHECK(h.rows() == before);
  const auto& body = res.body();
  CHECK(body.find("role=\"alert\"") != std::string::npos);
  CHECK(body.find("居民身份证号码有误") != std::string::npos);
  CHECK(body.find("联系电话格式不正确") != std::string::npos);
  CHECK(body.find("value=\"110105194912310021\"") != std::string::npos);
  CHECK(body.find("value=\"福州市 &quot;引号&quot; 路\"") != std::string::npos);
  CHECK(body.find("2025年本区老旧小区改造项目的批复文件</textarea>") != std::string::npos);
  CHECK(body.find("aria-invalid=\"true\" aria-describedby=\"e-phone\"") != std::string::npos);
}

TEST_CASE("bad input: each is refused with its status and error, and nothing is written", "[citizen]") {
  harness h;
  struct bad {
    const char* what;
    std::function<http::response(harness&)> send;
    http::status status;
    std::string code;   // error.code (API) or "" for pages
    std::string field;  // error.fields key, when the error is about one field
    std::string field_code;
  };
  auto api = [](json::object body) {
    return [body](harness& x) { return x.post_json("/api/v1/requests", json::serialize(body)); };
  };
  auto raw = [](std::string body, std::string type) {
    return [body, type](harness& x) { return x.call(http::verb::post, "/api/v1/requests", body, type); };
  };
  auto form = [](std::map<std::string, std::string> fields) {
    return [fields](harness& x) { return x.post_form("/apply", fields); };
  };
  const auto u422 = http::status::unprocessable_entity;
  const std::string inv = "invalid_fields";
  std::vector<bad> table = {
      {"category missing", api(without(person(), "category")), u422, inv, "category", "required"},
      {"category unknown", api(with(person(), "category", "alien")), u422, inv, "category", "invalid_choice"},
      {"name missing", api(without(person(), "name")), u422, inv, "name", "required"},
      {"name empty", api(with(person(), "name", "")), u422, inv, "name", "required"},
      {"name only spaces", api(with(person(), "name", "   ")), u422, inv, "name", "required"},
      {"name too long", api(with(person(), "name", std::string(101 * 3, 'a').substr(0, 101))), u422, inv, "name", "too_long"},
      {"name a number", api(with(person(), "name", 42)), u422, inv, "name", "wrong_type"},
      {"name an object", api(with(person(), "name", json::object{{"a", 1}})), u422, inv, "name", "wrong_type"},
      {"name with a control character", api(with(person(), "name", "王\x01芳")), u422, inv, "name", "invalid_text"},
      {"name with a bidi override", api(with(person(), "name", "王\u2028芳")), u422, inv, "name", "invalid_text"},
      {"id type missing", api(without(person(), "id_type")), u422, inv, "id_type", "required"},
      {"id type unknown", api(with(person(), "id_type", "driver_license")), u422, inv, "id_type", "invalid_choice"},
      {"id number missing", api(without(person(), "id_number")), u422, inv, "id_number", "required"},
      {"resident id check digit", api(with(person(), "id_number", "110105194912310021")), u422, inv, "id_number", "invalid_checksum"},
      {"resident id impossible birth date", api(with(person(), "id_number", "110105199913320011")), u422, inv, "id_number", "invalid_checksum"},
      {"resident id born in the future", api(with(person(), "id_number", "110105209901010014")), u422, inv, "id_number", "invalid_checksum"},
      {"resident id 17 digits", api(with(person(), "id_number", "11010519491231002")), u422, inv, "id_number", "invalid_format"},
      {"resident id with letters", api(with(person(), "id_number", "11010519491231A02X")), u422, inv, "id_number", "invalid_format"},
      {"passport with markup", api(with(with(person(), "id_type", "passport"), "id_number", "<script>")), u422, inv, "id_number", "invalid_format"},
      {"credit code check character", api(with(organisation(), "credit_code", "91350100M000100Y44")), u422, inv, "credit_code", "invalid_checksum"},
      {"credit code with a letter outside the code set", api(with(organisation(), "credit_code", "91350100M000100I43")), u422, inv, "credit_code", "invalid_checksum"},
      {"credit code too short", api(with(organisation(), "credit_code", "9135010")), u422, inv, "credit_code", "invalid_format"},
      {"credit code missing", api(without(organisation(), "credit_code")), u422, inv, "credit_code", "required"},
      {"contact person missing", api(without(organisation(), "contact_person")), u422, inv, "contact_person", "required"},
      {"phone missing", api(without(person(), "phone")), u422, inv, "phone", "required"},
      {"phone with letters", api(with(person(), "phone", "13800abc000")), u422, inv, "phone", "invalid_format"},
      {"phone too many digits", api(with(person(), "phone", "138001380001")), u422, inv, "phone", "invalid_format"},
      {"phone with an SQL fragment", api(with(person(), "phone", "1' OR '1'='1")), u422, inv, "phone", "invalid_format"},
      {"email malformed", api(with(person(), "email", "wang@@example")), u422, inv, "email", "invalid_format"},
      {"email with markup", api(with(person(), "email", "<script>@x.cn")), u422, inv, "email", "invalid_format"},
      {"email too long", api(with(person(), "email", std::string(250, 'a') + "@x.cn")), u422, inv, "email", "too_long"},
      {"delivery by email without email", api(with(without(person(), "email"), "delivery", "email")), u422, inv, "email", "required"},
      {"address missing", api(without(person(), "address")), u422, inv, "address", "required"},
      {"address too long", api(with(person(), "address", std::string(201, 'x'))), u422, inv, "address", "too_long"},
      {"description missing", api(without(person(), "description")), u422, inv, "description", "required"},
      {"description too long", api(with(person(), "description", std::string(5001, 'x'))), u422, inv, "description", "too_long"},
      {"information form unknown", api(with(person(), "info_form", "telepathy")), u422, inv, "info_form", "invalid_choice"},
      {"delivery unknown", api(with(person(), "delivery", "pigeon")), u422, inv, "delivery", "invalid_choice"},
      {"body not JSON", raw("category=natural_person", "application/json"), http::status::bad_request, "malformed_json", "", ""},
      {"body a JSON array", raw("[1,2,3]", "application/json"), http::status::bad_request, "malformed_json", "", ""},
      {"body empty", raw("", "application/json"), http::status::bad_request, "malformed_json", "", ""},
      {"body truncated JSON", raw(R"({"name": "王)", "application/json"), http::status::bad_request, "malformed_json", "", ""},
      {"broken UTF-8 in JSON", raw("{\"name\": \"\xff\xfe\"}", "application/json"), http::status::bad_request, "malformed_json", "", ""},
      {"wrong content type", raw(json::serialize(person()), "text/plain"), http::status::unsupported_media_type, "unsupported_media_type", "", ""},
      {"a form posted to the API", raw("name=x", "application/x-www-form-urlencoded"), http::status::unsupported_media_type, "unsupported_media_type", "", ""},
      {"form without anti-forgery token", form(as_form(person())), http::status::forbidden, "", "", ""},
      {"form with a forged token", form([] { auto f = as_form(person()); f["csrf"] = "AAAA.BBBB"; return f; }()), http::status::forbidden, "", "", ""},
      {"form with a token for another form", [](harness& x) { auto f = as_form(person()); f["csrf"] = x.token("track"); return x.post_form("/apply", f); },
       http::status::forbidden, "", "", ""},
      {"form with an expired token", [](harness& x) {
         auto f = as_form(person());
         f["csrf"] = crypto::sign_form_token(x.svc.form_key, "apply", unix_now() - 10000, 60);
         return x.post_form("/apply", f); }, http::status::forbidden, "", "", ""},
      {"form with broken percent-encoding", [](harness& x) { return x.call(http::verb::post, "/apply", "name=%E7%8&csrf=x", "application/x-www-form-urlencoded"); },
       http::status::bad_request, "", "", ""},
      {"form posted as JSON", [](harness& x) { return x.call(http::verb::post, "/apply", json::serialize(person()), "application/json"); },
       http::status::unsupported_media_type, "", "", ""},
      {"form with broken UTF-8", [](harness& x) { auto f = as_form(person()); f["csrf"] = x.token(); f["name"] = "\xc3\x28"; return x.post_form("/apply", f); },
       http::status::unprocessable_entity, "", "", ""},
      {"status with a wrong access code", [](harness& x) { return x.call(http::verb::get, "/api/v1/requests/2026-000001", {}, {}, {{"X-Access-Code", "WRONG"}}); },
       http::status::not_found, "not_found", "", ""},
      {"correction with an SQL fragment as tracking number", [](harness& x) {
         return x.post_json("/api/v1/requests/2026-000001' OR 1=1 --/correction", R"({"text":"x"})", {{"X-Access-Code", "x"}}); },
       http::status::not_found, "not_found", "", ""},
  };
  CHECK(table.size() >= 40);
  // One good application first, so that look-ups have something to miss.
  REQUIRE(h.post_json("/api/v1/requests", json::serialize(person())).result() == http::status::created);
  for (const auto& b : table) {
    INFO(b.what);
    auto before = h.rows();
    auto res = b.send(h);
    CHECK(res.result() == b.status);
    if (!b.code.empty()) {
      auto err = error_of(res);
      CHECK(err.at("code").as_string() == b.code);
      CHECK(err.at("message").as_string().size() > 0);
      if (!b.field.empty()) {
        REQUIRE(err.contains("fields"));
        REQUIRE(err.at("fields").as_object().contains(b.field));
        CHECK(err.at("fields").at(b.field).at("code").as_string() == b.field_code);
      }
    } else {
      CHECK(res[bhttp::field::content_type] == "text/html; charset=utf-8");
    }
    CHECK(h.rows() == before);
  }

  // A replayed anti-forgery token: the first use files, the second is refused and writes nothing.
  auto fields = as_form(person());
  fields["csrf"] = h.token();
  REQUIRE(h.post_form("/apply", fields).result() == http::status::created);
  auto before = h.rows();
  auto replay = h.post_form("/apply", fields);
  CHECK(replay.result() == http::status::forbidden);
  CHECK(replay.body().find("已经提交过") != std::string::npos);
  CHECK(h.rows() == before);
}

TEST_CASE("filing and look-ups are rate limited per address (429)", "[citizen]") {
  harness h;
  h.cfg.filing_limit = 2;
  h.cfg.lookup_limit = 3;
  CHECK(h.post_json("/api/v1/requests", json::serialize(person())).result() == http::status::created);
  CHECK(h.post_json("/api/v1/requests", json::serialize(person())).result() == http::status::created);
  auto before = h.rows();
  auto third = h.post_json("/api/v1/requests", json::serialize(person()));
  CHECK(third.result() == http::status::too_many_requests);
  CHECK(error_of(third).at("code") == "rate_limited");
  CHECK(h.rows() == before);
  // Another address is not affected.
  http::request req{http::verb::post, "/api/v1/requests", 11};
  req.set(bhttp::field::content_type, "application/json");
  req.body() = json::serialize(person());
  req.prepare_payload();
  CHECK(h.routes.dispatch(h.routes.find(req.method(), "/api/v1/requests"), req, h.cfg, h.svc, "198.51.100.7").result() ==
        http::status::created);
  for (int i = 0; i < 3; ++i)
    CHECK(h.call(http::verb::get, "/api/v1/requests/2026-000001", {}, {}, {{"X-Access-Code", "x"}}).result() ==
          http::status::not_found);
  CHECK(h.call(http::verb::get, "/api/v1/requests/2026-000001", {}, {}, {{"X-Access-Code", "x"}}).result() ==
        http::status::too_many_requests);
}

TEST_CASE("identity checks: GB 11643 and GB 32100 check characters, phones, emails", "[citizen]") {
  using namespace workflow;
  auto today = test::day("2026-11-27");
  CHECK(valid_resident_id("11010519491231002X", today));
  CHECK(valid_resident_id("440524198001010013", today));
  CHECK_FALSE(valid_resident_id("440524198001010014", today));
  CHECK_FALSE(valid_resident_id("440524188001010014", today));  // right check digit, born before 1900
  CHECK(valid_credit_code("91350100M000100Y43"));
  CHECK_FALSE(valid_credit_code("91350100M000100Y4"));
  CHECK(valid_phone("13800138000"));
  CHECK(valid_phone("010-12345678"));
  CHECK(valid_phone("0591-8765432-123"));
  CHECK(valid_phone("02112345678"));
  CHECK_FALSE(valid_phone("12800138000"));
  CHECK_FALSE(valid_phone("010-123"));
  CHECK(valid_email("a.b+c@example.com.cn"));
  CHECK_FALSE(valid_email("a@b"));
  CHECK(mask_identity("11010519491231002X") == "1101**********002X");
  CHECK(mask_phone("13800138000") == "138****8000");
  CHECK(clean_text("中文\n第二行", true));
  CHECK_FALSE(clean_text("中文\n第二行", false));
  CHECK_FALSE(clean_text("\xc0\xaf", false));      // overlong '/'
  CHECK_FALSE(clean_text("\xed\xa0\x80", false));  // a surrogate
  CHECK(clean_text("𠀀", false));
}
