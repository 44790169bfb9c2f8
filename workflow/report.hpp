#pragma once
// The annual report's tables 三 (applications) and 四 (reconsideration and litigation), 2021 format,
// built from per-case facts that storage aggregates. Pure code.
#include "workflow/application.hpp"
#include "workflow/case.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace gongkai::workflow::report {

// Columns of table 三: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
inline constexpr int columns = 7;
using counts = std::array<long long, columns>;

// Cases that share the facts the table needs (counted as of the report's cut-off).
struct case_group {
  applicant_category category = applicant_category::other;
  int received_year = 0;
  std::optional<int> concluded_year;  // year of the first conclusion, if any by the cut-off
  std::string outcome;                // the outcome code of that first conclusion
  long long count = 0;
};

// Appeals filed in the year, with the decision if one came by the cut-off.
struct appeal_group {
  appeal_kind kind = appeal_kind::reconsideration;
  int filed_year = 0;
  std::optional<appeal_result> result;
  long long count = 0;
};

struct row {
  std::string key;    // "received", "carried_over", "1", "3.4", "total", "carried_forward"
  std::string label;  // Chinese, as printed
  counts values{};
};

// Table 四: for 行政复议, 未经复议直接起诉, 复议后起诉: 结果维持, 结果纠正, 其他结果, 尚未审结, 总计.
using appeal_counts = std::array<std::array<long long, 5>, 3>;

struct annual_tables {
  int year = 0;
  std::vector<row> applications;  // table 三, in printed order
  appeal_counts appeals{};
  // Row 四 of the year before, as counted at that year's own cut-off (or as published), when known.
  std::optional<counts> previous_carried_forward;
  const row& at(std::string_view key) const;
  // 一 + 二 = 三（七） + 四, column by column.
  bool balanced_within_year() const;
  // The year before's 四 = this year's 二, column by column; empty when the year before is not known.
  std::optional<bool> balanced_with_previous_year() const;
  // Both of the above (the link counts only where known).
  bool balanced() const;
};

annual_tables build(int year, const std::vector<case_group>& cases, const std::vector<appeal_group>& appeals);

// A stable text form of the figures (to freeze a published year and compare later).
std::string figures_json(const annual_tables& t);
// The keys whose figures differ between two versions of a year (empty when they agree).
std::vector<std::string> differences(const annual_tables& frozen, const annual_tables& now);
annual_tables from_figures_json(int year, const std::string& json);

}  // namespace gongkai::workflow::report
