#pragma once
// What an application (政府信息公开申请) holds and how its fields are checked (Art. 29). Pure code.
#include "workflow/calendar.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gongkai::workflow {

// Applicant categories: the columns of the annual report's table 三.
enum class applicant_category { natural_person, commercial, research, public_interest, legal_services, other };
// In the annual report's column order (自然人, then the kinds of 法人或其他组织).
inline constexpr applicant_category all_categories[] = {
    applicant_category::natural_person, applicant_category::commercial,     applicant_category::research,
    applicant_category::public_interest, applicant_category::legal_services, applicant_category::other};
std::string_view to_string(applicant_category c);
std::string_view name_zh(applicant_category c);
std::optional<applicant_category> parse_category(std::string_view s);

struct application {
  applicant_category category = applicant_category::natural_person;
  std::string name;            // 姓名 / 名称
  std::string id_type;         // person: resident_id, passport, hk_macao_permit, taiwan_permit, other
  std::string id_number;       // person
  std::string credit_code;     // organisation: 统一社会信用代码
  std::string contact_person;  // organisation
  std::string phone;
  std::string email;           // optional
  std::string address;
  std::string description;     // 所需信息的名称、文号或其他特征性描述
  std::string info_form;       // paper | electronic
  std::string delivery;        // post | email | pickup | download
  bool is_person() const { return category == applicant_category::natural_person; }
};

struct field_problem {
  std::string code;     // machine-readable: required, too_long, invalid_format, invalid_checksum, ...
  std::string message;  // Chinese, for the page
};

struct validated_application {
  application app;
  std::map<std::string, field_problem> problems;  // by field name; empty = valid
};

// How an application reached the agency, and the rule that fixes its receipt date (Art. 31).
enum class intake_channel { online, in_person, registered_mail, ordinary_mail, fax, oral };
std::string_view to_string(intake_channel c);
std::string_view name_zh(intake_channel c);
std::string_view receipt_rule_zh(intake_channel c);  // what counts as the receipt date for this channel
std::optional<intake_channel> parse_channel(std::string_view s);
// Checks a receipt date staff enter for an application that came by `c`: never in the future, and not
// before the date the application was sent or handed over. A refusal message, or nothing.
std::optional<std::string> check_receipt_date(intake_channel c, date received, date sent_or_handed, date today);

// The field names, in form order.
const std::vector<std::string_view>& application_fields();

// Checks submitted fields (already decoded strings); `today` bounds a resident ID's date of birth.
// Fields not listed in application_fields() are ignored. The purpose of the request is not asked.
validated_application validate_application(const std::map<std::string, std::string>& fields, date today);

// GB 11643-1999: 18 characters, a real date of birth not after today, the ISO 7064 MOD 11-2 check digit.
bool valid_resident_id(std::string_view id, date today);
// GB 32100-2015: 18 characters from the code set (no I, O, Z, S, V), MOD 31 check character.
bool valid_credit_code(std::string_view code);
// Mainland mobile (11 digits, 1[3-9]...) or a landline with area code (0xx-xxxxxxx[x], optional extension).
bool valid_phone(std::string_view phone);
bool valid_email(std::string_view email);
// Valid UTF-8 with no control characters (newline and tab allowed where multiline is).
bool clean_text(std::string_view s, bool multiline);
std::size_t utf8_length(std::string_view s);
// Unicode NFC (composed) form of valid UTF-8, so that the same name is stored the same way whatever
// keyboard typed it.
std::string to_nfc(std::string_view s);
// Characters that change how text reads without being seen: bidi overrides and isolates (U+202A..E,
// U+2066..9), zero-width characters (U+200B..D), U+FEFF and the other default-ignorable or format
// characters. They are refused in names and identifiers (they allow spoofing).
bool has_invisible(std::string_view s);
// The text with each such character replaced by a visible "[U+202E]", for staff pages.
std::string show_invisible(std::string_view s);

// 110101********1234: for lists and logs of masked data.
std::string mask_identity(std::string_view id);
std::string mask_phone(std::string_view phone);

}  // namespace gongkai::workflow
