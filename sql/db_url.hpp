#pragma once
// Where the database is: a URL, parsed once at start.
#include "core/errors.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace gongkai {

// A database named by URL: sqlite:///abs/path.db, sqlite://relative/path.db or
// mysql://user:pass@host:port/db (user, password, port optional).
struct db_url {
  enum class backend { sqlite, mysql };
  backend kind = backend::sqlite;
  std::string path;  // sqlite: the file
  std::string host = "127.0.0.1";
  std::uint16_t port = 3306;
  std::string user;
  std::string password;
  std::string database;
  std::string unix_socket;  // mysql: ?socket=/path

  static db_url parse(std::string_view url);  // throws config_error
  std::string soci_backend() const;
  std::string soci_connect_string() const;
  std::string redacted() const;  // for logs: never prints the password
};

}  // namespace gongkai
