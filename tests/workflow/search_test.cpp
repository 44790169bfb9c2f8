// The text-search tokenizer: what a text is indexed by and what a query asks for (workflow/search.hpp).
#include <catch2/catch.hpp>

#include "workflow/search.hpp"

#include <algorithm>

using namespace gongkai::workflow::search;

namespace {
bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }
}  // namespace

TEST_CASE("search text is compared in NFC, ASCII lower case, one space for any whitespace", "[workflow]") {
  CHECK(normalize("  王芳\t\n ABC  Corp ") == "王芳 abc corp");
  CHECK(normalize("Cafe\xCC\x81") == "caf\xC3\xA9");      // e + combining acute: composed
  CHECK(normalize("\xC3\x89X") == "\xC3\x89x");           // É keeps its case: only ASCII is folded
  CHECK(normalize("a\x01" "b") == "a b");                  // a control character separates like a space
  CHECK(normalize(" \t ").empty());
}

TEST_CASE("a text is indexed by its characters and its pairs of adjacent characters, not across a space", "[workflow]") {
  auto g = grams(normalize("王小明 AB1"));
  CHECK(g == std::vector<std::string>{"1", "a", "ab", "b", "b1", "小", "小明", "明", "王", "王小"});
  CHECK_FALSE(has(g, "明 "));
  CHECK_FALSE(has(g, "明a"));
  CHECK(grams("").empty());
  CHECK(grams("王王王") == std::vector<std::string>{"王", "王王"});  // without duplicates
}

TEST_CASE("a query asks for its pairs, or for one character that character; longer ones are checked", "[workflow]") {
  auto one = plan_query("王");
  CHECK(one.grams == std::vector<std::string>{"王"});
  CHECK_FALSE(one.verify);
  auto two = plan_query("王芳");
  CHECK(two.grams == std::vector<std::string>{"王芳"});
  CHECK_FALSE(two.verify);
  auto three = plan_query("财政预");
  CHECK(three.grams == std::vector<std::string>{"政预", "财政"});
  CHECK(three.verify);
  auto latin = plan_query("2025");
  CHECK(latin.grams == std::vector<std::string>{"02", "20", "25"});
  CHECK(latin.verify);
  auto spaced = plan_query("a b");  // no pair without a space: its characters, then the check
  CHECK(spaced.grams == std::vector<std::string>{"a", "b"});
  CHECK(spaced.verify);
  auto mixed = plan_query("王 ab");
  CHECK(mixed.grams == std::vector<std::string>{"ab"});
  CHECK(mixed.verify);
}
