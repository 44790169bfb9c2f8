#include "workflow/search.hpp"

#include "workflow/application.hpp"

#include <unicode/utf8.h>

#include <algorithm>

namespace gongkai::workflow::search {

namespace {

// The code points of valid UTF-8 text, each as its bytes (an invalid byte is a character of its own).
std::vector<std::string_view> characters(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < s.size()) {
    const auto start = i;
    UChar32 cp = 0;
    U8_NEXT(p, i, s.size(), cp);
    out.push_back(s.substr(start, i - start));
  }
  return out;
}

void sort_unique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

std::string normalize(std::string_view text) {
  const std::string nfc = to_nfc(text);
  std::string out;
  out.reserve(nfc.size());
  bool space = false;
  for (char ch : nfc) {
    const auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u == 0x7f) {  // ASCII whitespace and control characters
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += (u >= 'A' && u <= 'Z') ? static_cast<char>(u - 'A' + 'a') : ch;
  }
  return out;
}

std::vector<std::string> grams(std::string_view normalized) {
  const auto chars = characters(normalized);
  std::vector<std::string> out;
  out.reserve(chars.size() * 2);
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (chars[i] == " ") continue;
    out.emplace_back(chars[i]);
    if (i + 1 < chars.size() && chars[i + 1] != " ") out.push_back(std::string(chars[i]) + std::string(chars[i + 1]));
  }
  sort_unique(out);
  return out;
}

query_plan plan_query(std::string_view normalized_query) {
  const auto chars = characters(normalized_query);
  query_plan plan;
  for (std::size_t i = 0; i + 1 < chars.size(); ++i)
    if (chars[i] != " " && chars[i + 1] != " ") plan.grams.push_back(std::string(chars[i]) + std::string(chars[i + 1]));
  if (plan.grams.empty())
    for (auto c : chars)
      if (c != " ") plan.grams.emplace_back(c);
  sort_unique(plan.grams);
  plan.verify = chars.size() > 2 || std::find(chars.begin(), chars.end(), " ") != chars.end();
  return plan;
}

}  // namespace gongkai::workflow::search
