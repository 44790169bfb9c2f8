#pragma once
// Public statistics (no personal data) and the supervisors' monthly figures: inline SVG charts rendered
// by the server, readable without JavaScript, and CSV downloads.
#include "server/router.hpp"

#include <string>
#include <vector>

namespace gongkai::statistics_page {

void add_routes(router& r);

// A bar chart as inline SVG (presentation attributes only: the CSP forbids inline styles). One or two
// series over the same labels.
struct series {
  std::string name;
  std::vector<long long> values;
  std::string colour;
};
std::string bar_chart(const std::string& title, const std::vector<std::string>& labels, const std::vector<series>& data);

}  // namespace gongkai::statistics_page
