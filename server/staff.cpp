#include "server/staff.hpp"

#include "server/staff_common.hpp"

namespace gongkai::staff {

void add_routes(router& r) {
  add_login_routes(r);
  add_queue_routes(r);
  add_case_routes(r);
  add_registration_routes(r);
  add_dashboard_routes(r);
  add_staff_api_routes(r);
}

}  // namespace gongkai::staff
