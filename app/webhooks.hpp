#pragma once
// Delivering webhooks: each pending delivery is POSTed to its webhook's URL as JSON, signed, and marked
// sent on a 2xx answer; anything else is retried with the outbox's back-off (at least once, never lost).
//   X-Gongkai-Delivery: the delivery's stable id (the same on every retry: receivers drop repeats by it)
//   X-Gongkai-Timestamp: Unix seconds when this attempt was signed
//   X-Gongkai-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the webhook's secret>
#include "sql/database.hpp"

#include <string>
#include <string_view>

namespace gongkai::webhooks {

// The signature header's value for a body sent at `timestamp`.
std::string signature(std::string_view secret, long long timestamp, std::string_view body);

// Claims and sends the deliveries due now (each claimed for 30 s: an instance that dies mid-delivery
// leaves it to another after that). Returns how many were sent.
int deliver_due(database& db, long long now_ms);

}  // namespace gongkai::webhooks
