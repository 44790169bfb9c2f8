// gongkai: the server binary and its administration commands (one file each in cli/).
#include "cli/commands.hpp"
#include "core/crypto.hpp"
#include "workflow/calendar.hpp"

#include <curl/curl.h>

#include <iostream>

namespace {

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
  report verify [--year Y]       check the report figures the pages read against a recomputation
                                 from the log (every year, or one); exits 1 and lists what differs
  version                        print the version
  help                           this text and the options

)";

}  // namespace

int main(int argc, char** argv) {
  using namespace gongkai;
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
    if (command == "serve") return cli::serve(load_config(args, environ));
    if (command == "migrate") return cli::migrate(args);
    if (command == "user") return cli::user(args);
    if (command == "deadline") return cli::deadline(args);
    if (command == "calendar") return cli::calendar(args);
    if (command == "case") return cli::case_event(args);
    if (command == "report") return cli::report(args);
    std::cerr << "gongkai: unknown command '" << command << "'\n" << usage;
    return 2;
  } catch (const cli::usage_error& e) {
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
