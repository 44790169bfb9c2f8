// docs/api.md lists every error code the server can answer (issue 13): the codes are read from the
// sources, where every refusal names its code once, and each must appear in the errors table.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("every error code the server can answer is listed in docs/api.md", "[router]") {
  const std::filesystem::path root(GONGKAI_SOURCE_DIR);
  // The ways a refusal is written: http_error(status, "code", ...), a named http_error e(status, "code"),
  // domain_error(kind, "code", ...), {error_kind::k, "code", ...}, and the server's reject(status, "code").
  const std::regex refusal(
      R"re((?:http_error|domain_error|reject)\s*(?:[A-Za-z_]\w*\s*)?\(\s*[\w:]+\s*,\s*"([a-z_]+)"|\{\s*error_kind::\w+\s*,\s*"([a-z_]+)")re");
  std::set<std::string> codes;
  std::set<std::string> files_read;
  for (const char* dir : {"core", "workflow", "sql", "app", "server"})
    for (const auto& entry : std::filesystem::directory_iterator(root / dir)) {
      const auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      const auto text = read(entry.path());
      files_read.insert(entry.path().filename().string());
      for (std::sregex_iterator it(text.begin(), text.end(), refusal), end; it != end; ++it)
        codes.insert((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
    }
  REQUIRE(files_read.size() > 30);
  // The scan sees the codes it must (a broken pattern would find nothing and pass).
  for (const char* known : {"not_found", "invalid_fields", "not_assigned", "conflict", "not_allowed_in_state",
                            "rule_violated", "rate_limited", "body_too_large", "unavailable"})
    CHECK(codes.count(known) == 1);
  const auto doc = read(root / "docs" / "api.md");
  for (const auto& code : codes) {
    INFO("error code " << code);
    CHECK(doc.find("`" + code + "`") != std::string::npos);
  }
}

// ---- docs/openapi.json (issue 13) ----
#include "server/config.hpp"
#include "server/routes.hpp"
#include "tests/support/http_client.hpp"

#include <boost/json.hpp>

TEST_CASE("docs/openapi.json describes exactly the routes under /api/, and the server serves it", "[router]") {
  const std::filesystem::path root(GONGKAI_SOURCE_DIR);
  const auto doc = boost::json::parse(read(root / "docs" / "openapi.json")).as_object();
  CHECK(doc.at("openapi") == "3.1.0");
  const auto& paths = doc.at("paths").as_object();
  auto routes = gongkai::make_routes();
  std::set<std::string> served;
  for (const auto& r : routes.routes()) {
    if (!r.pattern.starts_with("/api/")) continue;
    std::string method(boost::beast::http::to_string(r.method));
    for (auto& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    served.insert(method + " " + r.pattern);
    INFO(method << " " << r.pattern);
    CHECK(paths.contains(r.pattern));
    if (paths.contains(r.pattern)) CHECK(paths.at(r.pattern).as_object().contains(method));
  }
  CHECK(served.size() >= 15);  // the walk saw the API (a broken filter would see nothing and pass)
  // Nothing described that the server does not answer.
  for (const auto& [path, item] : paths)
    for (const auto& [method, op] : item.as_object()) {
      INFO(method << " " << path);
      CHECK(served.count(std::string(method) + " " + std::string(path)) == 1);
    }
  // Served as it is in the repository.
  gongkai::config cfg;
  gongkai::services svc;
  gongkai::http::request req{boost::beast::http::verb::get, "/api/v1/openapi.json", 11};
  auto res = routes.dispatch(routes.find(req.method(), "/api/v1/openapi.json"), req, cfg, svc, "127.0.0.1");
  CHECK(res.result() == boost::beast::http::status::ok);
  CHECK(boost::json::parse(res.body()) == boost::json::value(doc));
}

TEST_CASE("every request and response example in docs/openapi.json is valid against its schema", "[router]") {
  const std::filesystem::path root(GONGKAI_SOURCE_DIR);
  gongkai::test::child_process node({"/usr/bin/node", (root / "tests" / "browser" / "openapi.mjs").string(),
                                     (root / "docs" / "openapi.json").string()},
                                    {}, {});
  auto code = node.wait(std::chrono::seconds(60));
  INFO(node.output());
  REQUIRE(code == std::optional<int>(0));
  CHECK(node.output().find("examples valid") != std::string::npos);
}

TEST_CASE("docs/api.md and docs/openapi.json describe the same routes", "[router]") {
  const std::filesystem::path root(GONGKAI_SOURCE_DIR);
  const auto doc = boost::json::parse(read(root / "docs" / "openapi.json")).as_object();
  const auto prose = read(root / "docs" / "api.md");
  const auto& paths = doc.at("paths").as_object();
  // Every described path is in the prose (where the tables may shorten {tracking_no} to {no}).
  for (const auto& [path, item] : paths) {
    std::string p(path), shortened = std::regex_replace(p, std::regex(R"(\{tracking_no\})"), "{no}");
    INFO(p);
    CHECK((prose.find(p) != std::string::npos || prose.find(shortened) != std::string::npos));
  }
  // Every route the prose heads a section with is described.
  const std::regex heading(R"(### `(GET|POST|DELETE) (/api/[^`]+)`)");
  int headings = 0;
  for (std::sregex_iterator it(prose.begin(), prose.end(), heading), end; it != end; ++it, ++headings) {
    std::string method = (*it)[1].str();
    for (auto& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    INFO((*it)[0].str());
    REQUIRE(paths.contains((*it)[2].str()));
    CHECK(paths.at((*it)[2].str()).as_object().contains(method));
  }
  CHECK(headings >= 8);
}
