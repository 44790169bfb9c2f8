#pragma once
// Filing and following an application: tracking numbers, access codes, the applicant's view of a case,
// rate limits and single-use anti-forgery tokens. Everything here is safe on many instances.
#include "sql/cases.hpp"
#include "workflow/application.hpp"

#include <optional>
#include <string>

namespace gongkai {

namespace rate_limit {

// Counts one hit for (purpose, client) in a fixed window; false when the limit is already reached.
// The client address is stored only as a hash.
// One counted attempt of (purpose, client) in a fixed window of window_seconds, as of now_s.
struct quota {
  std::string_view purpose;
  std::string_view client;
  int limit = 0;
  int window_seconds = 0;
  long long now_s = 0;
};
// The stored key of (purpose, client): a hash, so no client address is stored.
std::string bucket_of(std::string_view purpose, std::string_view client);
// The start of the window now_s falls in.
long long window_of(const quota& q);
// Counts the hit inside the caller's transaction; false when the limit was already reached.
bool count_in(connection& c, const quota& q);

bool allow(database& db, std::string_view purpose, std::string_view client, int limit, int window_seconds,
           long long now_s);
// Whether (purpose, client) has used up its limit in the current window. Reads only: a caller that counts
// only failures asks this first and calls allow() when the attempt failed.
bool exhausted_on(connection& c, std::string_view purpose, std::string_view client, int limit, int window_seconds,
                  long long now_s);
bool exhausted(database& db, std::string_view purpose, std::string_view client, int limit, int window_seconds,
               long long now_s);

}  // namespace rate_limit

namespace applications {

struct filed {
  case_row row;
  std::string access_code;  // shown to the applicant once; only its hash is stored
};

// Files an application in one transaction: counts the attempt against the quota (when given; over the
// limit is refused with 429 "rate_limited" and stores nothing), consumes the anti-forgery nonce (when
// given; a nonce used before is refused with 403 "form_replayed"), takes the next tracking number of the
// receipt year, registers the case and stores the application with the access code's hash. On SQLite
// concurrent filings share one commit (database::transact_grouped); none returns before it is durable.
filed file(database& db, const workflow::application& app, const std::string& channel, workflow::date received_on,
           const std::string& form_nonce, const actor& who, const workflow::working_calendar& cal, long long now_ms,
           const rate_limit::quota* quota = nullptr);

// The case, if the tracking number exists and the access code is its code. A wrong code and an unknown
// number are indistinguishable to the caller.
std::optional<case_row> find_for_applicant(database& db, const std::string& tracking_no, const std::string& access_code);

// What the applicant's view of a case is computed from, checked with the access code in one statement:
// the case's id and version, the applicant's notices with their states, and the remedies setting. The
// same stamp (on the same day, with the same calendar) gives the same view, so an instance may serve a
// view it computed before while the stamp it reads now is unchanged.
struct view_stamp {
  long long case_id = 0;
  int version = 0;
  std::string stamp;
};
// One statement (one round trip on MariaDB) answers a status look-up: whether the client's look-up
// window is used up (then nothing else counts), and the stamp if the tracking number exists and the
// access code is its code (compared in constant time).
struct look_up {
  bool exhausted = false;
  std::optional<view_stamp> stamp;
};
look_up stamp_for_applicant(connection& c, const rate_limit::quota& window, const std::string& tracking_no,
                            const std::string& access_code);

std::optional<workflow::application> details(database& db, long long case_id);

// Marks a form nonce used, inside the caller's transaction; false if it was used before.
bool consume_nonce(connection& c, const std::string& nonce, long long now_s);

// "2026-000123": the receipt year and that year's next number, under the counter row's lock.
std::string next_tracking_number(connection& c, int year);

}  // namespace applications


// A secret shared by every instance, created on first use (e.g. the anti-forgery key).
std::string shared_secret(database& db, const std::string& name);

}  // namespace gongkai
