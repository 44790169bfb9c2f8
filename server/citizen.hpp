#pragma once
// The applicant's side: file an application (form and JSON API), the receipt, following the case,
// answering a correction request, withdrawing.
#include "server/router.hpp"
#include "server/templates.hpp"
#include "sql/cases.hpp"
#include "workflow/application.hpp"

namespace gongkai::citizen {

void add_routes(router& r);

// The application form's data (values kept, errors per field), shared with the staff registration page.
kainjow::mustache::data application_form(request_context& ctx, const std::map<std::string, std::string>& values,
                                         const std::map<std::string, workflow::field_problem>& problems);

// Files an application and renders its receipt (201).
http::response file_and_receipt(request_context& ctx, const workflow::application& app, workflow::intake_channel channel,
                                workflow::date received_on, const std::string& nonce, const actor& who);

}  // namespace gongkai::citizen
