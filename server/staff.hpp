#pragma once
// The staff side: login, the work queue, the case page and every case action (pages and the events
// API), registering applications received on paper.
#include "server/router.hpp"

namespace gongkai::staff {

void add_routes(router& r);

}  // namespace gongkai::staff
