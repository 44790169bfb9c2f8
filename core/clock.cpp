#include "core/clock.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>

namespace gongkai::test_clock {

namespace {

std::atomic<bool> on{false};
std::atomic<long long> offset{0};

long long system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::optional<long long> parse_iso8601(std::string_view t) {
  int y, mo, d, h, mi, s;
  char sep = 0;
  if (t.size() < 19 || std::sscanf(std::string(t.substr(0, 19)).c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &s) != 7 ||
      sep != 'T')
    return std::nullopt;
  auto rest = t.substr(19);
  int zone_minutes = 0;
  if (rest == "Z") zone_minutes = 0;
  else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int zh = 0, zm = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &zh, &zm) != 2) return std::nullopt;
    zone_minutes = (rest[0] == '+' ? 1 : -1) * (zh * 60 + zm);
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  long long secs = duration_cast<seconds>(sys_days{ymd}.time_since_epoch()).count() + h * 3600 + mi * 60 + s -
                   zone_minutes * 60LL;
  return secs * 1000;
}

std::string format_iso8601_china(long long unix_ms) {
  using namespace std::chrono;
  long long local = unix_ms / 1000 + 8 * 3600;
  auto days_since = static_cast<int>(local / 86400);
  long long in_day = local % 86400;
  year_month_day ymd{sys_days{days{days_since}}};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld+08:00", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), in_day / 3600, in_day % 3600 / 60,
                in_day % 60);
  return buf;
}

void enable(long long start_unix_ms) {
  offset = start_unix_ms - system_ms();
  on = true;
}

void advance(long long ms) {
  if (on) offset += ms;
}

bool enabled() { return on; }
long long offset_ms() { return on ? offset.load() : 0; }

}  // namespace gongkai::test_clock

namespace gongkai {

long long unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
             .count() +
         test_clock::offset_ms();
}

long long unix_now() { return unix_now_ms() / 1000; }

}  // namespace gongkai
