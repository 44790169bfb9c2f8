#include "cli/commands.hpp"

#include "core/clock.hpp"
#include "app/password_policy.hpp"

#include <iostream>

namespace gongkai::cli {

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

}  // namespace gongkai::cli
