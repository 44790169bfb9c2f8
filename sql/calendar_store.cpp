#include "sql/calendar_store.hpp"

#include "core/embedded.hpp"
#include "sql/cases.hpp"
#include "sql/search_index.hpp"

#include <map>

namespace gongkai {

using namespace workflow;

namespace {

date must_date(const std::string& s) {
  auto d = parse_date(s);
  if (!d) throw std::runtime_error("stored date is malformed");
  return *d;
}

}  // namespace

namespace calendar_store {

namespace {

working_calendar load_on(connection& c) {
  std::map<int, year_schedule> years;
  soci::rowset<soci::row> ys = (c.sql.prepare << "SELECT year FROM calendar_years");
  for (const auto& r : ys) {
    int y = static_cast<int>(row_integer(r, 0));
    years[y].year = y;
  }
  soci::rowset<soci::row> days = (c.sql.prepare << "SELECT day, kind, year FROM calendar_days");
  for (const auto& r : days) {
    auto d = must_date(r.get<std::string>(0));
    int year = static_cast<int>(row_integer(r, 2));
    auto& y = years[year];
    y.year = year;
    (r.get<std::string>(1) == "off" ? y.off_days : y.makeup_workdays).push_back(d);
  }
  working_calendar cal;
  for (const auto& [_, y] : years) cal.add(y);
  return cal;
}

int loaded_years(database& db) {
  return db.run(database::access::read, [](connection& c) {
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM calendar_years", soci::into(n);
    return n;
  });
}

}  // namespace

working_calendar load(database& db) {
  return db.run(database::access::read, [](connection& c) { return load_on(c); });
}

int import(database& db, const std::vector<year_schedule>& years, const std::string& source, long long now_ms) {
  std::string years_text;
  for (const auto& y : years) years_text += (years_text.empty() ? "" : ",") + std::to_string(y.year);
  return db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    for (const auto& y : years) {
      c.sql << "DELETE FROM calendar_days WHERE year = :y", soci::use(y.year);
      c.sql << "DELETE FROM calendar_years WHERE year = :y", soci::use(y.year);
      c.sql << "INSERT INTO calendar_years (year, source, loaded_at) VALUES (:y, :s, :t)", soci::use(y.year),
          soci::use(source), soci::use(now_ms);
      for (const auto& [kind, list] : {std::pair<std::string, const std::vector<date>*>{"off", &y.off_days},
                                       {"makeup", &y.makeup_workdays}}) {
        for (auto d : *list) {
          const std::string day = format_date(d);
          // A day listed by two notices (a year-end bridge) keeps the last loaded notice's word.
          c.sql << "DELETE FROM calendar_days WHERE day = :d", soci::use(day);
          c.sql << "INSERT INTO calendar_days (day, kind, year) VALUES (:d, :k, :y)", soci::use(day), soci::use(kind),
              soci::use(y.year);
        }
      }
    }
    // Every open case's due date under the new calendar, in the same transaction.
    int changed = cases::recompute_open_cases(db, c, load_on(c), "calendar " + years_text + " loaded", now_ms);
    tx.commit();
    return changed;
  });
}

void ensure_builtin(database& db, long long now_ms) {
  if (loaded_years(db) > 0) return;
  try {
    import(db, parse_schedules(embedded::builtin_holidays()), "built-in 2019-2026", now_ms);
  } catch (const soci::soci_error&) {
    // Another instance loaded it at the same moment; only a calendar still empty is an error.
    if (loaded_years(db) == 0) throw;
  }
}

}  // namespace calendar_store

std::shared_ptr<const working_calendar> calendar_cache::get(database& db) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (calendar_ && now - checked_ < std::chrono::seconds(5)) return calendar_;
  auto stamp = db.run(database::access::read, [](connection& c) {
    long long n = 0, latest = 0;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT COUNT(*), MAX(loaded_at) FROM calendar_years", soci::into(n), soci::into(latest, ind);
    return std::to_string(n) + "/" + (ind == soci::i_ok ? std::to_string(latest) : "-");
  });
  if (!calendar_ || stamp != stamp_) {
    calendar_ = std::make_shared<const working_calendar>(calendar_store::load(db));
    stamp_ = stamp;
  }
  checked_ = now;
  return calendar_;
}

namespace {

// Cases written before their clocks were stored (migration 0010) get them once, without a new version.
void store_missing_clocks(database& db) {
  auto ids = db.run(database::access::read, [](connection& c) {
    std::vector<long long> out;
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT id FROM cases WHERE clocks_stored = 0 AND state IN " + open_states_sql());
    for (const auto& r : rows) out.push_back(row_integer(r, 0));
    return out;
  });
  if (ids.empty()) return;
  const auto cal = calendar_store::load(db);
  for (auto id : ids)
    db.transact([&](connection& c) {
      std::string state;
      c.sql << "SELECT state FROM cases WHERE id = :i", soci::use(id), soci::into(state);
      const auto d = cases::clocks_of(cases::transitions_on(c, id), cal);
      const auto period = waiting_period_due(parse_state(state).value_or(case_state::closed), d);
      const std::string due = period ? format_date(*period) : std::string();
      soci::indicator ind = period ? soci::i_ok : soci::i_null;
      c.sql << "UPDATE cases SET period_due = :w, extension_pending = :x, clocks_stored = 1 WHERE id = :i",
          soci::use(due, ind), soci::use(d.extension_days_pending), soci::use(id);
    });
}

}  // namespace

void prepare_database(database& db, long long now_ms) {
  db.migrate();
  calendar_store::ensure_builtin(db, now_ms);
  store_missing_clocks(db);
  search_index::backfill(db);
  db.refresh_statistics();
}

}  // namespace gongkai
