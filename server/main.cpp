// gongkai: the server binary and its administration commands.
#include "server/access_log.hpp"
#include "server/config.hpp"
#include "server/crypto.hpp"
#include "server/routes.hpp"
#include "server/server.hpp"
#include "sql/database.hpp"
#include "sql/users.hpp"

#include <iostream>
#include <string>
#include <vector>

extern char** environ;

namespace {

using namespace gongkai;

constexpr const char* usage = R"(usage: gongkai <command> [options]

commands:
  serve                          run the HTTP server (applies migrations first)
  migrate                        apply database migrations and exit
  user add NAME [--role R]... [--display-name TEXT]
                                 create a staff account; the password is read from stdin
  user passwd NAME               set a new password, read from stdin
  user disable NAME              disable an account and end its sessions
  user enable NAME               enable a disabled account
  user bootstrap                 create the first admin with a one-time password, if no admin exists
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

std::string read_password_from_stdin() {
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.size() < 12) throw usage_error("the password (from stdin) must have at least 12 characters");
  return password;
}

int cmd_serve(const config& cfg) {
  database db(cfg.db(), cfg.db_threads);
  db.migrate();
  auto routes = make_routes();
  server srv(cfg, routes, &db);
  srv.handle_signals();
  auto port = srv.start();
  std::cout << "gongkai " << GONGKAI_VERSION << " listening on http://" << cfg.listen_address << ":" << port
            << " (database " << cfg.db().redacted() << ")" << std::endl;
  log::event("info", "listening", cfg.listen_address + ":" + std::to_string(port));
  srv.wait();
  log::event("info", "stopped");
  return 0;
}

int cmd_user(std::vector<std::string> args) {
  auto action = take_positional(args, "user action (add, passwd, disable, enable, bootstrap)");
  auto roles = take_option(args, "--role");
  auto display = take_option(args, "--display-name");
  std::string name = action == "bootstrap" ? "admin" : take_positional(args, "user name");
  auto cfg = load_config(args, environ);
  database db(cfg.db(), 1);
  db.migrate();
  if (action == "add") {
    if (roles.empty()) roles.push_back("staff");
    auto hash = crypto::hash_password(read_password_from_stdin());
    users::create(db, name, display.empty() ? name : display.front(), hash, roles, false);
    std::cout << "created user " << name << "\n";
  } else if (action == "passwd") {
    if (!users::set_password(db, name, crypto::hash_password(read_password_from_stdin()), false))
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
    auto password = crypto::random_password();
    users::create(db, "admin", "系统管理员", crypto::hash_password(password), {"admin", "supervisor", "staff"}, true);
    std::cout << "created the first admin account\n  user: admin\n  one-time password: " << password
              << "\n  (shown once; change it at first login)\n";
  } else {
    throw usage_error("unknown user action: " + action);
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
      std::cout << "applied " << n << " migration(s); schema version " << db.schema_version() << "\n";
      return 0;
    }
    if (command == "user") return cmd_user(args);
    std::cerr << "gongkai: unknown command '" << command << "'\n" << usage;
    return 2;
  } catch (const usage_error& e) {
    std::cerr << "gongkai: " << e.what() << "\n";
    return 2;
  } catch (const config_error& e) {
    std::cerr << "gongkai: configuration: " << e.what() << "\n";
    return 2;
  } catch (const http::http_error& e) {
    std::cerr << "gongkai: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "gongkai: " << e.what() << "\n";
    return 1;
  }
}
