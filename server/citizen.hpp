#pragma once
// The applicant's side: file an application (form and JSON API), the receipt, following the case,
// answering a correction request, withdrawing.
#include "app/filing.hpp"
#include "server/router.hpp"
#include "server/templates.hpp"
#include "sql/cases.hpp"
#include "workflow/application.hpp"

#include <boost/json/object.hpp>

namespace gongkai::citizen {

void add_routes(router& r);

// The application form's data (values kept, errors per field), shared with the staff registration page.
kainjow::mustache::data application_form(request_context& ctx, const std::map<std::string, std::string>& values,
                                         const std::map<std::string, workflow::field_problem>& problems);

// Files an application and renders its receipt (201).
http::response file_and_receipt(request_context& ctx, const workflow::application& app, workflow::intake_channel channel,
                                workflow::date received_on, const std::string& nonce, const actor& who);

// A filing's receipt as the API answers it: number, access code (shown this once), receipt date, reply due
// date with its explanation, state. The staff registration API adds its own fields.
boost::json::object receipt_json(const filing::receipt& r);

}  // namespace gongkai::citizen
