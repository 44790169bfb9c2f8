#pragma once
// Filing an application: the case, its application row and the applicant's notice in one transaction,
// and the clocks the receipt shows.
#include "sql/applications.hpp"
#include "workflow/deadlines.hpp"

#include <string>

namespace gongkai::filing {

struct receipt {
  applications::filed filed;
  workflow::deadlines clocks;
};

receipt file(database& db, const workflow::working_calendar& cal, const workflow::application& app,
             workflow::intake_channel channel, workflow::date received, const std::string& nonce, const actor& who,
             long long now_ms, const rate_limit::quota* quota = nullptr);

}  // namespace gongkai::filing
