#include "sql/search_index.hpp"

#include "core/log.hpp"
#include "workflow/search.hpp"

#include <algorithm>

namespace gongkai::search_index {

namespace {

constexpr std::size_t grams_per_statement = 200;

std::string insert_ignore(const connection& c) { return c.kind == backend::sqlite ? "INSERT OR IGNORE" : "INSERT IGNORE"; }

}  // namespace

// SQLite: one prepared single-row INSERT per gram (in process; a multi-row INSERT inside a long
// transaction would copy every page it touches to the statement journal).
struct insert_gram {
  std::string gram;
  long long case_id = 0;
  soci::statement st;
  explicit insert_gram(soci::session& s)
      : st((s.prepare << "INSERT OR IGNORE INTO search_grams (gram, case_id) VALUES (:g, :c)", soci::use(gram), soci::use(case_id))) {}
};

void add(connection& c, long long case_id, std::string_view name, std::string_view description) {
  const std::string n = workflow::search::normalize(name), d = workflow::search::normalize(description);
  auto grams = workflow::search::grams(n);
  auto more = workflow::search::grams(d);
  grams.insert(grams.end(), more.begin(), more.end());
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  if (c.kind == backend::sqlite) {
    auto& q = c.prepared<insert_gram>();
    q.case_id = case_id;
    for (const auto& g : grams) {
      q.gram = g;
      q.st.execute(true);
    }
  } else {
    // MariaDB: a round trip per statement, so a few hundred grams per statement.
    for (std::size_t at = 0; at < grams.size(); at += grams_per_statement) {
      const std::size_t end = std::min(grams.size(), at + grams_per_statement);
      std::string sql = "INSERT IGNORE INTO search_grams (gram, case_id) VALUES ";
      for (std::size_t i = at; i < end; ++i) sql += (i > at ? ",(:g" : "(:g") + std::to_string(i) + ", :c" + std::to_string(i) + ")";
      auto prep = c.sql.prepare << sql;
      for (std::size_t i = at; i < end; ++i) prep, soci::use(grams[i]), soci::use(case_id);
      soci::statement st(prep);
      st.execute(true);
    }
  }
  const std::string body = n + "\n" + d;
  c.sql << insert_ignore(c) + " INTO search_texts (case_id, body) VALUES (:c, :b)", soci::use(case_id), soci::use(body);
}

long long backfill(database& db) {
  constexpr int batch = 2000;
  long long indexed = 0;
  for (;;) {
    long long done = db.transact([&](connection& c) -> long long {
      c.sql << "UPDATE search_backfill SET done_through = done_through WHERE id = 1";  // the row's lock, until commit
      long long through = 0;
      c.sql << "SELECT done_through FROM search_backfill WHERE id = 1", soci::into(through);
      if (!c.sql.got_data()) return 0;
      struct pending { long long id; std::string name, description; };
      std::vector<pending> rows;
      {
        soci::rowset<soci::row> rs = (c.sql.prepare << "SELECT case_id, name, description FROM applications WHERE case_id > :t "
                                                       "ORDER BY case_id LIMIT " + std::to_string(batch),
                                      soci::use(through));
        for (const auto& r : rs) rows.push_back({row_integer(r, 0), r.get<std::string>(1), r.get<std::string>(2)});
      }
      if (rows.empty()) {
        c.sql << "DELETE FROM search_backfill WHERE id = 1";
        return 0;
      }
      for (const auto& r : rows) add(c, r.id, r.name, r.description);
      c.sql << "UPDATE search_backfill SET done_through = :t WHERE id = 1", soci::use(rows.back().id);
      return static_cast<long long>(rows.size());
    });
    if (done == 0) break;
    indexed += done;
  }
  if (indexed) log::event("info", "search index filled for earlier applications", std::to_string(indexed));
  return indexed;
}

std::optional<text_clause> match(connection& c, std::string_view query,
                                 const std::function<std::string(const std::string&)>& bind, int postings_read) {
  const std::string q = workflow::search::normalize(query);
  if (q.empty()) return std::nullopt;
  const auto plan = workflow::search::plan_query(q);
  // How many cases each gram is indexed for, counted up to postings_read + 1: the rarest is read first.
  // A long query: its first few grams are enough to pick one to read (the text check does the rest).
  constexpr std::size_t grams_sized = 8;
  std::vector<std::pair<long long, std::string>> sized;
  for (const auto& g : plan.grams) {
    if (sized.size() == grams_sized) break;
    long long n = 0;
    std::string gram = g;
    c.sql << "SELECT COUNT(*) FROM (SELECT 1 AS one FROM search_grams WHERE gram = :g LIMIT " + std::to_string(postings_read + 1) +
                 ") postings",
        soci::use(gram), soci::into(n);
    sized.emplace_back(n, g);
  }
  std::sort(sized.begin(), sized.end());
  text_clause out;
  if (sized.front().first == 0) {
    out.none = true;
    return out;
  }
  out.drive_first = sized.front().first <= postings_read;
  const bool sqlite = c.kind == backend::sqlite;
  // The rarest gram, then (three characters or more) the text itself: it implies the other grams, so
  // checking them too would cost a look-up each and exclude nothing more. One or two characters have
  // a single gram, which is the whole answer.
  auto clause = [rarest = sized.front().second, q, verify = plan.verify, sqlite, bind](bool drive) {
    std::string where = drive ? "g0.gram = " + bind(rarest)
                              : "EXISTS (SELECT 1 FROM search_grams g1 WHERE g1.gram = " + bind(rarest) + " AND g1.case_id = c.id)";
    if (verify) {
      const std::string p = bind(q);
      where += " AND EXISTS (SELECT 1 FROM search_texts st WHERE st.case_id = c.id AND " +
               (sqlite ? "instr(st.body, " + p + ") > 0" : "LOCATE(" + p + ", st.body) > 0") + ")";
    }
    return where;
  };
  out.drive = [clause] { return clause(true); };
  out.walk = [clause] { return clause(false); };
  return out;
}

std::string join_cases(backend kind) {
  return kind == backend::sqlite ? "search_grams g0 CROSS JOIN cases c ON c.id = g0.case_id"
                                 : "search_grams g0 STRAIGHT_JOIN cases c ON c.id = g0.case_id";
}

}  // namespace gongkai::search_index
