#include "app/password_policy.hpp"

#include "core/crypto.hpp"
#include "core/embedded.hpp"
#include "workflow/application.hpp"

#include <algorithm>
#include <unordered_set>
#include <vector>

namespace gongkai::password_policy {

namespace {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

const std::unordered_set<std::string>& common_passwords() {
  static const std::unordered_set<std::string> list = [] {
    std::unordered_set<std::string> out;
    auto text = embedded::find("app/common_passwords.txt").value_or("");
    for (std::size_t start = 0; start < text.size();) {
      auto end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      auto line = text.substr(start, end - start);
      start = end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line.front() == '#') continue;
      out.insert(ascii_lower(line));
    }
    return out;
  }();
  return list;
}

// The password as characters (UTF-8 sequences), so "啊啊啊..." is one repeated character too.
std::vector<std::string_view> characters(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    auto lead = static_cast<unsigned char>(s[i]);
    std::size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    n = std::min(n, s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// True when the whole password is one group of 1..3 characters repeated ("aaaa...", "abab...", "123123...").
bool repeats_a_short_group(const std::vector<std::string_view>& chars) {
  for (std::size_t period = 1; period <= 3 && period < chars.size(); ++period) {
    bool repeats = true;
    for (std::size_t i = period; i < chars.size() && repeats; ++i) repeats = chars[i] == chars[i - period];
    if (repeats) return true;
  }
  return false;
}

bool whitespace_only(std::string_view s) {
  // ASCII blanks and the ideographic space U+3000 (typed by Chinese input methods).
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
      ++i;
    } else if (s.substr(i, 3) == "\xE3\x80\x80") {
      i += 3;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> problem(std::string_view password, std::string_view username) {
  if (whitespace_only(password)) return "密码不能为空或只有空格";
  const auto length = workflow::utf8_length(password);
  if (length < min_length) return "密码至少" + std::to_string(min_length) + "个字符";
  if (length > max_length) return "密码不能超过" + std::to_string(max_length) + "个字符";
  if (!workflow::clean_text(password, false)) return "密码含有不可用的字符";
  if (repeats_a_short_group(characters(password))) return "密码不能由同一字符（或几个字符）重复组成";
  const auto lower = ascii_lower(password);
  // The account's name is the first thing a guesser tries: it does not count toward the length.
  if (const auto name = ascii_lower(username); name.size() >= 2) {
    if (auto at = lower.find(name); at != std::string::npos) {
      auto rest = lower;
      rest.erase(at, name.size());
      if (workflow::utf8_length(rest) < min_length) return "密码除用户名之外至少" + std::to_string(min_length) + "个字符";
    }
  }
  if (common_passwords().count(lower)) return "该密码过于常见，容易被猜中，请换一个";
  return std::nullopt;
}

std::string one_time_password() {
  for (;;) {
    auto p = crypto::random_password();
    if (!problem(p)) return p;
  }
}

}  // namespace gongkai::password_policy
