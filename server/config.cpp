#include "server/config.hpp"

#include <boost/program_options.hpp>

#include <fstream>
#include <sstream>

namespace po = boost::program_options;

namespace gongkai {

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
      ("lookup-limit", po::value(&c.lookup_limit), "failed status look-ups (wrong code, unknown number) per client address per 10 minutes");
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
