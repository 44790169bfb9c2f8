#pragma once
// Notices to applicants: their text (from web/templates/mail_*.mustache, editable like the pages) and
// their delivery by SMTP through libcurl to the configured relay.
#include "app/templates.hpp"
#include "sql/outbox.hpp"

#include <string>

namespace gongkai::notifications {

struct rendered {
  std::string subject;
  std::string body;
};
// The template's first line is the subject, the rest the body.
rendered render(const outbox::message& m);

// The messages as a page shows them (subject, body, date, sent), newest as given.
kainjow::mustache::data list_data(const std::vector<outbox::message>& messages);

struct smtp_settings {
  std::string url;   // smtp://host:port
  std::string from;  // the agency's sender address
};

// Sends one message; false with `error` set when the relay refused or could not be reached.
bool send(const smtp_settings& smtp, const outbox::message& m, std::string& error);

// Delivers what is due: claims messages (safe with other instances), sends, marks each sent or retried.
// Returns how many were sent.
int deliver_due(database& db, const smtp_settings& smtp, long long now_ms);

}  // namespace gongkai::notifications
