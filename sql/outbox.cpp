#include "sql/outbox.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace gongkai::outbox {

using namespace workflow;

void enqueue_for_event(connection& c, long long case_id, const std::string& tracking_no, int seq, event_kind kind,
                       const case_event& event, const deadlines& clocks, long long now_ms) {
  std::string what;
  boost::json::object data{{"tracking_no", tracking_no}, {"date", format_date(event.on)}};
  switch (kind) {
    case event_kind::register_case:
      what = "received";
      if (clocks.reply.due) data["due"] = format_date(*clocks.reply.due);
      break;
    case event_kind::request_correction:
      what = "correction_requested";
      data["items"] = event.items;
      if (clocks.correction_period.due) data["until"] = format_date(*clocks.correction_period.due);
      break;
    case event_kind::approve_extension:
      what = "extension_approved";
      if (clocks.reply.due) data["due"] = format_date(*clocks.reply.due);
      break;
    case event_kind::consult:
      what = "consultation_started";
      break;
    case event_kind::answer:
    case event_kind::correction_expired: {
      what = "answered";
      const auto* code = find_outcome(kind == event_kind::answer ? event.outcome : std::string(outcome_abandoned_correction));
      if (code) {
        data["outcome"] = std::string(code->category_zh) + " " + std::string(code->reason_zh);
        std::string body;
        soci::indicator ind = soci::i_null;
        c.sql << "SELECT value FROM settings WHERE name = 'reconsideration_body'", soci::into(body, ind);
        if (!c.sql.got_data() || ind != soci::i_ok || body.empty()) body = std::string(default_reconsideration_body);
        data["remedies"] = remedies_for(code->code, event.on, body).text_zh;
      }
      break;
    }
    default:
      return;
  }
  std::string email;
  soci::indicator ind = soci::i_null;
  c.sql << "SELECT email FROM applications WHERE case_id = :c", soci::use(case_id), soci::into(email, ind);
  const bool addressed = c.sql.got_data() && ind == soci::i_ok && !email.empty();
  const std::string key = "case:" + std::to_string(case_id) + ":seq:" + std::to_string(seq) + ":applicant";
  const std::string payload = boost::json::serialize(data);
  const std::string status = addressed ? "pending" : "kept";
  const std::string audience = "applicant";
  soci::indicator rcpt = addressed ? soci::i_ok : soci::i_null;
  c.sql << "INSERT INTO outbox (case_id, dedupe_key, kind, audience, recipient, data, status, attempts, next_attempt_at, "
           "claimed_until, created_at) VALUES (:c, :k, :w, :a, :r, :d, :s, 0, :n, 0, :t)",
      soci::use(case_id), soci::use(key), soci::use(what), soci::use(audience), soci::use(email, rcpt), soci::use(payload),
      soci::use(status), soci::use(now_ms), soci::use(now_ms);
}

namespace {

// Inserts unless the dedupe key exists (checked first; the unique key settles a race between instances).
bool insert_once(connection& c, const std::optional<long long>& case_id, const std::string& key, const std::string& kind,
                 const std::string& audience, const std::string& recipient, const std::string& user,
                 const std::string& data, long long now_ms) {
  int exists = 0;
  c.sql << "SELECT COUNT(*) FROM outbox WHERE dedupe_key = :k", soci::use(key), soci::into(exists);
  if (exists) return false;
  const std::string status = recipient.empty() ? "kept" : "pending";
  long long cid = case_id.value_or(0);
  soci::indicator case_ind = case_id ? soci::i_ok : soci::i_null, rcpt_ind = recipient.empty() ? soci::i_null : soci::i_ok,
                  user_ind = user.empty() ? soci::i_null : soci::i_ok;
  try {
    c.sql << "INSERT INTO outbox (case_id, dedupe_key, kind, audience, recipient, recipient_user, data, status, attempts, "
             "next_attempt_at, claimed_until, created_at) VALUES (:c, :k, :w, :a, :r, :u, :d, :s, 0, :n, 0, :t)",
        soci::use(cid, case_ind), soci::use(key), soci::use(kind), soci::use(audience), soci::use(recipient, rcpt_ind),
        soci::use(user, user_ind), soci::use(data), soci::use(status), soci::use(now_ms), soci::use(now_ms);
  } catch (const soci::soci_error&) {
    return false;  // another instance wrote it first
  }
  return true;
}

}  // namespace

bool enqueue_for_user(connection& c, long long case_id, const std::string& username, const std::string& kind,
                      const std::string& data_json, const std::string& dedupe_key, long long now_ms) {
  std::string email;
  soci::indicator ind = soci::i_null;
  c.sql << "SELECT email FROM users WHERE username = :u AND disabled = 0", soci::use(username), soci::into(email, ind);
  if (!c.sql.got_data()) return false;  // no such (enabled) account
  return insert_once(c, case_id ? std::optional<long long>(case_id) : std::nullopt, dedupe_key, kind,
                     "staff", ind == soci::i_ok ? email : std::string(), username, data_json,
                     now_ms);
}

bool enqueue_overdue_for_applicant(connection& c, long long case_id, const std::string& tracking_no, date due,
                                   long long now_ms) {
  std::string email;
  soci::indicator ind = soci::i_null;
  c.sql << "SELECT email FROM applications WHERE case_id = :c", soci::use(case_id), soci::into(email, ind);
  const std::string data = boost::json::serialize(boost::json::object{{"tracking_no", tracking_no}, {"due", format_date(due)}});
  return insert_once(c, case_id, "case:" + std::to_string(case_id) + ":overdue:" + format_date(due) + ":applicant",
                     "reply_overdue", "applicant", c.sql.got_data() && ind == soci::i_ok ? email : std::string(), "", data,
                     now_ms);
}

namespace {

constexpr const char* columns = "SELECT id, case_id, kind, audience, recipient, data, status, attempts, created_at, sent_at FROM outbox ";

message read_message(const soci::row& r) {
  message m;
  m.id = row_integer(r, 0);
  m.case_id = r.get_indicator(1) == soci::i_ok ? row_integer(r, 1) : 0;
  m.kind = r.get<std::string>(2);
  m.audience = r.get<std::string>(3);
  m.recipient = r.get_indicator(4) == soci::i_ok ? r.get<std::string>(4) : "";
  m.data = r.get<std::string>(5);
  m.status = r.get<std::string>(6);
  m.attempts = static_cast<int>(row_integer(r, 7));
  m.created_at = row_integer(r, 8);
  if (r.get_indicator(9) == soci::i_ok) m.sent_at = row_integer(r, 9);
  return m;
}

std::vector<message> select(connection& c, const std::string& where, long long a, long long b, int limit) {
  std::vector<message> out;
  soci::rowset<soci::row> rows =
      (c.sql.prepare << columns + where + " ORDER BY id LIMIT " + std::to_string(limit), soci::use(a), soci::use(b));
  for (const auto& r : rows) out.push_back(read_message(r));
  return out;
}

}  // namespace

std::vector<message> for_case(database& db, long long case_id) {
  return db.run(database::access::read, [&](connection& c) {
    return select(c, "WHERE case_id = :c AND id > :z", case_id, 0, 1000);
  });
}

std::vector<message> for_applicant(database& db, long long case_id) {
  return db.run(database::access::read, [&](connection& c) {
    std::vector<message> out;
    soci::rowset<soci::row> rows = (c.sql.prepare << std::string(columns) +
                                                         "WHERE case_id = :c AND audience = 'applicant' ORDER BY id LIMIT 1000",
                                    soci::use(case_id));
    for (const auto& r : rows) out.push_back(read_message(r));
    return out;
  });
}

std::vector<message> for_user(database& db, const std::string& username, int limit) {
  return db.run(database::access::read, [&](connection& c) {
    std::vector<message> out;
    soci::rowset<soci::row> rows =
        (c.sql.prepare << std::string(columns) + "WHERE recipient_user = :u ORDER BY id DESC LIMIT " + std::to_string(limit),
         soci::use(username));
    for (const auto& r : rows) out.push_back(read_message(r));
    return out;
  });
}

std::vector<message> claim_due(database& db, long long now_ms, int max, channel which, long long claim_ms) {
  auto candidates = db.run(database::access::read, [&](connection& c) {
    return select(c, std::string("WHERE audience ") + (which == channel::webhook ? "=" : "<>") +
                         " 'webhook' AND status = 'pending' AND next_attempt_at <= :n AND claimed_until < :m",
                  now_ms, now_ms, max);
  });
  std::vector<message> mine;
  for (auto& m : candidates) {
    bool claimed = db.run(database::access::write, [&](connection& c) {
      write_transaction tx(db, c);
      const long long until = now_ms + claim_ms;
      soci::statement st = (c.sql.prepare << "UPDATE outbox SET claimed_until = :u WHERE id = :i AND status = 'pending' "
                                             "AND claimed_until < :n",
                            soci::use(until), soci::use(m.id), soci::use(now_ms));
      st.execute(true);
      bool ok = st.get_affected_rows() == 1;
      tx.commit();
      return ok;
    });
    if (claimed) mine.push_back(std::move(m));
  }
  return mine;
}

void mark_sent(database& db, long long id, long long now_ms) {
  db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    c.sql << "UPDATE outbox SET status = 'sent', sent_at = :t WHERE id = :i", soci::use(now_ms), soci::use(id);
    tx.commit();
  });
}

void mark_attempt_failed(database& db, long long id, int attempts, const std::string& error, long long now_ms) {
  const int tried = attempts + 1;
  const long long delay = std::min<long long>(3'600'000, 30'000LL << std::min(tried - 1, 10));
  const long long next = now_ms + delay;
  const std::string status = tried >= 10 ? "failed" : "pending";
  const std::string err = error.substr(0, 400);
  db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    c.sql << "UPDATE outbox SET attempts = :a, next_attempt_at = :n, claimed_until = 0, status = :s, last_error = :e "
             "WHERE id = :i",
        soci::use(tried), soci::use(next), soci::use(status), soci::use(err), soci::use(id);
    tx.commit();
  });
}

}  // namespace gongkai::outbox
