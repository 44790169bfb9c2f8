// The applicant's journeys in a real browser: Debian's Chromium driven by playwright-core
// (tests/browser/journey.mjs), against the gongkai binary on each backend.
#include <catch2/catch.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/test_db.hpp"

#include <filesystem>

using namespace gongkai;
using namespace std::chrono_literals;

TEST_CASE("an applicant files, tracks, corrects and withdraws in Chromium", "[browser]") {
  test::scratch_database s;
  test::child_process server({GONGKAI_BINARY, "serve", "--listen", "127.0.0.1:0", "--db", s.url()});
  auto port = test::start_server(server);
  REQUIRE(port != 0);
  const std::string shots = std::string(GONGKAI_BUILD_DIR) + "/test-artifacts/browser-" +
                            (test::backend_is_mysql() ? "mariadb" : "sqlite");
  std::filesystem::remove_all(shots);
  test::child_process node({"/usr/bin/env", "node", std::string(GONGKAI_SOURCE_DIR) + "/tests/browser/journey.mjs"},
                           {{"GONGKAI_URL", "http://127.0.0.1:" + std::to_string(port)},
                            {"GONGKAI_BINARY", GONGKAI_BINARY},
                            {"GONGKAI_DB", s.url()},
                            {"GONGKAI_SHOTS", shots}},
                           {}, std::string(GONGKAI_BUILD_DIR) + "/test-artifacts/browser-node.log");
  auto code = node.wait(180s);
  INFO(node.output());
  REQUIRE(code == std::optional<int>(0));
  CHECK(node.output().find("journey: done") != std::string::npos);
  for (const char* shot : {"1-form-errors.png", "2-receipt.png", "3-receipt-print.png", "4-correction-requested.png",
                           "5-withdrawn.png"})
    CHECK(std::filesystem::file_size(shots + "/" + shot) > 1000);
}

TEST_CASE("staff and supervisor take cases from receipt to answer and archive in Chromium", "[browser]") {
  test::scratch_database s;
  const std::string password = "browser journey password";
  REQUIRE(test::run_gongkai({"user", "add", "clerk", "--role", "staff", "--display-name", "承办人甲", "--db", s.url()},
                            password + "\n").first == 0);
  REQUIRE(test::run_gongkai({"user", "add", "head", "--role", "supervisor", "--role", "staff", "--display-name", "负责人乙",
                             "--db", s.url()}, password + "\n").first == 0);
  test::child_process server({GONGKAI_BINARY, "serve", "--listen", "127.0.0.1:0", "--db", s.url()});
  auto port = test::start_server(server);
  REQUIRE(port != 0);
  const std::string shots = std::string(GONGKAI_BUILD_DIR) + "/test-artifacts/staff-" +
                            (test::backend_is_mysql() ? "mariadb" : "sqlite");
  std::filesystem::remove_all(shots);
  test::child_process node({"/usr/bin/env", "node", std::string(GONGKAI_SOURCE_DIR) + "/tests/browser/staff.mjs"},
                           {{"GONGKAI_URL", "http://127.0.0.1:" + std::to_string(port)},
                            {"GONGKAI_SHOTS", shots},
                            {"GONGKAI_PASSWORD", password}},
                           {}, std::string(GONGKAI_BUILD_DIR) + "/test-artifacts/staff-node.log");
  auto code = node.wait(240s);
  INFO(node.output());
  REQUIRE(code == std::optional<int>(0));
  CHECK(node.output().find("staff journey: done") != std::string::npos);
  for (const char* shot : {"staff-1-queue.png", "staff-2-correction.png", "staff-3-answered.png",
                           "staff-4-reply-letter-print.png", "supervisor-1-dashboard.png", "staff-5-overdue-in-queue.png"})
    CHECK(std::filesystem::file_size(shots + "/" + shot) > 1000);
}
