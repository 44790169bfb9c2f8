#include "server/report_views.hpp"

#include "server/templates.hpp"

#include <boost/json.hpp>

namespace gongkai::report_views {

using namespace workflow;
using namespace workflow::report;
using kainjow::mustache::data;

namespace {

// The report's columns: the applicant categories as the workflow names them, then the total.
const std::vector<std::string>& column_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (auto c : workflow::all_categories) out.emplace_back(workflow::name_zh(c));
    out.emplace_back("总计");
    return out;
  }();
  return names;
}
const char* const appeal_keys[] = {"reconsideration", "litigation", "litigation_after_reconsideration"};
const char* const result_keys[] = {"upheld", "corrected", "other", "pending", "total"};

// The label cells that open each row of table 三 in the official layout (merged cells).
struct cell {
  std::string text;
  int rowspan = 1, colspan = 1;
};

std::vector<cell> label_cells(const row& r) {
  if (r.key == "received" || r.key == "carried_over" || r.key == "carried_forward") return {{r.label, 1, 3}};
  if (r.key == "total") return {{r.label, 1, 2}};
  std::vector<cell> cells;
  if (r.key == "1") cells.push_back({"三、本年度办理结果", 22, 1});
  if (r.key == "1") return cells.push_back({"（一）予以公开", 1, 2}), cells;
  if (r.key == "2") return {{"（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2}};
  const auto* code = find_outcome(r.key);
  auto dot = r.key.find('.');
  int sub = std::stoi(r.key.substr(dot + 1));
  if (sub == 1) {
    int span = r.key[0] == '3' ? 8 : r.key[0] == '4' ? 3 : r.key[0] == '5' ? 5 : 3;
    cells.push_back({std::string(code->category_zh), span, 1});
  }
  cells.push_back({std::to_string(sub) + "." + std::string(code->reason_zh), 1, 1});
  return cells;
}

}  // namespace

std::string json(const annual_tables& t, const std::optional<freeze_info>& frozen) {
  boost::json::array columns;
  for (const auto& c : column_names()) columns.emplace_back(c);
  boost::json::array rows;
  for (const auto& r : t.applications) {
    boost::json::array values;
    for (auto v : r.values) values.emplace_back(v);
    rows.push_back(boost::json::object{{"key", r.key}, {"label", r.label}, {"values", values}});
  }
  boost::json::object appeals;
  for (int k = 0; k < 3; ++k) {
    boost::json::object line;
    for (int i = 0; i < 5; ++i) line[result_keys[i]] = t.appeals[k][i];
    appeals[appeal_keys[k]] = std::move(line);
  }
  boost::json::object o{{"year", t.year}, {"columns", columns}, {"table3", rows}, {"table4", appeals},
                        {"balanced", t.balanced()}};
  // The link between years: the year before's 四 = this year's 二 (null when not known).
  if (auto link = t.balanced_with_previous_year()) o["balanced_with_previous_year"] = *link;
  else o["balanced_with_previous_year"] = nullptr;
  if (frozen) {
    boost::json::array diff;
    for (const auto& d : frozen->differences) diff.emplace_back(d);
    o["frozen"] = boost::json::object{{"locked_by", frozen->locked_by}, {"locked_at", frozen->locked_at}, {"differences", diff}};
  }
  return boost::json::serialize(o);
}

std::string csv(const annual_tables& t) {
  std::string out = "\xEF\xBB\xBF";  // a BOM, so spreadsheet programs read the Chinese as UTF-8
  out += "表三 收到和处理政府信息公开申请情况（" + std::to_string(t.year) + "年）\r\n项目";
  for (const auto& c : column_names()) out += std::string(",") + c;
  out += "\r\n";
  for (const auto& r : t.applications) {
    std::string label = r.label;
    if (const auto* code = find_outcome(r.key); code && !code->reason_zh.empty())
      label = std::string(code->category_zh) + " " + std::string(code->reason_zh);
    out += "\"" + label + "\"";
    for (auto v : r.values) out += "," + std::to_string(v);
    out += "\r\n";
  }
  out += "\r\n表四 政府信息公开行政复议、行政诉讼情况\r\n类别,结果维持,结果纠正,其他结果,尚未审结,总计\r\n";
  const char* names[] = {"行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"};
  for (int k = 0; k < 3; ++k) {
    out += names[k];
    for (auto v : t.appeals[k]) out += "," + std::to_string(v);
    out += "\r\n";
  }
  return out;
}

std::string html_body(const annual_tables& t, const std::optional<freeze_info>& frozen, const std::string& csrf) {
  data d;
  d.set("year", std::to_string(t.year));
  d.set("balanced", t.balanced_within_year());
  if (auto link = t.balanced_with_previous_year()) {
    data l;
    l.set("ok", *link);
    l.set("previous_year", std::to_string(t.year - 1));
    d.set("link", l);
  }
  data rows{data::type::list};
  for (const auto& r : t.applications) {
    data row;
    data cells{data::type::list};
    for (const auto& c : label_cells(r)) {
      data cd;
      cd.set("text", c.text);
      if (c.rowspan > 1) cd.set("rowspan", std::to_string(c.rowspan));
      if (c.colspan > 1) cd.set("colspan", std::to_string(c.colspan));
      cells.push_back(cd);
    }
    row.set("cells", cells);
    row.set("key", r.key);
    data values{data::type::list};
    for (auto v : r.values) values.push_back(data(std::to_string(v)));
    row.set("values", values);
    rows.push_back(row);
  }
  d.set("rows", rows);
  data appeals{data::type::list};
  for (const auto& line : t.appeals)
    for (auto v : line) appeals.push_back(data(std::to_string(v)));
  d.set("appeals", appeals);
  // The check 一 + 二 = 三（七） + 四, shown column by column.
  data checks{data::type::list};
  for (int i = 0; i < columns; ++i) {
    data c;
    c.set("column", column_names()[i]);
    c.set("left", std::to_string(t.at("received").values[i] + t.at("carried_over").values[i]));
    c.set("right", std::to_string(t.at("total").values[i] + t.at("carried_forward").values[i]));
    checks.push_back(c);
  }
  d.set("checks", checks);
  if (frozen) {
    data f;
    f.set("locked_by", frozen->locked_by);
    data diffs{data::type::list};
    for (const auto& x : frozen->differences) diffs.push_back(data(x));
    f.set("differences", diffs);
    f.set("has_differences", !frozen->differences.empty());
    d.set("frozen", f);
  } else if (!csrf.empty()) {
    d.set("csrf", csrf);
  }
  return render_template("annual", d);
}

}  // namespace gongkai::report_views
