#pragma once
// The commands of the gongkai binary, one file each; main.cpp dispatches. Each command reads "now" once
// when it starts and passes it down.
#include "server/config.hpp"

#include <stdexcept>
#include <string>
#include <vector>

extern "C" char** environ;

namespace gongkai::cli {

// A command line that cannot be understood (exit code 2).
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Removes "--name value" pairs from args and returns the values.
std::vector<std::string> take_option(std::vector<std::string>& args, const std::string& name);
std::string take_positional(std::vector<std::string>& args, const char* what);
// The password for `username`, read from stdin and checked by the one password policy.
std::string read_password_from_stdin(const std::string& username);

int serve(const config& cfg);
int migrate(std::vector<std::string> args);
int user(std::vector<std::string> args);
int deadline(std::vector<std::string> args);
int calendar(std::vector<std::string> args);
int case_event(std::vector<std::string> args);
int report(std::vector<std::string> args);

}  // namespace gongkai::cli
