#include "sql/reports.hpp"

#include "sql/report_figures.hpp"

#include <map>

namespace gongkai::reports {

using namespace workflow;
using namespace workflow::report;

long long cutoff_ms(int year) {
  using namespace std::chrono;
  auto next_year = sys_days{std::chrono::year{year + 1} / 1 / 1};
  return (duration_cast<seconds>(next_year.time_since_epoch()).count() - 8 * 3600) * 1000;
}

// Which year's figures an event belongs to: the year of its date, unless it was recorded after that
// year's cut-off; then the year it was recorded in (docs/decisions.md, Reporting). Only its place
// relative to the report year matters here, so SQL needs the year's first day and the year before's
// cut-off: an event recorded in the year but dated before it belongs to the year.
std::vector<case_group> recompute_case_groups(database& db, int year) {
  const long long cutoff = cutoff_ms(year), previous_cutoff = cutoff_ms(year - 1);
  const std::string year_text = std::to_string(year), first_day = year_text + "-01-01", last_day = year_text + "-12-31";
  return db.run(database::access::read, [&](connection& c) {
    std::vector<case_group> out;
    // Per case: its receipt and its first concluding transition, both as recorded by the cut-off.
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "WITH per_case AS ("
                          " SELECT case_id,"
                          "  MIN(CASE WHEN event = 'register' THEN effective_on END) AS received,"
                          "  MIN(CASE WHEN event = 'register' THEN occurred_at END) AS received_at,"
                          "  MIN(CASE WHEN event IN ('answer', 'withdraw', 'correction_expired') THEN seq END) AS cseq"
                          " FROM transitions WHERE occurred_at < :cutoff GROUP BY case_id)"
                          " SELECT category, received_year, concluded_year, outcome, COUNT(*) FROM ("
                          "  SELECT COALESCE(a.category, 'other') AS category,"
                          "   CASE WHEN p.received_at >= :prev1 AND p.received < :first1 THEN :year1"
                          "    ELSE SUBSTR(p.received, 1, 4) END AS received_year,"
                          "   CASE WHEN k.seq IS NULL THEN NULL"
                          "    WHEN k.occurred_at >= :prev2 AND k.effective_on < :first2 THEN :year2"
                          "    ELSE SUBSTR(k.effective_on, 1, 4) END AS concluded_year,"
                          "   k.report_key AS outcome"
                          "  FROM per_case p"
                          "  LEFT JOIN transitions k ON k.case_id = p.case_id AND k.seq = p.cseq"
                          "  LEFT JOIN applications a ON a.case_id = p.case_id"
                          "  WHERE p.received IS NOT NULL AND p.received <= :last) x"
                          " GROUP BY category, received_year, concluded_year, outcome",
         soci::use(cutoff), soci::use(previous_cutoff), soci::use(first_day), soci::use(year_text),
         soci::use(previous_cutoff), soci::use(first_day), soci::use(year_text), soci::use(last_day));
    for (const auto& r : rows) {
      case_group g;
      g.category = parse_category(r.get<std::string>(0)).value_or(applicant_category::other);
      g.received_year = std::stoi(r.get<std::string>(1));
      if (r.get_indicator(2) == soci::i_ok) g.concluded_year = std::stoi(r.get<std::string>(2));
      if (r.get_indicator(3) == soci::i_ok) g.outcome = r.get<std::string>(3);
      g.count = row_integer(r, 4);
      out.push_back(std::move(g));
    }
    return out;
  });
}

std::vector<appeal_group> recompute_appeal_groups(database& db, int year) {
  const long long cutoff = cutoff_ms(year), previous_cutoff = cutoff_ms(year - 1);
  const std::string first_day = std::to_string(year) + "-01-01", last_day = std::to_string(year) + "-12-31";
  return db.run(database::access::read, [&](connection& c) {
    std::map<std::pair<int, int>, long long> grouped;  // (kind, result or -1) -> count
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT f.report_key, (SELECT d.report_key FROM transitions d WHERE d.case_id = f.case_id"
                          "  AND d.event = 'decide_appeal' AND d.seq > f.seq AND d.occurred_at < :cutoff"
                          "  ORDER BY d.seq LIMIT 1)"
                          " FROM transitions f WHERE f.event = 'file_appeal' AND f.occurred_at < :cutoff2"
                          " AND f.effective_on <= :last AND (f.effective_on >= :first OR f.occurred_at >= :prev)",
         soci::use(cutoff), soci::use(cutoff), soci::use(last_day), soci::use(first_day), soci::use(previous_cutoff));
    for (const auto& r : rows) {
      if (r.get_indicator(0) != soci::i_ok) continue;
      auto kind = parse_appeal_kind(r.get<std::string>(0));
      if (!kind) continue;
      std::optional<appeal_result> result;
      if (r.get_indicator(1) == soci::i_ok) result = parse_appeal_result(r.get<std::string>(1));
      ++grouped[{static_cast<int>(*kind), result ? static_cast<int>(*result) : -1}];
    }
    std::vector<appeal_group> out;
    for (const auto& [key, n] : grouped)
      out.push_back({static_cast<appeal_kind>(key.first), year,
                     key.second < 0 ? std::nullopt : std::optional<appeal_result>(static_cast<appeal_result>(key.second)), n});
    return out;
  });
}

std::vector<case_group> case_groups(database& db, int year) {
  return db.run(database::access::read, [&](connection& c) {
    std::vector<case_group> out;
    for (const auto& s : report_figures::read(c, "case", "0000", std::to_string(year))) {
      case_group g;
      g.category = parse_category(s.category).value_or(applicant_category::other);
      g.received_year = std::stoi(s.k1);
      if (!s.k2.empty()) g.concluded_year = std::stoi(s.k2);
      g.outcome = s.k3;
      g.count = s.n;
      out.push_back(std::move(g));
    }
    return out;
  });
}

std::vector<appeal_group> appeal_groups(database& db, int year) {
  return db.run(database::access::read, [&](connection& c) {
    std::vector<appeal_group> out;
    const auto y = std::to_string(year);
    for (const auto& s : report_figures::read(c, "appeal", y, y)) {
      auto kind = parse_appeal_kind(s.k2);
      if (!kind) continue;
      out.push_back({*kind, year, s.k3.empty() ? std::nullopt : parse_appeal_result(s.k3), s.n});
    }
    return out;
  });
}

namespace {

std::optional<frozen_year> frozen_figures(database& db, int year) {
  return db.run(database::access::read, [&](connection& c) -> std::optional<frozen_year> {
    std::string figures, by;
    long long at = 0;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT figures, locked_by, locked_at FROM report_locks WHERE year = :y", soci::use(year),
        soci::into(figures, ind), soci::into(by), soci::into(at);
    if (!c.sql.got_data() || ind != soci::i_ok) return std::nullopt;
    return frozen_year{from_figures_json(year, figures), by, at};
  });
}

// Row 四 of the year before: as published if it was frozen, else as counted at its own cut-off.
using case_groups_of = std::vector<case_group> (*)(database&, int);

counts previous_carried_forward(database& db, int year, case_groups_of groups = case_groups) {
  if (auto published = frozen_figures(db, year - 1)) return published->figures.at("carried_forward").values;
  return build(year - 1, groups(db, year - 1), {}).at("carried_forward").values;
}

}  // namespace

annual_tables annual(database& db, int year) {
  auto t = build(year, case_groups(db, year), appeal_groups(db, year));
  t.previous_carried_forward = previous_carried_forward(db, year);
  return t;
}

annual_tables recompute_annual(database& db, int year) {
  auto t = build(year, recompute_case_groups(db, year), recompute_appeal_groups(db, year));
  t.previous_carried_forward = previous_carried_forward(db, year, recompute_case_groups);
  return t;
}

std::optional<frozen_year> frozen(database& db, int year) {
  auto f = frozen_figures(db, year);
  if (f) f->figures.previous_carried_forward = previous_carried_forward(db, year);
  return f;
}

void freeze(database& db, int year, const annual_tables& figures, const std::string& by, long long now_s) {
  const std::string json = figures_json(figures);
  db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM report_locks WHERE year = :y", soci::use(year), soci::into(n);
    if (n) throw domain_error(error_kind::conflict, "already_frozen", "该年度报告已冻结");
    c.sql << "INSERT INTO report_locks (year, figures, locked_by, locked_at) VALUES (:y, :f, :b, :t)", soci::use(year),
        soci::use(json), soci::use(by), soci::use(now_s);
    tx.commit();
  });
}

}  // namespace gongkai::reports
