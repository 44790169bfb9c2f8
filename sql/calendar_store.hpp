#pragma once
// The working-day calendar as stored (loaded schedules, shared by every instance), its per-process cache,
// and what every command does before touching data.
#include "sql/database.hpp"
#include "workflow/calendar.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gongkai {

namespace calendar_store {

workflow::working_calendar load(database& db);
// Replaces the stored schedule of each given year, then recomputes open cases; one transaction.
// Returns the number of cases whose due date changed.
int import(database& db, const std::vector<workflow::year_schedule>& years, const std::string& source, long long now_ms);
// Loads the built-in 2019-2026 schedule into an empty calendar (first start).
void ensure_builtin(database& db, long long now_ms);

}  // namespace calendar_store

// The stored calendar, shared by the request threads: reloaded when another instance (or a command)
// has loaded a schedule, checked at most every few seconds.
class calendar_cache {
 public:
  std::shared_ptr<const workflow::working_calendar> get(database& db);

 private:
  std::mutex mutex_;
  std::shared_ptr<const workflow::working_calendar> calendar_;
  std::string stamp_;
  std::chrono::steady_clock::time_point checked_{};
};

// Migrations plus the built-in calendar: what every command does before touching data.
void prepare_database(database& db, long long now_ms);

}  // namespace gongkai
