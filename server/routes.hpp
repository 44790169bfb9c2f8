#pragma once
#include "server/router.hpp"

namespace gongkai {

// The one route table of the server.
router make_routes();

}  // namespace gongkai
