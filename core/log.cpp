#include "core/log.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <sodium.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace gongkai::log {

namespace {

std::atomic<bool> access_enabled{true};
std::mutex access_mutex;
std::string access_pending;  // request lines not yet written, whole lines only
constexpr std::size_t access_batch_bytes = 32 * 1024;

std::string quoted(std::string_view s) { return boost::json::serialize(boost::json::string(s)); }

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

void write_line(const std::string& line) {
  // One fwrite per line: lines from several threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void set_access_enabled(bool on) { access_enabled = on; }

void access(const access_entry& e) {
  if (!access_enabled) return;
  char dur[32];
  std::snprintf(dur, sizeof dur, "%.3f", static_cast<double>(e.duration.count()) / 1000.0);
  std::string line = "{\"ts\":\"" + timestamp() + "\",\"type\":\"access\",\"rid\":" + quoted(e.request_id) +
                     ",\"method\":" + quoted(e.method) + ",\"path\":" + quoted(e.path) +
                     ",\"status\":" + std::to_string(e.status) + ",\"ms\":" + dur + "}\n";
  std::lock_guard lock(access_mutex);
  access_pending += line;
  if (access_pending.size() >= access_batch_bytes) {
    write_line(access_pending);
    access_pending.clear();
  }
}

void flush_access() {
  std::lock_guard lock(access_mutex);
  if (access_pending.empty()) return;
  write_line(access_pending);
  access_pending.clear();
}

void event(std::string_view level, std::string_view message, std::string_view detail) {
  std::string line = "{\"ts\":\"" + timestamp() + "\",\"level\":" + quoted(level) + ",\"msg\":" + quoted(message);
  if (!detail.empty()) line += ",\"detail\":" + quoted(detail);
  write_line(line + "}\n");
}

std::string next_request_id() {
  static const std::string prefix = [] {
    unsigned char b[4];
    randombytes_buf(b, sizeof b);
    char hex[9];
    std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
    return std::string(hex);
  }();
  static std::atomic<unsigned long long> counter{0};
  return prefix + "-" + std::to_string(++counter);
}

}  // namespace gongkai::log
