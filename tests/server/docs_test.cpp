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
