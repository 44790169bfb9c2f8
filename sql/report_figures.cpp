#include "sql/report_figures.hpp"

#include <map>
#include <tuple>

namespace gongkai::report_figures {

using namespace workflow;
using figures::delta;

namespace {

// The applicant category of a "case" figure comes from the application, joined when deltas are summed
// (an application row is written after its case's registration, in the same transaction).
constexpr const char* category_of_delta =
    "CASE WHEN d.figure = 'case' THEN COALESCE(a.category, 'other') ELSE '' END";

struct insert_delta {
  long long case_id = 0, n = 0;
  std::string figure, k1, k2, k3;
  soci::statement st;
  explicit insert_delta(soci::session& s)
      : st((s.prepare << "INSERT INTO report_figure_deltas (case_id, figure, k1, k2, k3, n) VALUES (:c, :f, :a, :b, :k, :n)",
            soci::use(case_id), soci::use(figure), soci::use(k1), soci::use(k2), soci::use(k3), soci::use(n))) {}
};

struct select_facts {
  long long id = 0;
  std::string received, concluded, concluded_due, reply_due;
  soci::indicator concluded_ind{}, concluded_due_ind{}, reply_due_ind{};
  soci::statement st;
  explicit select_facts(soci::session& s)
      : st((s.prepare << "SELECT received_on, concluded_on, concluded_due, reply_due FROM cases WHERE id = :i", soci::use(id),
            soci::into(received), soci::into(concluded, concluded_ind), soci::into(concluded_due, concluded_due_ind),
            soci::into(reply_due, reply_due_ind))) {}
};

std::optional<date> optional_date(const std::string& text, soci::indicator ind) {
  return ind == soci::i_ok ? parse_date(text) : std::nullopt;
}

figures::case_facts facts(const std::string& received, std::optional<date> concluded, std::optional<date> concluded_due,
                          std::optional<date> reply_due) {
  auto r = parse_date(received);
  if (!r) throw std::runtime_error("stored date is malformed");
  return {*r, concluded, concluded_due, reply_due};
}

std::optional<date> row_date(const soci::row& r, std::size_t i) {
  return r.get_indicator(i) == soci::i_ok ? parse_date(r.get<std::string>(i)) : std::nullopt;
}

// Adds one key to the figures: SQLite and MariaDB spell the upsert differently.
void upsert(connection& c, const std::string& figure, const std::string& category, const std::string& k1,
            const std::string& k2, const std::string& k3, long long n) {
  const std::string sql =
      c.kind == backend::sqlite
          ? "INSERT INTO report_figures (figure, category, k1, k2, k3, n) VALUES (:f, :c, :a, :b, :k, :n) "
            "ON CONFLICT (figure, k1, k2, k3, category) DO UPDATE SET n = n + excluded.n"
          : "INSERT INTO report_figures (figure, category, k1, k2, k3, n) VALUES (:f, :c, :a, :b, :k, :n) "
            "ON DUPLICATE KEY UPDATE n = n + VALUES(n)";
  c.sql << sql, soci::use(figure), soci::use(category), soci::use(k1), soci::use(k2), soci::use(k3), soci::use(n);
  c.sql << "DELETE FROM report_figures WHERE figure = :f AND k1 = :a AND k2 = :b AND k3 = :k AND category = :c AND n = 0",
      soci::use(figure), soci::use(k1), soci::use(k2), soci::use(k3), soci::use(category);
}

}  // namespace

std::optional<figures::case_facts> facts_of(connection& c, long long case_id) {
  auto& q = c.prepared<select_facts>();
  q.id = case_id;
  if (!fetch_one(q.st)) return std::nullopt;
  return facts(q.received, optional_date(q.concluded, q.concluded_ind), optional_date(q.concluded_due, q.concluded_due_ind),
               optional_date(q.reply_due, q.reply_due_ind));
}

void add(connection& c, long long case_id, const std::vector<delta>& deltas) {
  auto& ins = c.prepared<insert_delta>();
  for (const auto& d : deltas) {
    ins.case_id = case_id;
    ins.figure = d.figure;
    ins.k1 = d.k1;
    ins.k2 = d.k2;
    ins.k3 = d.k3;
    ins.n = d.n;
    ins.st.execute(true);
  }
}

std::vector<summed> read(connection& c, std::string_view figure, const std::string& lo, const std::string& hi) {
  const std::string f(figure);
  // One statement, so that a fold committing meanwhile cannot make a delta count twice or not at all.
  // The folded rows are one per key already (no grouping to pay for); the few pending deltas are summed
  // and merged in here. Fetched in batches: a year's conclusions are thousands of keys.
  std::vector<int> pending(1000);
  std::vector<std::string> category(1000), k1(1000), k2(1000), k3(1000);
  std::vector<long long> n(1000);
  soci::statement st =
      (c.sql.prepare << "SELECT 0, category, k1, k2, k3, n FROM report_figures WHERE figure = :f1 AND k1 >= :lo1 AND k1 <= :hi1"
                        " UNION ALL"
                        " SELECT 1, " + std::string(category_of_delta) + ", d.k1, d.k2, d.k3, d.n FROM report_figure_deltas d"
                        " LEFT JOIN applications a ON a.case_id = d.case_id"
                        " WHERE d.figure = :f2 AND d.k1 >= :lo2 AND d.k1 <= :hi2",
       soci::use(f), soci::use(lo), soci::use(hi), soci::use(f), soci::use(lo), soci::use(hi), soci::into(pending),
       soci::into(category), soci::into(k1), soci::into(k2), soci::into(k3), soci::into(n));
  std::vector<summed> out;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, long long> deltas;
  st.execute();
  while (st.fetch())
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (pending[i]) deltas[{std::move(category[i]), std::move(k1[i]), std::move(k2[i]), std::move(k3[i])}] += n[i];
      else out.push_back({std::move(category[i]), std::move(k1[i]), std::move(k2[i]), std::move(k3[i]), n[i]});
    }
  if (!deltas.empty()) {
    for (auto& s : out)
      if (auto it = deltas.find({s.category, s.k1, s.k2, s.k3}); it != deltas.end()) {
        s.n += it->second;
        deltas.erase(it);
      }
    for (auto& [key, sum] : deltas) out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key), sum});
  }
  std::erase_if(out, [](const summed& s) { return s.n == 0; });
  return out;
}

long long fold(database& db) {
  return db.transact([&](connection& c) -> long long {
    long long top = 0, pending = 0;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT MAX(id), COUNT(*) FROM report_figure_deltas", soci::into(top, ind), soci::into(pending);
    if (ind != soci::i_ok || pending == 0) return 0;
    std::vector<std::tuple<std::string, std::string, std::string, std::string, std::string, long long>> sums;
    {
      soci::rowset<soci::row> rows =
          (c.sql.prepare << "SELECT d.figure, " + std::string(category_of_delta) + ", d.k1, d.k2, d.k3, SUM(d.n)"
                            " FROM report_figure_deltas d LEFT JOIN applications a ON a.case_id = d.case_id"
                            " WHERE d.id <= :t GROUP BY d.figure, " + std::string(category_of_delta) + ", d.k1, d.k2, d.k3",
           soci::use(top));
      for (const auto& r : rows)
        sums.emplace_back(r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
                          r.get<std::string>(4), row_integer(r, 5));
    }
    for (const auto& [figure, category, k1, k2, k3, n] : sums)
      if (n != 0) upsert(c, figure, category, k1, k2, k3, n);
    soci::statement del = (c.sql.prepare << "DELETE FROM report_figure_deltas WHERE id <= :t", soci::use(top));
    del.execute(true);
    // Exactly the rows summed: another fold got there first, or a delta with a lower id committed after
    // this transaction's snapshot (MariaDB); either way nothing is kept of this attempt.
    if (del.get_affected_rows() != pending) throw std::runtime_error("report figures changed while folding; not folded");
    return pending;
  });
}

void rebuild(connection& c) {
  c.sql << "DELETE FROM report_figure_deltas";
  c.sql << "DELETE FROM report_figures";
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, long long> sums;
  auto sum = [&](const std::vector<delta>& deltas, const std::string& category) {
    for (const auto& d : deltas) sums[{d.figure, d.figure == "case" ? category : std::string(), d.k1, d.k2, d.k3}] += d.n;
  };
  long long last = 0, top = 0;
  soci::indicator ind = soci::i_null;
  c.sql << "SELECT MAX(id) FROM cases", soci::into(top, ind);
  if (ind != soci::i_ok) top = 0;
  // The log case by case, in slices of case ids (MariaDB's client holds a whole result in memory).
  constexpr long long slice = 20000;
  for (long long from = 0; from < top; from += slice) {
    const long long to = from + slice;
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT t.case_id, t.event, t.occurred_at, t.effective_on, t.report_key, a.category"
                          " FROM transitions t LEFT JOIN applications a ON a.case_id = t.case_id"
                          " WHERE t.case_id > :f AND t.case_id <= :t ORDER BY t.case_id, t.seq",
         soci::use(from), soci::use(to));
    std::vector<figures::logged> before;
    for (const auto& r : rows) {
      const long long id = row_integer(r, 0);
      if (id != last) before.clear(), last = id;
      auto on = parse_date(r.get<std::string>(3));
      if (!on) throw std::runtime_error("stored date is malformed");
      figures::logged now{r.get<std::string>(1), row_integer(r, 2), *on,
                          r.get_indicator(4) == soci::i_ok ? r.get<std::string>(4) : std::string()};
      sum(figures::of_transition(before, now), r.get_indicator(5) == soci::i_ok ? r.get<std::string>(5) : "other");
      before.push_back(std::move(now));
    }
    soci::rowset<soci::row> case_rows =
        (c.sql.prepare << "SELECT received_on, concluded_on, concluded_due, reply_due FROM cases WHERE id > :f AND id <= :t",
         soci::use(from), soci::use(to));
    for (const auto& r : case_rows)
      sum(figures::of_case(std::nullopt, facts(r.get<std::string>(0), row_date(r, 1), row_date(r, 2), row_date(r, 3))), {});
  }
  std::string figure, category, k1, k2, k3;
  long long n = 0;
  soci::statement ins = (c.sql.prepare << "INSERT INTO report_figures (figure, category, k1, k2, k3, n) "
                                          "VALUES (:f, :c, :a, :b, :k, :n)",
                         soci::use(figure), soci::use(category), soci::use(k1), soci::use(k2), soci::use(k3), soci::use(n));
  for (const auto& [key, value] : sums) {
    if (value == 0) continue;
    std::tie(figure, category, k1, k2, k3) = key;
    n = value;
    ins.execute(true);
  }
}

}  // namespace gongkai::report_figures
