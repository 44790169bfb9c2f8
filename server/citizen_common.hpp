#pragma once
// What the applicant's page families (citizen_forms.cpp, citizen_api.cpp) share: the choices on the
// form, anti-forgery and rate limits, finding a case by its access code, the applicant's view of a
// case, firing the applicant's events, filing and the receipt.
#include "app/filing.hpp"
#include "server/citizen.hpp"
#include "sql/outbox.hpp"

#include <boost/json/object.hpp>

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gongkai::citizen {

// The names every page family of this side uses.
namespace json = boost::json;
using namespace workflow;
using http::status;
using http::verb;
using kainjow::mustache::data;

inline constexpr long long form_lifetime_seconds = 2 * 3600;
inline const std::string not_found_message = "没有找到该申请，或查询码不正确";

// ---- Choices shown on the form (value, label) ----
using choices = std::vector<std::pair<std::string, std::string>>;
const choices& category_choices();
const choices& id_type_choices();
const choices& form_choices();
const choices& delivery_choices();
std::string label_of(const choices& list, const std::string& value);

// ---- Requests ----
void require_rate(request_context& ctx, std::string_view purpose, int limit, int window);
// The anti-forgery token's nonce (403 when missing, expired or forged).
std::string csrf_nonce(request_context& ctx, const std::map<std::string, std::string>& form, std::string_view purpose);
std::string trimmed(std::string s);
std::shared_ptr<const workflow::working_calendar> calendar(request_context& ctx);
// The case of this tracking number and access code, else 404 (the same answer for both mistakes).
case_row find_or_404(request_context& ctx, const std::string& tracking_no, const std::string& code);
// The same check for the polled JSON look-up: the view's stamp instead of the case (same limits, same 404).
applications::view_stamp stamp_or_404(request_context& ctx, const std::string& tracking_no, const std::string& code);

// ---- The applicant's view of a case (applicant_view.cpp) ----
struct case_view {
  case_row row;
  std::vector<stored_transition> log;
  workflow::deadlines clocks;
  std::vector<outbox::message> messages;  // addressed to the applicant only
  std::string reconsideration_body;
  std::optional<workflow::application> request = std::nullopt;  // what they asked for (the description and forms only are shown)
  bool overdue = false;          // past the reply due date (China day) without an answer
  int overdue_working_days = 0;  // working days after the due date, up to today
};
case_view load_view(request_context& ctx, const case_row& row);
bool may_withdraw(workflow::case_state s);
boost::json::object view_json(const case_view& v);
http::response status_page(request_context& ctx, const case_view& v, const std::string& code, const std::string& notice);

// ---- The applicant's events ----
workflow::case_event applicant_event(request_context& ctx, workflow::event_kind kind);
// Fires an applicant's event in one transaction with the anti-forgery nonce (when given).
case_row fire_as_applicant(request_context& ctx, const case_row& row, const workflow::case_event& e,
                           const std::string& nonce);
// The text of a correction: required, valid, at most 5000 characters, in NFC.
std::string correction_text(const std::string& raw);
http::response letter_response(request_context& ctx, const case_row& row, const std::string& seq_text);

// ---- Filing ----
// [Gongkai rule] an online submission is confirmed at once: received on its local date (Art. 31).
filing::receipt file_online(request_context& ctx, const workflow::application& app, const std::string& nonce);
http::response receipt_page(request_context& ctx, const workflow::application& app, const filing::receipt& r);

void add_form_routes(router& r);
void add_api_routes(router& r);

}  // namespace gongkai::citizen
