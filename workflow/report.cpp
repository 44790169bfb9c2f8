#include "workflow/report.hpp"

#include <boost/json.hpp>

#include <stdexcept>

namespace gongkai::workflow::report {

namespace {

int column_of(applicant_category c) {
  switch (c) {
    case applicant_category::natural_person: return 0;
    case applicant_category::commercial: return 1;
    case applicant_category::research: return 2;
    case applicant_category::public_interest: return 3;
    case applicant_category::legal_services: return 4;
    case applicant_category::other: return 5;
  }
  return 5;
}

void add(counts& c, applicant_category cat, long long n) {
  c[column_of(cat)] += n;
  c[columns - 1] += n;
}

}  // namespace

const row& annual_tables::at(std::string_view key) const {
  for (const auto& r : applications)
    if (r.key == key) return r;
  throw std::out_of_range("no row " + std::string(key));
}

bool annual_tables::balanced_within_year() const {
  const auto &a = at("received"), &b = at("carried_over"), &c = at("total"), &d = at("carried_forward");
  for (int i = 0; i < columns; ++i)
    if (a.values[i] + b.values[i] != c.values[i] + d.values[i]) return false;
  return true;
}

std::optional<bool> annual_tables::balanced_with_previous_year() const {
  if (!previous_carried_forward) return std::nullopt;
  return *previous_carried_forward == at("carried_over").values;
}

bool annual_tables::balanced() const { return balanced_within_year() && balanced_with_previous_year().value_or(true); }

annual_tables build(int year, const std::vector<case_group>& cases, const std::vector<appeal_group>& appeals) {
  annual_tables t;
  t.year = year;
  t.applications.push_back({"received", "一、本年新收政府信息公开申请数量", {}});
  t.applications.push_back({"carried_over", "二、上年结转政府信息公开申请数量", {}});
  for (const auto& o : outcome_codes()) {
    std::string label = o.reason_zh.empty() ? std::string(o.category_zh) : std::string(o.reason_zh);
    t.applications.push_back({std::string(o.code), label, {}});
  }
  t.applications.push_back({"total", "（七）总计", {}});
  t.applications.push_back({"carried_forward", "四、结转下年度继续办理", {}});
  auto row_of = [&](std::string_view key) -> row& { return const_cast<row&>(t.at(key)); };

  for (const auto& g : cases) {
    if (g.received_year > year) continue;  // not yet received as of this year
    // A case concluded after this year (or not at all) is still open at the year's end.
    bool concluded_before = g.concluded_year && *g.concluded_year < year;
    bool concluded_in = g.concluded_year && *g.concluded_year == year;
    if (concluded_before) continue;
    if (g.received_year == year) add(row_of("received").values, g.category, g.count);
    else add(row_of("carried_over").values, g.category, g.count);
    if (concluded_in) {
      // Counted once, at its first conclusion, under that outcome (an unknown code counts as 6.3).
      const auto* code = find_outcome(g.outcome);
      add(row_of(code ? code->code : std::string_view("6.3")).values, g.category, g.count);
      add(row_of("total").values, g.category, g.count);
    } else {
      add(row_of("carried_forward").values, g.category, g.count);
    }
  }
  for (const auto& a : appeals) {
    if (a.filed_year != year) continue;
    auto& line = t.appeals[static_cast<int>(a.kind)];
    int col = !a.result ? 3 : *a.result == appeal_result::upheld ? 0 : *a.result == appeal_result::corrected ? 1 : 2;
    line[col] += a.count;
    line[4] += a.count;
  }
  return t;
}

std::string figures_json(const annual_tables& t) {
  boost::json::object o;
  for (const auto& r : t.applications) {
    boost::json::array values;
    for (auto v : r.values) values.emplace_back(v);
    o[r.key] = std::move(values);
  }
  boost::json::array appeals;
  for (const auto& line : t.appeals) {
    boost::json::array values;
    for (auto v : line) values.emplace_back(v);
    appeals.emplace_back(std::move(values));
  }
  o["appeals"] = std::move(appeals);
  return boost::json::serialize(o);
}

annual_tables from_figures_json(int year, const std::string& json) {
  auto t = build(year, {}, {});
  auto o = boost::json::parse(json).as_object();
  for (auto& r : t.applications)
    if (auto* v = o.if_contains(r.key))
      for (int i = 0; i < columns && i < static_cast<int>(v->as_array().size()); ++i) r.values[i] = v->as_array()[i].as_int64();
  if (auto* a = o.if_contains("appeals"))
    for (std::size_t k = 0; k < 3 && k < a->as_array().size(); ++k)
      for (std::size_t i = 0; i < 5 && i < a->as_array()[k].as_array().size(); ++i)
        t.appeals[k][i] = a->as_array()[k].as_array()[i].as_int64();
  return t;
}

std::vector<std::string> differences(const annual_tables& frozen, const annual_tables& now) {
  std::vector<std::string> out;
  for (const auto& r : frozen.applications)
    if (r.values != now.at(r.key).values) out.push_back(r.label);
  static const char* appeal_names[] = {"行政复议", "未经复议直接起诉", "复议后起诉"};
  for (int k = 0; k < 3; ++k)
    if (frozen.appeals[k] != now.appeals[k]) out.push_back(appeal_names[k]);
  return out;
}

}  // namespace gongkai::workflow::report
