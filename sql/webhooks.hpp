#pragma once
// Webhooks: systems that react to cases. Each accepted transition becomes one delivery per active webhook,
// written to the outbox in the transition's transaction, so nothing accepted is left undelivered.
#include "sql/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gongkai::webhooks {

struct webhook {
  long long id = 0;
  std::string url;
  std::string secret;  // signs each delivery (HMAC-SHA256); shown to the admin once, at registration
  bool active = true;
  std::string created_by;
  long long created_at = 0;
};

long long add(database& db, const std::string& url, const std::string& secret, const std::string& by, long long now_s);
std::vector<webhook> list(database& db);
std::optional<webhook> find(database& db, long long id);
void set_active(database& db, long long id, bool active);

// One delivery per active webhook for this transition, inside the caller's transaction (once only: a
// second attempt for the same transition writes nothing).
void enqueue_in(connection& c, long long case_id, const std::string& tracking_no, int seq, const std::string& event,
                const std::string& effective_on, const std::string& state, long long now_ms);

struct delivery {
  long long id = 0;
  long long webhook_id = 0;
  std::string event_id;  // the delivery's stable id (X-Gongkai-Delivery)
  std::string status;    // pending, sent, failed
  int attempts = 0;
  std::string last_error;
  long long created_at = 0;
  std::optional<long long> sent_at;
};
// The latest deliveries, newest first (the admin page's log).
std::vector<delivery> recent(database& db, int limit);

}  // namespace gongkai::webhooks
