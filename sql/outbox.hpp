#pragma once
// The outbox: a message row per notice, written in the transaction of the transition that causes it.
// A message with no known address is kept (shown on the tracking page) rather than sent.
#include "sql/database.hpp"
#include "workflow/deadlines.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gongkai::outbox {

struct message {
  long long id = 0;
  long long case_id = 0;
  std::string kind;       // received, correction_requested, extension_approved, consultation_started, answered
  std::string audience;   // applicant
  std::string recipient;  // an email address, or empty
  std::string data;       // JSON: what the template needs
  std::string status;     // pending, sent, failed, kept
  int attempts = 0;
  long long created_at = 0;
  std::optional<long long> sent_at;
};

// Writes the applicant's notice for this transition, if the event has one. Inside the caller's transaction.
void enqueue_for_event(connection& c, long long case_id, const std::string& tracking_no, int seq,
                       workflow::event_kind kind, const workflow::case_event& event, const workflow::deadlines& clocks,
                       long long now_ms);

// A notice to a staff member or supervisor (by user name; their address if they have one, else kept
// in their inbox). `dedupe_key` makes it once-only: a second attempt, from any instance, writes nothing.
// Returns whether it was written.
bool enqueue_for_user(connection& c, long long case_id, const std::string& username, const std::string& kind,
                      const std::string& data_json, const std::string& dedupe_key, long long now_ms);
// The applicant's notice that the reply is overdue, with their remedies (once per due date).
bool enqueue_overdue_for_applicant(connection& c, long long case_id, const std::string& tracking_no,
                                   workflow::date due, long long now_ms);

// Every message of a case, whoever it is addressed to (staff views, tests).
std::vector<message> for_case(database& db, long long case_id);
// Only the messages addressed to the applicant: what the tracking page and the applicant's API show.
std::vector<message> for_applicant(database& db, long long case_id);
std::vector<message> for_user(database& db, const std::string& username, int limit);

// Claims up to `max` messages due for delivery (pending, past their next attempt, not claimed by another
// instance in the last minute); a claimed message is this instance's to deliver.
// Mail (every audience but webhooks) and webhook deliveries are claimed by their own senders.
enum class channel { mail, webhook };
std::vector<message> claim_due(database& db, long long now_ms, int max, channel which = channel::mail,
                               long long claim_ms = 60'000);
void mark_sent(database& db, long long id, long long now_ms);
// Counts a failed attempt; retried with back-off (30 s, 1 min, 2 min ... at most 1 h), failed after 10.
void mark_attempt_failed(database& db, long long id, int attempts, const std::string& error, long long now_ms);

}  // namespace gongkai::outbox
