#pragma once
// Administration: accounts and roles, agency settings printed on letters, the working-day calendar,
// API tokens; and every user's own password.
#include "server/router.hpp"

namespace gongkai::admin {

void add_routes(router& r);

}  // namespace gongkai::admin
