// gongkai: the server binary and its administration commands.
#include "core/log.hpp"
#include "server/auth.hpp"
#include "server/config.hpp"
#include "core/crypto.hpp"
#include "app/password_policy.hpp"
#include "server/routes.hpp"
#include "server/server.hpp"
#include "server/templates.hpp"
#include "sql/applications.hpp"
#include "server/report_views.hpp"
#include "core/clock.hpp"
#include "app/notifications.hpp"
#include "sql/cases.hpp"
#include "app/sweeper.hpp"
#include "sql/pruning.hpp"
#include "sql/reports.hpp"
#include "sql/database.hpp"
#include "sql/users.hpp"
#include "core/embedded.hpp"
#include "workflow/application.hpp"
#include "workflow/deadlines.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include <curl/curl.h>

#include <condition_variable>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

extern char** environ;

namespace {

using namespace gongkai;

constexpr const char* usage = R"(usage: gongkai <command> [options]

commands:
  serve                          run the HTTP server (applies migrations first)
  migrate                        apply database migrations and exit
  user add NAME [--role R]... [--display-name TEXT] [--email ADDRESS]
                                 create a staff account; the password is read from stdin
  user passwd NAME               set a new password, read from stdin
  user disable NAME              disable an account and end its sessions
  user enable NAME               enable a disabled account
  user bootstrap                 create the first admin with a one-time password, if no admin exists
  deadline --received YYYY-MM-DD [--days N] [--json] [--builtin-calendar]
                                 the reply due date (first line) and how it was counted, on the
                                 database's working-day calendar (or the built-in 2019-2026 one)
  calendar import FILE           load official holiday schedules (same JSON as the built-in file);
                                 recomputes the due dates of open cases
  case event NO EVENT --as ROLE:NAME [--on YYYY-MM-DD] [--payload JSON] [--version N]
                                 fire one event on a case, with the same rules and log as the
                                 pages (for office scripts and operators); prints the new state
  report annual --year Y [--format html|csv|json]
                                 the annual report's tables 三 and 四 (frozen figures if published)
  version                        print the version
  help                           this text and the options

)";

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Removes "--name value" pairs from args and returns the values.
std::vector<std::string> take_option(std::vector<std::string>& args, const std::string& name) {
  std::vector<std::string> values;
  for (std::size_t i = 0; i < args.size();) {
    if (args[i] == name) {
      if (i + 1 >= args.size()) throw usage_error(name + " needs a value");
      values.push_back(args[i + 1]);
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
    } else if (args[i].starts_with(name + "=")) {
      values.push_back(args[i].substr(name.size() + 1));
      args.erase(args.begin() + static_cast<long>(i));
    } else {
      ++i;
    }
  }
  return values;
}

std::string take_positional(std::vector<std::string>& args, const char* what) {
  if (args.empty() || args.front().starts_with("--")) throw usage_error(std::string("missing ") + what);
  auto v = args.front();
  args.erase(args.begin());
  return v;
}

// The password for `username`, checked by the one password policy.
std::string read_password_from_stdin(const std::string& username) {
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (auto problem = password_policy::problem(password, username))
    throw usage_error("the password (from stdin) is refused: " + *problem);
  return password;
}

// Runs each job on its own thread every `interval` until stop(); a failing run is logged and retried.
class background_jobs {
 public:
  ~background_jobs() { stop(); }
  void every(std::chrono::seconds interval, std::string name, std::function<void()> job) {
    threads_.emplace_back([this, interval, name = std::move(name), job = std::move(job)] {
      std::unique_lock lock(mutex_);
      while (!stopping_) {
        lock.unlock();
        try {
          job();
        } catch (const std::exception& e) {
          log::event("error", name + " failed; will retry", loggable_error(e));
        }
        lock.lock();
        wake_.wait_for(lock, interval, [this] { return stopping_; });
      }
    });
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

int cmd_serve(const config& cfg) {
  set_template_directory(cfg.web_dir);
  if (cfg.test_mode) {
    auto start = cfg.clock.empty() ? std::optional<long long>(unix_now_ms()) : test_clock::parse_iso8601(cfg.clock);
    if (!start) throw config_error("--clock must be ISO 8601 with an offset, e.g. 2026-01-05T09:00:00+08:00");
    test_clock::enable(*start);
    log::event("warn", "TEST MODE: the clock is adjustable", test_clock::format_iso8601_china(unix_now_ms()));
  }
  database db(cfg.db(), cfg.db_threads);
  prepare_database(db);
  auto routes = make_routes();
  calendar_cache calendar;
  services svc{&db, &calendar, shared_secret(db, "form_key")};
  server srv(cfg, routes, svc);
  srv.handle_signals();
  // Background work on threads of its own (database work never runs on an I/O thread), stopped with
  // the server: the sweeper fires due time events and reminders; the sender delivers the outbox when a
  // relay is configured.
  background_jobs jobs;
  jobs.every(std::chrono::seconds(cfg.sweep_interval_s), "sweeper", [&] {
    auto cal = calendar.get(db);
    sweeper::sweep(db, *cal, unix_now_ms());
    sweeper::remind(db, *cal, unix_now_ms());
    pruning::prune(db, unix_now(), auth::session_idle_seconds);  // ended sessions, old windows and nonces
  });
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
  log::event("info", "stopped");
  return 0;
}

int cmd_user(std::vector<std::string> args) {
  auto action = take_positional(args, "user action (add, passwd, disable, enable, bootstrap)");
  auto roles = take_option(args, "--role");
  auto display = take_option(args, "--display-name");
  auto email = take_option(args, "--email");
  std::string name = action == "bootstrap" ? "admin" : take_positional(args, "user name");
  auto cfg = load_config(args, environ);
  database db(cfg.db(), 1);
  prepare_database(db);
  if (action == "add") {
    if (roles.empty()) roles.push_back("staff");
    auto hash = crypto::hash_password(read_password_from_stdin(name));
    if (!email.empty() && !workflow::valid_email(email.front())) throw usage_error("--email is not an email address");
    users::create(db, name, display.empty() ? name : display.front(), hash, roles, false);
    if (!email.empty()) {
      db.run(database::access::write, [&](connection& c) {
        c.sql << "UPDATE users SET email = :e WHERE username = :u", soci::use(email.front()), soci::use(name);
      });
    }
    std::cout << "created user " << name << "\n";
  } else if (action == "passwd") {
    if (!users::set_password(db, name, crypto::hash_password(read_password_from_stdin(name)), false))
      throw usage_error("no such user: " + name);
    std::cout << "password changed for " << name << "\n";
  } else if (action == "disable" || action == "enable") {
    if (!users::set_disabled(db, name, action == "disable")) throw usage_error("no such user: " + name);
    std::cout << action << "d " << name << "\n";
  } else if (action == "bootstrap") {
    if (users::any_admin(db)) {
      std::cout << "an admin account exists already\n";
      return 0;
    }
    auto password = password_policy::one_time_password();
    users::create(db, "admin", "系统管理员", crypto::hash_password(password), {"admin", "supervisor", "staff"}, true);
    std::cout << "created the first admin account\n  user: admin\n  one-time password: " << password
              << "\n  (shown once; change it at first login)\n";
  } else {
    throw usage_error("unknown user action: " + action);
  }
  return 0;
}

int cmd_deadline(std::vector<std::string> args) {
  auto received_arg = take_option(args, "--received");
  auto days_arg = take_option(args, "--days");
  bool as_json = std::erase(args, std::string("--json")) > 0;
  bool builtin = std::erase(args, std::string("--builtin-calendar")) > 0;
  if (received_arg.size() != 1) throw usage_error("deadline needs --received YYYY-MM-DD");
  auto received = workflow::parse_date(received_arg.front());
  if (!received) throw usage_error("--received must be a date YYYY-MM-DD, got " + received_arg.front());
  int days = 20;  // Art. 33
  if (!days_arg.empty()) {
    try {
      days = std::stoi(days_arg.front());
    } catch (const std::exception&) {
      days = 0;
    }
    if (days < 1 || days > 400) throw usage_error("--days must be 1..400");
  }
  workflow::working_calendar cal;
  if (builtin) {
    cal = workflow::working_calendar(workflow::parse_schedules(embedded::builtin_holidays()));
  } else {
    auto cfg = load_config(args, environ);
    database db(cfg.db(), 1);
    prepare_database(db);
    cal = calendar_store::load(db);
  }
  auto clock = workflow::reply_clock_from(*received, days, cal);
  if (as_json) {
    boost::json::array lines;
    for (const auto& l : clock.explanation) lines.emplace_back(l);
    std::cout << boost::json::serialize(boost::json::object{{"received", workflow::format_date(*received)},
                                                            {"days", days},
                                                            {"due", workflow::format_date(*clock.due)},
                                                            {"provisional", clock.provisional},
                                                            {"explanation", lines}})
              << "\n";
  } else {
    std::cout << workflow::format_date(*clock.due) << "\n";
    for (const auto& l : clock.explanation) std::cout << l << "\n";
  }
  return 0;
}

int cmd_calendar(std::vector<std::string> args) {
  auto action = take_positional(args, "calendar action (import)");
  if (action != "import") throw usage_error("unknown calendar action: " + action);
  auto path = take_positional(args, "schedule file");
  std::ifstream in(path);
  if (!in) throw usage_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto years = workflow::parse_schedules(text.str());
  auto cfg = load_config(args, environ);
  database db(cfg.db(), 1);
  prepare_database(db);
  int changed = calendar_store::import(db, years, path.substr(path.find_last_of('/') + 1), unix_now_ms());
  std::string list;
  for (const auto& y : years) list += (list.empty() ? "" : ", ") + std::to_string(y.year);
  std::cout << "loaded " << list << "; due dates of " << changed << " open case(s) recomputed\n";
  return 0;
}

int cmd_case(std::vector<std::string> args) {
  auto action = take_positional(args, "case action (event)");
  if (action != "event") throw usage_error("unknown case action: " + action);
  auto tracking_no = take_positional(args, "tracking number");
  auto event_name = take_positional(args, "event name");
  auto as = take_option(args, "--as");
  auto on = take_option(args, "--on");
  auto payload = take_option(args, "--payload");
  auto version = take_option(args, "--version");
  auto kind = workflow::parse_event(event_name);
  if (!kind) throw usage_error("unknown event: " + event_name);
  if (as.size() != 1 || as.front().find(':') == std::string::npos) throw usage_error("--as ROLE:NAME is required");
  auto role = workflow::parse_role(as.front().substr(0, as.front().find(':')));
  if (!role) throw usage_error("unknown role in --as: " + as.front());
  auto date = on.empty() ? workflow::china_date(unix_now()) : workflow::parse_date(on.front()).value_or(workflow::date{});
  if (date == workflow::date{}) throw usage_error("--on must be a date YYYY-MM-DD");
  auto e = workflow::event_from_payload(*kind, date, *role, payload.empty() ? "{}" : payload.front());
  std::optional<int> expected;
  if (!version.empty()) expected = std::stoi(version.front());
  auto cfg = load_config(args, environ);
  database db(cfg.db(), 1);
  prepare_database(db);
  auto row = cases::fire(db, tracking_no, expected, e, actor{*role, as.front().substr(as.front().find(':') + 1)},
                         calendar_store::load(db), unix_now_ms());
  std::cout << row.tracking_no << " " << workflow::to_string(row.state) << " version " << row.version << "\n";
  return 0;
}

int cmd_report(std::vector<std::string> args) {
  auto kind = take_positional(args, "report kind (annual)");
  if (kind != "annual") throw usage_error("unknown report: " + kind);
  auto year_arg = take_option(args, "--year");
  auto format_arg = take_option(args, "--format");
  auto parsed = year_arg.size() == 1 ? workflow::parse_year(year_arg.front()) : std::nullopt;
  if (!parsed) throw usage_error("report annual needs --year YYYY");
  const int year = *parsed;
  const std::string format = format_arg.empty() ? "html" : format_arg.front();
  if (format != "html" && format != "csv" && format != "json") throw usage_error("--format must be html, csv or json");
  auto cfg = load_config(args, environ);
  set_template_directory(cfg.web_dir);
  database db(cfg.db(), 1);
  prepare_database(db);
  auto live = reports::annual(db, year);
  auto frozen = reports::frozen(db, year);
  std::optional<report_views::freeze_info> info;
  if (frozen) info = report_views::freeze_info{frozen->locked_by, frozen->locked_at, workflow::report::differences(frozen->figures, live)};
  const auto& tables = frozen ? frozen->figures : live;
  if (format == "json") std::cout << report_views::json(tables, info) << "\n";
  else if (format == "csv") std::cout << report_views::csv(tables);
  else {
    kainjow::mustache::data d;
    d.set("html", report_views::html_body(tables, info));
    std::cout << render_page(std::to_string(year) + "年度报告统计表", "raw", d);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << usage;
    return 2;
  }
  const std::string command = args.front();
  args.erase(args.begin());
  try {
    crypto::init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (command == "version" || command == "--version") {
      std::cout << "gongkai " << GONGKAI_VERSION << "\n";
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << usage << config_help();
      return 0;
    }
    if (command == "serve") return cmd_serve(load_config(args, environ));
    if (command == "migrate") {
      auto cfg = load_config(args, environ);
      database db(cfg.db(), 1);
      int n = db.migrate();
      calendar_store::ensure_builtin(db);
      std::cout << "applied " << n << " migration(s); schema version " << db.schema_version() << "\n";
      return 0;
    }
    if (command == "user") return cmd_user(args);
    if (command == "deadline") return cmd_deadline(args);
    if (command == "calendar") return cmd_calendar(args);
    if (command == "case") return cmd_case(args);
    if (command == "report") return cmd_report(args);
    std::cerr << "gongkai: unknown command '" << command << "'\n" << usage;
    return 2;
  } catch (const usage_error& e) {
    std::cerr << "gongkai: " << e.what() << "\n";
    return 2;
  } catch (const workflow::calendar_error& e) {
    std::cerr << "gongkai: calendar: " << e.what() << "\n";
    return 2;
  } catch (const config_error& e) {
    std::cerr << "gongkai: configuration: " << e.what() << "\n";
    return 2;
  } catch (const domain_error& e) {
    std::cerr << "gongkai: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "gongkai: " << e.what() << "\n";
    return 1;
  }
}
