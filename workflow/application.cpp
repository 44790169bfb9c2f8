#include "workflow/application.hpp"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

namespace gongkai::workflow {

namespace {

constexpr std::array<std::pair<applicant_category, std::array<std::string_view, 2>>, 6> categories{{
    {applicant_category::natural_person, {"natural_person", "自然人"}},
    {applicant_category::commercial, {"commercial", "商业企业"}},
    {applicant_category::research, {"research", "科研机构"}},
    {applicant_category::public_interest, {"public_interest", "社会公益组织"}},
    {applicant_category::legal_services, {"legal_services", "法律服务机构"}},
    {applicant_category::other, {"other", "其他"}},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view to_string(applicant_category c) {
  for (const auto& [v, n] : categories)
    if (v == c) return n[0];
  return "?";
}
std::string_view name_zh(applicant_category c) {
  for (const auto& [v, n] : categories)
    if (v == c) return n[1];
  return "?";
}
std::optional<applicant_category> parse_category(std::string_view s) {
  for (const auto& [v, n] : categories)
    if (n[0] == s) return v;
  return std::nullopt;
}

namespace {

struct channel_info {
  intake_channel c;
  std::string_view name, zh, rule;
};
constexpr channel_info channels[] = {
    {intake_channel::online, "online", "网上提交", "系统即时确认，以提交当日（北京时间）为收到申请之日"},
    {intake_channel::in_person, "in_person", "当面提交", "以提交之日为收到申请之日"},
    {intake_channel::registered_mail, "registered_mail", "邮寄（需签收）", "以行政机关签收之日为收到申请之日"},
    {intake_channel::ordinary_mail, "ordinary_mail", "平常信函", "以行政机关与申请人确认之日为收到申请之日"},
    {intake_channel::fax, "fax", "传真", "以双方确认之日为收到申请之日"},
    {intake_channel::oral, "oral", "口头提出（代为填写）", "以申请人口头提出、行政机关代为填写之日为收到申请之日"},
};

const channel_info& info(intake_channel c) {
  for (const auto& i : channels)
    if (i.c == c) return i;
  return channels[0];
}

}  // namespace

std::string_view to_string(intake_channel c) { return info(c).name; }
std::string_view name_zh(intake_channel c) { return info(c).zh; }
std::string_view receipt_rule_zh(intake_channel c) { return info(c).rule; }
std::optional<intake_channel> parse_channel(std::string_view s) {
  for (const auto& i : channels)
    if (i.name == s) return i.c;
  return std::nullopt;
}

// Art. 31: the receipt date depends on how the application arrived; it cannot precede the sending or
// handing over, nor lie in the future.
std::optional<std::string> check_receipt_date(intake_channel c, date received, date sent_or_handed, date today) {
  if (received > today) return "收到申请之日不能晚于今天";
  if (received < sent_or_handed) return "收到申请之日不能早于申请人提交或寄出之日";
  if ((c == intake_channel::in_person || c == intake_channel::oral || c == intake_channel::online) &&
      received != sent_or_handed)
    return std::string(name_zh(c)) + "：" + std::string(receipt_rule_zh(c));
  return std::nullopt;
}

const std::vector<std::string_view>& application_fields() {
  static const std::vector<std::string_view> fields = {
      "category", "name", "id_type", "id_number", "credit_code", "contact_person", "phone", "email",
      "address", "description", "info_form", "delivery"};
  return fields;
}

bool valid_resident_id(std::string_view id, date today) {
  if (id.size() != 18) return false;
  for (std::size_t i = 0; i < 17; ++i)
    if (!is_digit(id[i])) return false;
  auto birth = parse_date(std::string(id.substr(6, 4)) + "-" + std::string(id.substr(10, 2)) + "-" +
                          std::string(id.substr(12, 2)));
  if (!birth || *birth > today || year_of(*birth) < 1900) return false;
  static constexpr int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char check[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[i] - '0') * weights[i];
  char last = id[17] == 'x' ? 'X' : id[17];
  return check[sum % 11] == last;
}

bool valid_credit_code(std::string_view code) {
  static constexpr std::string_view alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  if (code.size() != 18) return false;
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    auto pos = alphabet.find(code[i]);
    if (pos == std::string_view::npos) return false;
    sum += static_cast<int>(pos) * weights[i];
  }
  int expected = (31 - sum % 31) % 31;
  return alphabet.find(code[17]) == static_cast<std::size_t>(expected);
}

bool valid_phone(std::string_view p) {
  if (p.size() == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9' && std::all_of(p.begin(), p.end(), is_digit))
    return true;
  // Landline: 0 + 2-3 digit area code, optional '-', 7-8 digits, optional '-' extension of 1-6 digits.
  if (p.empty() || p[0] != '0') return false;
  std::size_t i = 0, digits = 0;
  while (i < p.size() && is_digit(p[i])) ++i, ++digits;
  std::size_t area = 0, number = 0;
  if (i < p.size() && p[i] == '-') {
    area = digits;
    ++i;
    std::size_t start = i;
    while (i < p.size() && is_digit(p[i])) ++i;
    number = i - start;
  } else {
    // No separator: 3-4 digit area code followed by 7-8 digits (10-12 digits in all).
    if (digits < 10 || digits > 12) return false;
    area = 3;
    number = digits - 3;
    if (number > 8) area = 4, number = digits - 4;
  }
  if (area < 3 || area > 4 || number < 7 || number > 8) return false;
  if (i == p.size()) return true;
  if (p[i] != '-') return false;
  std::size_t ext = p.size() - i - 1;
  return ext >= 1 && ext <= 6 && std::all_of(p.begin() + static_cast<long>(i) + 1, p.end(), is_digit);
}

bool valid_email(std::string_view e) {
  if (e.size() > 254) return false;
  auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) return false;
  auto local = e.substr(0, at), domain = e.substr(at + 1);
  if (local.size() > 64 || domain.size() < 3 || domain.find('.') == std::string_view::npos) return false;
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return false;
  auto ok = [](char c, bool in_domain) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '.') return true;
    return !in_domain && std::string_view("_+!#$%&'*/=?^`{|}~").find(c) != std::string_view::npos;
  };
  return std::all_of(local.begin(), local.end(), [&](char c) { return ok(c, false); }) &&
         std::all_of(domain.begin(), domain.end(), [&](char c) { return ok(c, true); });
}

bool clean_text(std::string_view s, bool multiline) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    unsigned cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029;
    if (control && !(multiline && (cp == '\n' || cp == '\r' || cp == '\t'))) return false;
    i += len;
  }
  return true;
}

namespace {

// Decodes valid UTF-8 (checked by clean_text) code point by code point.
template <class F>
void for_each_code_point(std::string_view s, F&& f) {
  std::size_t i = 0;
  while (i < s.size()) {
    UChar32 cp = 0;
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const auto start = i;
    U8_NEXT(p, i, s.size(), cp);
    f(cp, s.substr(start, i - start));
  }
}

bool invisible(UChar32 cp) {
  return cp < 0 || u_hasBinaryProperty(cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) || u_charType(cp) == U_FORMAT_CHAR;
}

}  // namespace

std::string to_nfc(std::string_view s) {
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* nfc = unorm2_getNFCInstance(&err);
  if (U_FAILURE(err)) throw std::runtime_error("ICU NFC normalizer unavailable");
  std::u16string in(s.size() + 1, u'\0');
  int32_t in_len = 0;
  u_strFromUTF8(in.data(), static_cast<int32_t>(in.size()), &in_len, s.data(), static_cast<int32_t>(s.size()), &err);
  if (U_FAILURE(err)) return std::string(s);
  if (unorm2_isNormalized(nfc, in.data(), in_len, &err) && U_SUCCESS(err)) return std::string(s);
  err = U_ZERO_ERROR;
  std::u16string out(static_cast<std::size_t>(in_len) * 3 + 16, u'\0');
  int32_t out_len = unorm2_normalize(nfc, in.data(), in_len, out.data(), static_cast<int32_t>(out.size()), &err);
  if (U_FAILURE(err)) return std::string(s);
  std::string utf8(static_cast<std::size_t>(out_len) * 3 + 1, '\0');
  int32_t utf8_len = 0;
  u_strToUTF8(utf8.data(), static_cast<int32_t>(utf8.size()), &utf8_len, out.data(), out_len, &err);
  if (U_FAILURE(err)) return std::string(s);
  utf8.resize(static_cast<std::size_t>(utf8_len));
  return utf8;
}

bool has_invisible(std::string_view s) {
  bool found = false;
  for_each_code_point(s, [&](UChar32 cp, std::string_view) { found = found || invisible(cp); });
  return found;
}

std::string show_invisible(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for_each_code_point(s, [&](UChar32 cp, std::string_view bytes) {
    if (!invisible(cp)) {
      out += bytes;
      return;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "[U+%04X]", static_cast<unsigned>(cp < 0 ? 0xFFFD : cp));
    out += buf;
  });
  return out;
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string mask_identity(std::string_view id) {
  if (id.size() <= 8) return std::string(id.size(), '*');
  return std::string(id.substr(0, 4)) + std::string(id.size() - 8, '*') + std::string(id.substr(id.size() - 4));
}

std::string mask_phone(std::string_view p) {
  if (p.size() <= 7) return std::string(p.size(), '*');
  return std::string(p.substr(0, 3)) + std::string(p.size() - 7, '*') + std::string(p.substr(p.size() - 4));
}

validated_application validate_application(const std::map<std::string, std::string>& fields, date today) {
  validated_application out;
  auto& a = out.app;
  auto& problems = out.problems;
  auto problem = [&](const std::string& field, const char* code, const std::string& message) {
    problems.emplace(field, field_problem{code, message});
  };
  // Text: valid UTF-8, no control characters, trimmed, within its length (in characters).
  auto text = [&](const char* field, const char* label, std::size_t max, bool required, bool multiline = false) {
    auto it = fields.find(field);
    std::string v = it == fields.end() ? std::string() : it->second;
    if (!clean_text(v, multiline)) {
      problem(field, "invalid_text", std::string(label) + "含有无效字符");
      return std::string();
    }
    auto first = v.find_first_not_of(" \t\r\n"), last = v.find_last_not_of(" \t\r\n");
    v = first == std::string::npos ? std::string() : to_nfc(v.substr(first, last - first + 1));
    // Names and identifiers may not carry invisible or direction-changing characters (spoofing); free
    // text keeps them and staff pages show them visibly.
    if (!multiline && std::string_view(field) != "address" && has_invisible(v)) {
      problem(field, "invisible_characters", std::string(label) + "含有不可见字符或改变文字方向的字符");
      return std::string();
    }
    if (v.empty()) {
      if (required) problem(field, "required", "请填写" + std::string(label));
      return v;
    }
    if (utf8_length(v) > max) {
      problem(field, "too_long", std::string(label) + "不能超过 " + std::to_string(max) + " 个字");
      return std::string();
    }
    return v;
  };

  auto category = text("category", "申请人类型", 32, true);
  if (!category.empty()) {
    if (auto c = parse_category(category)) a.category = *c;
    else problem("category", "invalid_choice", "请选择申请人类型");
  }
  a.name = text("name", a.is_person() ? "姓名" : "名称", 100, true);
  if (a.is_person()) {
    a.id_type = text("id_type", "证件类型", 32, true);
    a.id_number = text("id_number", "证件号码", 32, true);
    static const std::vector<std::string> id_types = {"resident_id", "passport", "hk_macao_permit", "taiwan_permit", "other"};
    if (!a.id_type.empty() && std::find(id_types.begin(), id_types.end(), a.id_type) == id_types.end())
      problem("id_type", "invalid_choice", "请选择证件类型");
    if (!a.id_number.empty()) {
      for (auto& ch : a.id_number) ch = ch == 'x' ? 'X' : ch;
      if (a.id_type == "resident_id") {
        if (a.id_number.size() != 18 || !std::all_of(a.id_number.begin(), a.id_number.begin() + 17, is_digit))
          problem("id_number", "invalid_format", "居民身份证号码应为18位");
        else if (!valid_resident_id(a.id_number, today))
          problem("id_number", "invalid_checksum", "居民身份证号码有误（出生日期或校验码不符）");
      } else if (a.id_number.size() < 5 || !std::all_of(a.id_number.begin(), a.id_number.end(), [](char c) {
                   return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
                 })) {
        problem("id_number", "invalid_format", "证件号码格式不正确");
      }
    }
  } else {
    a.credit_code = text("credit_code", "统一社会信用代码", 18, true);
    for (auto& ch : a.credit_code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (!a.credit_code.empty() && !valid_credit_code(a.credit_code))
      problem("credit_code", a.credit_code.size() == 18 ? "invalid_checksum" : "invalid_format",
              "统一社会信用代码有误（应为18位，校验码须相符）");
    a.contact_person = text("contact_person", "联系人", 50, true);
  }
  a.phone = text("phone", "联系电话", 20, true);
  if (!a.phone.empty() && !valid_phone(a.phone))
    problem("phone", "invalid_format", "联系电话格式不正确（手机11位，或区号-号码）");
  a.email = text("email", "电子邮箱", 254, false);
  if (!a.email.empty() && !valid_email(a.email)) problem("email", "invalid_format", "电子邮箱格式不正确");
  a.address = text("address", "通信地址", 200, true);
  a.description = text("description", "所需政府信息的名称、文号或其他特征性描述", 5000, true, true);
  a.info_form = text("info_form", "信息的提供形式", 16, true);
  if (!a.info_form.empty() && a.info_form != "paper" && a.info_form != "electronic")
    problem("info_form", "invalid_choice", "请选择纸质或电子形式");
  a.delivery = text("delivery", "获取方式", 16, true);
  static const std::vector<std::string> deliveries = {"post", "email", "pickup", "download"};
  if (!a.delivery.empty() && std::find(deliveries.begin(), deliveries.end(), a.delivery) == deliveries.end())
    problem("delivery", "invalid_choice", "请选择获取信息的方式");
  if (a.delivery == "email" && a.email.empty() && !problems.count("email"))
    problem("email", "required", "选择电子邮件获取时须填写电子邮箱");
  return out;
}

}  // namespace gongkai::workflow
