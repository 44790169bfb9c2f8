#include "sql/webhooks.hpp"

#include <boost/json.hpp>

namespace gongkai::webhooks {

long long add(database& db, const std::string& url, const std::string& secret, const std::string& by, long long now_s) {
  return db.transact([&](connection& c) {
    c.sql << "INSERT INTO webhooks (url, secret, active, created_by, created_at) VALUES (:u, :s, 1, :b, :t)", soci::use(url),
        soci::use(secret), soci::use(by), soci::use(now_s);
    return c.last_insert_id();
  });
}

namespace {

std::vector<webhook> select(connection& c, const std::string& where, long long id) {
  std::vector<webhook> out;
  soci::rowset<soci::row> rows = (c.sql.prepare << "SELECT id, url, secret, active, created_by, created_at FROM webhooks " + where +
                                                       " ORDER BY id",
                                  soci::use(id));
  for (const auto& r : rows)
    out.push_back({row_integer(r, 0), r.get<std::string>(1), r.get<std::string>(2), row_integer(r, 3) != 0,
                   r.get<std::string>(4), row_integer(r, 5)});
  return out;
}

}  // namespace

std::vector<webhook> list(database& db) {
  return db.run(database::access::read, [](connection& c) { return select(c, "WHERE id > :i", 0); });
}

std::optional<webhook> find(database& db, long long id) {
  auto found = db.run(database::access::read, [&](connection& c) { return select(c, "WHERE id = :i", id); });
  if (found.empty()) return std::nullopt;
  return found.front();
}

void set_active(database& db, long long id, bool active) {
  const int flag = active ? 1 : 0;
  db.transact([&](connection& c) {
    c.sql << "UPDATE webhooks SET active = :a WHERE id = :i", soci::use(flag), soci::use(id);
  });
}

void enqueue_in(connection& c, long long case_id, const std::string& tracking_no, int seq, const std::string& event,
                const std::string& effective_on, const std::string& state, long long now_ms) {
  std::vector<long long> hooks;
  {
    soci::rowset<soci::row> rows = (c.sql.prepare << "SELECT id FROM webhooks WHERE active = 1 ORDER BY id");
    for (const auto& r : rows) hooks.push_back(row_integer(r, 0));
  }
  for (long long hook : hooks) {
    const std::string key = "webhook:" + std::to_string(hook) + ":case:" + std::to_string(case_id) + ":" + std::to_string(seq);
    const std::string data = boost::json::serialize(boost::json::object{{"delivery_id", key},
                                                                          {"type", "case.transition"},
                                                                          {"tracking_no", tracking_no},
                                                                          {"seq", seq},
                                                                          {"event", event},
                                                                          {"state", state},
                                                                          {"effective_on", effective_on},
                                                                          {"recorded_at_ms", now_ms}});
    const std::string recipient = std::to_string(hook);
    int exists = 0;
    c.sql << "SELECT COUNT(*) FROM outbox WHERE dedupe_key = :k", soci::use(key), soci::into(exists);
    if (exists) continue;
    c.sql << "INSERT INTO outbox (case_id, dedupe_key, kind, audience, recipient, data, status, attempts, next_attempt_at, "
             "claimed_until, created_at) VALUES (:c, :k, 'case.transition', 'webhook', :r, :d, 'pending', 0, :n, 0, :t)",
        soci::use(case_id), soci::use(key), soci::use(recipient), soci::use(data), soci::use(now_ms), soci::use(now_ms);
  }
}

std::vector<delivery> recent(database& db, int limit) {
  return db.run(database::access::read, [&](connection& c) {
    std::vector<delivery> out;
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT id, recipient, dedupe_key, status, attempts, last_error, created_at, sent_at FROM outbox "
                          "WHERE audience = 'webhook' ORDER BY id DESC LIMIT :l",
         soci::use(limit));
    for (const auto& r : rows) {
      delivery d;
      d.id = row_integer(r, 0);
      d.webhook_id = std::stoll(r.get<std::string>(1));
      d.event_id = r.get<std::string>(2);
      d.status = r.get<std::string>(3);
      d.attempts = static_cast<int>(row_integer(r, 4));
      if (r.get_indicator(5) == soci::i_ok) d.last_error = r.get<std::string>(5);
      d.created_at = row_integer(r, 6);
      if (r.get_indicator(7) == soci::i_ok) d.sent_at = row_integer(r, 7);
      out.push_back(std::move(d));
    }
    return out;
  });
}

}  // namespace gongkai::webhooks
