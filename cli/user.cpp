#include "cli/commands.hpp"

#include "core/clock.hpp"
#include "app/password_policy.hpp"
#include "core/crypto.hpp"
#include "sql/cases.hpp"
#include "sql/users.hpp"
#include "workflow/application.hpp"

#include <iostream>

namespace gongkai::cli {

int user(std::vector<std::string> args) {
  auto action = take_positional(args, "user action (add, passwd, disable, enable, bootstrap)");
  auto roles = take_option(args, "--role");
  auto display = take_option(args, "--display-name");
  auto email = take_option(args, "--email");
  std::string name = action == "bootstrap" ? "admin" : take_positional(args, "user name");
  auto cfg = load_config(args, environ);
  database db(cfg.db(), 1);
  const long long now_ms = unix_now_ms();
  const audit::origin by{"", "", now_ms};
  prepare_database(db, now_ms);
  if (action == "add") {
    if (roles.empty()) roles.push_back("staff");
    auto hash = crypto::hash_password(read_password_from_stdin(name));
    if (!email.empty() && !workflow::valid_email(email.front())) throw usage_error("--email is not an email address");
    users::create(db, name, display.empty() ? name : display.front(), hash, roles, false, now_ms / 1000);
    if (!email.empty()) users::set_email(db, name, email.front());
    std::cout << "created user " << name << "\n";
  } else if (action == "passwd") {
    if (!users::set_password(db, name, crypto::hash_password(read_password_from_stdin(name)), false, by))
      throw usage_error("no such user: " + name);
    std::cout << "password changed for " << name << "\n";
  } else if (action == "disable" || action == "enable") {
    if (!users::set_disabled(db, name, action == "disable", by)) throw usage_error("no such user: " + name);
    std::cout << action << "d " << name << "\n";
  } else if (action == "bootstrap") {
    if (users::any_admin(db)) {
      std::cout << "an admin account exists already\n";
      return 0;
    }
    auto password = password_policy::one_time_password();
    users::create(db, "admin", "系统管理员", crypto::hash_password(password), {"admin", "supervisor", "staff"}, true,
                  now_ms / 1000);
    std::cout << "created the first admin account\n  user: admin\n  one-time password: " << password
              << "\n  (shown once; change it at first login)\n";
  } else {
    throw usage_error("unknown user action: " + action);
  }
  return 0;
}

}  // namespace gongkai::cli
