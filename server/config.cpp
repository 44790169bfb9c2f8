#include "server/config.hpp"

#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>

#include <fstream>
#include <sstream>

namespace po = boost::program_options;

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

namespace {

po::options_description options(config& c, std::string& config_file, long long (&ms)[5]) {
  po::options_description d("Options (flag / GONGKAI_<NAME> environment variable / config file key)");
  d.add_options()
      ("config", po::value(&config_file), "optional config file (key = value lines)")
      ("listen", po::value<std::string>(), "address:port to serve on (default 127.0.0.1:8080)")
      ("db", po::value(&c.database), "database URL: sqlite:///path.db or mysql://user:pass@host:port/db")
      ("io-threads", po::value(&c.io_threads), "threads serving sockets")
      ("db-threads", po::value(&c.db_threads), "threads running database work (and pooled connections)")
      ("header-limit", po::value(&c.header_limit), "largest request header in bytes (431 beyond)")
      ("body-limit", po::value(&c.body_limit), "largest request body in bytes (413 beyond)")
      ("pipeline-limit", po::value(&c.pipeline_limit), "pipelined requests queued per connection")
      ("read-timeout-ms", po::value(&ms[0]), "time to receive a whole request")
      ("idle-timeout-ms", po::value(&ms[1]), "keep-alive idle time before closing")
      ("write-timeout-ms", po::value(&ms[2]), "time to send a response")
      ("shutdown-timeout-ms", po::value(&ms[3]), "grace period for in-flight requests on SIGTERM")
      ("retry-after-s", po::value(&ms[4]), "Retry-After seconds while the database is down")
      ("secure-cookies", po::value(&c.secure_cookies), "mark cookies Secure (behind TLS)")
      ("test-mode", po::bool_switch(&c.test_mode), "test mode: an adjustable clock (never in production)")
      ("clock", po::value(&c.clock), "test mode only: start the clock here, e.g. 2026-01-05T09:00:00+08:00")
      ("smtp-url", po::value(&c.smtp_url), "SMTP relay for notices, smtp://host:port (empty: keep them, send none)")
      ("mail-from", po::value(&c.mail_from), "sender address of notices")
      ("sweep-interval-s", po::value(&c.sweep_interval_s), "seconds between sweeps for due time events")
      ("web-dir", po::value(&c.web_dir), "directory with templates/ to use instead of the compiled-in ones")
      ("filing-limit", po::value(&c.filing_limit), "applications per client address per hour")
      ("lookup-limit", po::value(&c.lookup_limit), "status look-ups per client address per 10 minutes");
  return d;
}

void apply_listen(config& c, const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw config_error("--listen must be address:port, got " + listen);
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) throw std::invalid_argument("port");
  } catch (const std::exception&) {
    throw config_error("--listen has an invalid port: " + listen);
  }
  if (port > 65535) throw config_error("--listen has an invalid port: " + listen);
  c.listen_address = host.empty() ? "0.0.0.0" : host;
  c.listen_port = static_cast<std::uint16_t>(port);
}

}  // namespace

config load_config(const std::vector<std::string>& args, char** environ_ptr) {
  config c;
  std::string config_file;
  long long ms[5] = {c.read_timeout.count(), c.idle_timeout.count(), c.write_timeout.count(),
                     c.shutdown_timeout.count(), c.retry_after.count()};
  auto desc = options(c, config_file, ms);
  po::variables_map vm;
  try {
    // Flags first: program_options keeps the first value stored, so flags win over environment, and the
    // environment over the file.
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (environ_ptr) {
      // GONGKAI_IO_THREADS=3 is --io-threads 3; variables that name no option are ignored.
      std::vector<std::string> from_env;
      for (char** e = environ_ptr; *e; ++e) {
        std::string_view entry(*e);
        auto eq = entry.find('=');
        if (!entry.starts_with("GONGKAI_") || eq == std::string_view::npos) continue;
        std::string name(entry.substr(8, eq - 8));
        for (auto& ch : name) ch = ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (name == "config" || desc.find_nothrow(name, false)) {
          from_env.push_back("--" + name);
          from_env.emplace_back(entry.substr(eq + 1));
        }
      }
      po::store(po::command_line_parser(from_env).options(desc).run(), vm);
    }
    if (vm.count("config")) {
      std::ifstream in(vm["config"].as<std::string>());
      if (!in) throw config_error("cannot read config file " + vm["config"].as<std::string>());
      po::store(po::parse_config_file(in, desc), vm);
    }
    po::notify(vm);
  } catch (const config_error&) {
    throw;
  } catch (const std::exception& e) {
    throw config_error(e.what());
  }
  if (vm.count("listen")) apply_listen(c, vm["listen"].as<std::string>());
  for (long long v : ms)
    if (v <= 0) throw config_error("timeouts must be positive");
  c.read_timeout = std::chrono::milliseconds(ms[0]);
  c.idle_timeout = std::chrono::milliseconds(ms[1]);
  c.write_timeout = std::chrono::milliseconds(ms[2]);
  c.shutdown_timeout = std::chrono::milliseconds(ms[3]);
  c.retry_after = std::chrono::seconds(ms[4]);
  if (c.io_threads == 0 || c.io_threads > 256) throw config_error("--io-threads must be 1..256");
  if (c.db_threads == 0 || c.db_threads > 256) throw config_error("--db-threads must be 1..256");
  if (c.header_limit < 1024) throw config_error("--header-limit must be at least 1024");
  if (c.body_limit < 1024) throw config_error("--body-limit must be at least 1024");
  if (!c.clock.empty() && !c.test_mode) throw config_error("--clock needs --test-mode: the clock is only adjustable in tests");
  if (c.sweep_interval_s < 1) throw config_error("--sweep-interval-s must be at least 1");
  if (c.filing_limit < 1 || c.lookup_limit < 1) throw config_error("--filing-limit and --lookup-limit must be positive");
  if (c.pipeline_limit == 0) throw config_error("--pipeline-limit must be at least 1");
  (void)c.db();  // validate the URL now
  return c;
}

std::string config_help() {
  config c;
  std::string f;
  long long ms[5]{};
  std::ostringstream s;
  s << options(c, f, ms);
  return s.str();
}

}  // namespace gongkai
