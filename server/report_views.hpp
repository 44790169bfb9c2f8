#pragma once
// The annual report in its three forms: JSON (API, CLI), CSV (download, CLI) and the official layout as
// an HTML page (supervisor page, CLI). One source for all three, so they agree.
#include "workflow/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gongkai::report_views {

struct freeze_info {
  std::string locked_by;
  long long locked_at = 0;
  std::vector<std::string> differences;  // rows whose figures now differ from the frozen ones
};

std::string json(const workflow::report::annual_tables& t, const std::optional<freeze_info>& frozen = std::nullopt);
std::string csv(const workflow::report::annual_tables& t);
// The body of the page (both tables in the official layout); `actions` adds the freeze form.
std::string html_body(const workflow::report::annual_tables& t, const std::optional<freeze_info>& frozen,
                      const std::string& csrf = {});

}  // namespace gongkai::report_views
