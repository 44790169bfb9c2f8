#include "sql/db_url.hpp"

#include <boost/url/parse.hpp>

#include <sstream>

namespace gongkai {

namespace {

std::string decoded(boost::urls::pct_string_view s) { return s.decode(); }

}  // namespace

db_url db_url::parse(std::string_view url) {
  db_url out;
  if (url.starts_with("sqlite://")) {
    out.kind = backend::sqlite;
    out.path = std::string(url.substr(std::string_view("sqlite://").size()));
    if (out.path.empty()) throw config_error("database URL sqlite:// needs a file path");
    if (out.path.find_first_of(" \t'\"") != std::string::npos)
      throw config_error("the SQLite file path may not contain spaces or quotes");
    return out;
  }
  if (!url.starts_with("mysql://") && !url.starts_with("mariadb://"))
    throw config_error("database URL must start with sqlite:// or mysql://");
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw config_error("database URL is not a valid URL");
  const auto& u = *parsed;
  out.kind = backend::mysql;
  if (u.has_userinfo()) {
    out.user = decoded(u.encoded_user());
    out.password = decoded(u.encoded_password());
  }
  if (!u.encoded_host().empty()) out.host = decoded(u.encoded_host());
  if (u.has_port()) {
    if (u.port_number() == 0) throw config_error("database URL has an invalid port");
    out.port = u.port_number();
  }
  std::string path = decoded(u.encoded_path());
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  if (path.empty() || path.find('/') != std::string::npos)
    throw config_error("database URL must name one database: mysql://user:pass@host:port/db");
  out.database = path;
  for (auto param : u.params()) {
    if (param.key == "socket") out.unix_socket = param.value;
    else throw config_error("database URL has an unknown parameter: " + std::string(param.key));
  }
  return out;
}

std::string db_url::soci_backend() const { return kind == backend::sqlite ? "sqlite3" : "mysql"; }

std::string db_url::soci_connect_string() const {
  auto quote = [](const std::string& v) {
    std::string q = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\') q += '\\';
      q += c;
    }
    return q + "'";
  };
  std::ostringstream s;
  if (kind == backend::sqlite) {
    // SOCI's SQLite backend takes the path unquoted, so it may not contain spaces.
    s << "db=" << path << " timeout=10";
    return s.str();
  }
  s << "db=" << quote(database) << " charset=utf8mb4 connect_timeout=5 read_timeout=30 write_timeout=30";
  if (!user.empty()) s << " user=" << quote(user);
  if (!password.empty()) s << " password=" << quote(password);
  if (!unix_socket.empty()) s << " unix_socket=" << quote(unix_socket);
  else s << " host=" << quote(host) << " port=" << port;
  return s.str();
}

std::string db_url::redacted() const {
  if (kind == backend::sqlite) return "sqlite://" + path;
  std::string s = "mysql://";
  if (!user.empty()) s += user + (password.empty() ? "@" : ":***@");
  return s + host + ":" + std::to_string(port) + "/" + database;
}

}  // namespace gongkai
