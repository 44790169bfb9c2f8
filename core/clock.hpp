#pragma once
// The server's clock. In production it is the system clock. In test mode (`serve --test-mode
// --clock T`) it starts at T and runs on from there, and tests may move it forward while the server
// runs (POST /api/v1/test/clock), so deadlines pass without waiting. The offset is process-wide and set
// only in test mode: every "now" in the server (unix_now, unix_now_ms) reads through it.
#include <optional>
#include <string>
#include <string_view>

namespace gongkai::test_clock {

// Parses "2026-01-05T09:00:00+08:00" (or Z) into Unix milliseconds.
std::optional<long long> parse_iso8601(std::string_view text);
std::string format_iso8601_china(long long unix_ms);  // "2026-01-05T09:00:00+08:00"

void enable(long long start_unix_ms);  // test mode: the clock reads start + time since
void advance(long long ms);             // moves it forward (test mode only)
bool enabled();
long long offset_ms();

}  // namespace gongkai::test_clock

namespace gongkai {

// Now, as Unix seconds and milliseconds: the system clock plus the test clock's offset.
long long unix_now();
long long unix_now_ms();

}  // namespace gongkai
