#include "app/webhooks.hpp"

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "sql/outbox.hpp"
#include "sql/webhooks.hpp"

#include <boost/json.hpp>
#include <curl/curl.h>

#include <map>

namespace gongkai::webhooks {

std::string signature(std::string_view secret, long long timestamp, std::string_view body) {
  return "sha256=" + crypto::hmac_sha256_hex(secret, std::to_string(timestamp) + "." + std::string(body));
}

namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

// One POST; empty when the receiver answered 2xx, else what went wrong (never the body or the secret).
std::string post(const webhook& hook, const std::string& delivery_id, const std::string& body, long long now_s) {
  CURL* curl = curl_easy_init();
  if (!curl) return "curl_easy_init failed";
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, ("X-Gongkai-Delivery: " + delivery_id).c_str());
  headers = curl_slist_append(headers, ("X-Gongkai-Timestamp: " + std::to_string(now_s)).c_str());
  headers = curl_slist_append(headers, ("X-Gongkai-Signature: " + signature(hook.secret, now_s, body)).c_str());
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, hook.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  auto rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return curl_easy_strerror(rc);
  if (status < 200 || status > 299) return "HTTP " + std::to_string(status);
  return {};
}

}  // namespace

int deliver_due(database& db, long long now_ms) {
  int sent = 0;
  std::map<long long, std::optional<webhook>> hooks;
  for (const auto& m : outbox::claim_due(db, now_ms, 20, outbox::channel::webhook, 30'000)) {
    const long long id = m.recipient.empty() ? 0 : std::stoll(m.recipient);
    if (!hooks.count(id)) hooks[id] = find(db, id);
    const auto& hook = hooks[id];
    if (!hook || !hook->active) {
      outbox::mark_attempt_failed(db, m.id, m.attempts, "webhook removed or disabled", now_ms);
      continue;
    }
    std::string delivery_id;
    try {
      delivery_id = std::string(boost::json::parse(m.data).at("delivery_id").as_string());
    } catch (const std::exception&) {
      delivery_id = "outbox:" + std::to_string(m.id);
    }
    auto error = post(*hook, delivery_id, m.data, now_ms / 1000);
    if (error.empty()) {
      outbox::mark_sent(db, m.id, now_ms);
      ++sent;
    } else {
      log::event("warn", "webhook delivery failed", error);
      outbox::mark_attempt_failed(db, m.id, m.attempts, error, now_ms);
    }
  }
  return sent;
}

}  // namespace gongkai::webhooks
