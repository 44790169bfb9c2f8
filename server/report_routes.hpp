#pragma once
// The annual report for supervisors (page, CSV, JSON API, freezing a published year).
#include "server/router.hpp"

namespace gongkai::report_routes {

void add_routes(router& r);

}  // namespace gongkai::report_routes
