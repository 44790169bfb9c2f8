#include "app/notifications.hpp"

#include "app/templates.hpp"

#include <boost/json.hpp>
#include <curl/curl.h>
#include <sodium.h>

#include <cstring>

namespace gongkai::notifications {

rendered render(const outbox::message& m) {
  kainjow::mustache::data d;
  auto v = boost::json::parse(m.data);
  if (v.is_object())
    for (const auto& [k, value] : v.as_object())
      if (value.is_string()) d.set(std::string(k), std::string(value.as_string()));
  auto text = render_text_template("mail_" + m.kind, d);
  auto nl = text.find('\n');
  return {text.substr(0, nl), nl == std::string::npos ? std::string() : text.substr(nl + 1)};
}

kainjow::mustache::data list_data(const std::vector<outbox::message>& messages) {
  kainjow::mustache::data list{kainjow::mustache::data::type::list};
  for (const auto& m : messages) {
    auto text = render(m);
    kainjow::mustache::data item;
    item.set("subject", text.subject);
    item.set("body", text.body);
    item.set("date", workflow::format_date(workflow::china_date(m.created_at / 1000)));
    item.set("sent", m.status == "sent");
    list.push_back(item);
  }
  return list;
}

namespace {

std::string base64(const std::string& s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()), s.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

struct upload {
  std::string data;
  std::size_t at = 0;
};

std::size_t read_payload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* u = static_cast<upload*>(user);
  std::size_t n = std::min(size * count, u->data.size() - u->at);
  std::memcpy(buffer, u->data.data() + u->at, n);
  u->at += n;
  return n;
}

}  // namespace

bool send(const smtp_settings& smtp, const outbox::message& m, std::string& error) {
  auto text = render(m);
  // RFC 5322 with a UTF-8 subject (RFC 2047) and a base64 body; the Message-ID names the outbox row, so a
  // receiving system can tell a retry from a new message.
  std::string body64 = base64(text.body), wrapped;
  for (std::size_t i = 0; i < body64.size(); i += 76) wrapped += body64.substr(i, 76) + "\r\n";
  upload u;
  u.data = "From: " + smtp.from + "\r\nTo: " + m.recipient + "\r\nSubject: =?UTF-8?B?" + base64(text.subject) +
           "?=\r\nMessage-ID: <outbox-" + std::to_string(m.id) + "@gongkai>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + wrapped;
  CURL* curl = curl_easy_init();
  if (!curl) {
    error = "curl_easy_init failed";
    return false;
  }
  curl_slist* recipients = curl_slist_append(nullptr, ("<" + m.recipient + ">").c_str());
  const std::string from = "<" + smtp.from + ">";
  curl_easy_setopt(curl, CURLOPT_URL, smtp.url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_payload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &u);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  auto rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) error = curl_easy_strerror(rc);
  curl_slist_free_all(recipients);
  curl_easy_cleanup(curl);
  return rc == CURLE_OK;
}

int deliver_due(database& db, const smtp_settings& smtp, long long now_ms) {
  int sent = 0;
  for (const auto& m : outbox::claim_due(db, now_ms, 50)) {
    std::string error;
    if (send(smtp, m, error)) {
      outbox::mark_sent(db, m.id, now_ms);
      ++sent;
    } else {
      outbox::mark_attempt_failed(db, m.id, m.attempts, error, now_ms);
    }
  }
  return sent;
}

}  // namespace gongkai::notifications
