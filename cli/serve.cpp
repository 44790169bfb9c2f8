#include "cli/commands.hpp"

#include <cstdlib>
#include <malloc.h>

#include "core/clock.hpp"
#include "app/jobs.hpp"
#include "app/notifications.hpp"
#include "app/sweeper.hpp"
#include "app/webhooks.hpp"
#include "app/templates.hpp"
#include "core/log.hpp"
#include "server/view_cache.hpp"
#include "server/auth.hpp"
#include "server/routes.hpp"
#include "server/server.hpp"
#include "sql/applications.hpp"
#include "sql/cases.hpp"
#include "sql/pruning.hpp"
#include "sql/report_figures.hpp"

#include <iostream>

namespace gongkai::cli {

int serve(const config& cfg) {
  // glibc gives threads that allocate at once arenas of their own (up to eight per core) and keeps what
  // is freed in each: two arenas bound the memory the I/O, database and job threads hold on to.
  mallopt(M_ARENA_MAX, 2);
  set_template_directory(cfg.web_dir);
  if (cfg.test_mode) {
    auto start = cfg.clock.empty() ? std::optional<long long>(unix_now_ms()) : test_clock::parse_iso8601(cfg.clock);
    if (!start) throw config_error("--clock must be ISO 8601 with an offset, e.g. 2026-01-05T09:00:00+08:00");
    test_clock::enable(*start);
    log::event("warn", "TEST MODE: the clock is adjustable", test_clock::format_iso8601_china(unix_now_ms()));
  }
  database db(cfg.db(), cfg.db_threads);
  prepare_database(db, unix_now_ms());
  auto routes = make_routes();
  calendar_cache calendar;
  view_cache views;
  services svc{&db, &calendar, shared_secret(db, "form_key"), &views};
  server srv(cfg, routes, svc);
  srv.handle_signals();
  // Background work on threads of its own (database work never runs on an I/O thread), stopped with
  // the server: the sweeper fires due time events and reminders; the sender delivers the outbox when a
  // relay is configured.
  app::background_jobs jobs;
  jobs.every(std::chrono::seconds(cfg.sweep_interval_s), "sweeper", [&] {
    const long long now_ms = unix_now_ms();  // one "now" per run
    auto cal = calendar.get(db);
    sweeper::sweep(db, *cal, now_ms);
    sweeper::remind(db, *cal, now_ms);
    pruning::prune(db, now_ms / 1000, auth::session_idle_seconds);  // ended sessions, old windows and nonces
  });
  // Request lines are written in batches: whatever gathered goes out every second (and at exit).
  std::atexit([] { log::flush_access(); });
  jobs.every(std::chrono::seconds(1), "access log", [] { log::flush_access(); });
  // The report figures' deltas are summed into their counters, so reads stay small (sql/report_figures.hpp).
  jobs.every(std::chrono::seconds(10), "report figures", [&db] { report_figures::fold(db); });
  // The query planner's statistics follow the data as it grows (SQLite has none of its own).
  jobs.every(std::chrono::seconds(3600), "statistics", [&db] { db.refresh_statistics(); });
  // Webhook deliveries (sql/webhooks.hpp): every second, whatever is due, on every instance.
  jobs.every(std::chrono::seconds(1), "webhooks", [&db] { webhooks::deliver_due(db, unix_now_ms()); });
  if (!cfg.smtp_url.empty()) {
    const notifications::smtp_settings smtp{cfg.smtp_url, cfg.mail_from};
    jobs.every(std::chrono::seconds(1), "sender", [&db, smtp] { notifications::deliver_due(db, smtp, unix_now_ms()); });
  }
  auto port = srv.start();
  std::cout << "gongkai " << GONGKAI_VERSION << " listening on http://" << cfg.listen_address << ":" << port
            << " (database " << cfg.db().redacted() << ")" << std::endl;
  log::event("info", "listening", cfg.listen_address + ":" + std::to_string(port));
  srv.wait();
  jobs.stop();
  log::flush_access();
  log::event("info", "stopped");
  return 0;
}

}  // namespace gongkai::cli
