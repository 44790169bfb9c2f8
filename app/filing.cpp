#include "app/filing.hpp"

namespace gongkai::filing {

receipt file(database& db, const workflow::working_calendar& cal, const workflow::application& app,
             workflow::intake_channel channel, workflow::date received, const std::string& nonce, const actor& who,
             long long now_ms, const rate_limit::quota* quota) {
  receipt r{applications::file(db, app, std::string(to_string(channel)), received, nonce, who, cal, now_ms, quota), {}};
  r.clocks = cases::clocks_of(cases::transitions(db, r.filed.row.id), cal);
  return r;
}

}  // namespace gongkai::filing
