#pragma once
// The applicant's side: file an application (form and JSON API), the receipt, following the case,
// answering a correction request, withdrawing.
#include "server/router.hpp"

namespace gongkai::citizen {

void add_routes(router& r);

}  // namespace gongkai::citizen
