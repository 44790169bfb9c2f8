#include "sql/applications.hpp"

#include "core/crypto.hpp"
#include "sql/search_index.hpp"

#include <sodium.h>

#include <cstdio>

namespace gongkai {

using namespace workflow;

namespace applications {

bool consume_nonce(connection& c, const std::string& nonce, long long now_s) {
  // The primary key settles a race between instances: the second insert stores nothing.
  soci::statement st = (c.sql.prepare << (c.kind == backend::sqlite ? "INSERT OR IGNORE" : "INSERT IGNORE") +
                                             std::string(" INTO used_form_tokens (nonce, used_at) VALUES (:n, :t)"),
                        soci::use(nonce), soci::use(now_s));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

std::string next_tracking_number(connection& c, int year) {
  // One statement creates the year's row or takes its next number, under the row's lock until commit:
  // no read-then-write race between instances (and no deadlock between two first filings of a year).
  if (c.kind == backend::sqlite)
    c.sql << "INSERT INTO tracking_counters (year, last_number) VALUES (:y, 1) "
             "ON CONFLICT(year) DO UPDATE SET last_number = last_number + 1", soci::use(year);
  else
    c.sql << "INSERT INTO tracking_counters (year, last_number) VALUES (:y, 1) "
             "ON DUPLICATE KEY UPDATE last_number = last_number + 1", soci::use(year);
  int n = 0;
  c.sql << "SELECT last_number FROM tracking_counters WHERE year = :y", soci::use(year), soci::into(n);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%06d", year, n);
  return buf;
}

filed file(database& db, const application& app, const std::string& channel, date received_on,
           const std::string& form_nonce, const actor& who, const working_calendar& cal, long long now_ms,
           const rate_limit::quota* quota) {
  filed out;
  out.access_code = crypto::new_access_code();
  const std::string code_hash = crypto::access_code_hash(out.access_code);
  case_event registration;
  registration.kind = event_kind::register_case;
  registration.on = received_on;
  registration.actor_role = who.role;
  registration.channel = channel;
  out.row = db.transact_grouped([&](connection& c) {
    // A used-up window is refused at once (a read, no lock); the attempt is counted last, so on MariaDB
    // the client's counter row stays locked only for the end of the transaction.
    const auto limited = [] { return domain_error(error_kind::rate_limited, "rate_limited", "操作过于频繁，请稍后再试"); };
    if (quota && rate_limit::exhausted_on(c, quota->purpose, quota->client, quota->limit, quota->window_seconds, quota->now_s))
      throw limited();
    if (!form_nonce.empty() && !consume_nonce(c, form_nonce, now_ms / 1000))
      throw domain_error(error_kind::forbidden, "form_replayed", "该表单已经提交过，请重新打开申请页面");
    auto row = cases::create_in(c, next_tracking_number(c, year_of(received_on)), registration, who, cal, now_ms);
    auto opt = [](const std::string& v) { return v.empty() ? soci::i_null : soci::i_ok; };
    soci::indicator id_type_i = opt(app.id_type), id_i = opt(app.id_number), cc_i = opt(app.credit_code),
                    cp_i = opt(app.contact_person), email_i = opt(app.email);
    const std::string category(to_string(app.category));
    c.sql << "INSERT INTO applications (case_id, category, name, id_type, id_number, credit_code, contact_person, phone, "
             "email, address, description, info_form, delivery, channel, access_code_hash, created_at) VALUES "
             "(:c, :cat, :n, :it, :id, :cc, :cp, :ph, :em, :ad, :de, :f, :dl, :ch, :h, :t)",
        soci::use(row.id), soci::use(category), soci::use(app.name), soci::use(app.id_type, id_type_i),
        soci::use(app.id_number, id_i), soci::use(app.credit_code, cc_i), soci::use(app.contact_person, cp_i),
        soci::use(app.phone), soci::use(app.email, email_i), soci::use(app.address), soci::use(app.description),
        soci::use(app.info_form), soci::use(app.delivery), soci::use(channel), soci::use(code_hash), soci::use(now_ms);
    search_index::add(c, row.id, app.name, app.description);
    cases::notify_registration(c, row, registration, cal, now_ms);
    if (quota && !rate_limit::count_in(c, *quota)) throw limited();
    return row;
  });
  return out;
}

namespace {

struct select_code_hash {
  std::string tracking_no, hash;
  soci::statement st;
  explicit select_code_hash(soci::session& s)
      : st((s.prepare << "SELECT a.access_code_hash FROM applications a JOIN cases c ON c.id = a.case_id "
                         "WHERE c.tracking_no = :t",
            soci::use(tracking_no), soci::into(hash))) {}
};

// The client's look-up window, and the view's stamp: version, the applicant's notices as id:state, the
// remedies setting (docs/decisions.md, "Status look-ups"). Always one row: the joins keep it when the
// number is unknown or the client has no window yet.
struct select_view_stamp {
  std::string bucket, tracking_no, hash, notices, setting;
  long long window_start = 0, id = 0;
  int hits = 0, version = 0;
  soci::indicator window_ind = soci::i_null, hits_ind = soci::i_null, hash_ind = soci::i_null, id_ind = soci::i_null,
                  version_ind = soci::i_null, notices_ind = soci::i_null, setting_ind = soci::i_null;
  soci::statement st;
  static std::string query(soci::session& s) {
    const bool mysql = s.get_backend_name() == "mysql";
    return std::string("SELECT r.window_start, r.hits, v.hash, v.id, v.version, v.notices, v.setting FROM (SELECT 1 AS one) k"
                       " LEFT JOIN rate_limits r ON r.bucket = :b"
                       " LEFT JOIN (SELECT a.access_code_hash AS hash, c.id AS id, c.version AS version, (SELECT ") +
           (mysql ? "GROUP_CONCAT(o.id, ':', o.status ORDER BY o.id)" : "group_concat(o.id || ':' || o.status)") +
           " FROM outbox o WHERE o.case_id = c.id AND o.audience = 'applicant') AS notices,"
           " (SELECT value FROM settings WHERE name = 'reconsideration_body') AS setting"
           " FROM cases c JOIN applications a ON a.case_id = c.id WHERE c.tracking_no = :t) v ON 1 = 1";
  }
  explicit select_view_stamp(soci::session& s)
      : st((s.prepare << query(s), soci::use(bucket), soci::use(tracking_no), soci::into(window_start, window_ind),
            soci::into(hits, hits_ind), soci::into(hash, hash_ind), soci::into(id, id_ind), soci::into(version, version_ind),
            soci::into(notices, notices_ind), soci::into(setting, setting_ind))) {}
};

bool code_matches(bool found, const std::string& stored_hash, const std::string& typed) {
  // Compare in constant time, and against a dummy when the number is unknown.
  const std::string stored = found && stored_hash.size() == typed.size() ? stored_hash : std::string(typed.size(), '0');
  return sodium_memcmp(stored.data(), typed.data(), typed.size()) == 0 && found;
}

}  // namespace

look_up stamp_for_applicant(connection& c, const rate_limit::quota& window, const std::string& tracking_no,
                            const std::string& access_code) {
  const std::string typed = crypto::access_code_hash(access_code);
  auto& q = c.prepared<select_view_stamp>();
  q.bucket = rate_limit::bucket_of(window.purpose, window.client);
  q.tracking_no = tracking_no;
  if (!fetch_one(q.st)) throw std::runtime_error("the look-up statement returned no row");
  look_up out;
  out.exhausted = q.window_ind == soci::i_ok && q.hits_ind == soci::i_ok &&
                  q.window_start == rate_limit::window_of(window) && q.hits >= window.limit;
  if (out.exhausted) return out;
  const bool found = q.hash_ind == soci::i_ok;
  if (!code_matches(found, found ? q.hash : std::string(), typed)) return out;
  view_stamp v{q.id, q.version, std::to_string(q.version)};
  v.stamp += '|';
  if (q.notices_ind == soci::i_ok) v.stamp += q.notices;
  v.stamp += '|';
  if (q.setting_ind == soci::i_ok) v.stamp += q.setting;
  out.stamp = std::move(v);
  return out;
}

std::optional<case_row> find_for_applicant(database& db, const std::string& tracking_no, const std::string& access_code) {
  const std::string typed = crypto::access_code_hash(access_code);
  return db.run(database::access::read, [&](connection& c) -> std::optional<case_row> {
    auto& q = c.prepared<select_code_hash>();
    q.tracking_no = tracking_no;
    bool found = fetch_one(q.st);
    if (!code_matches(found, q.hash, typed)) return std::nullopt;
    return cases::find_on(c, tracking_no);
  });
}

std::optional<application> details(database& db, long long case_id) {
  return db.run(database::access::read, [&](connection& c) -> std::optional<application> {
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT category, name, id_type, id_number, credit_code, contact_person, phone, email, address, "
                          "description, info_form, delivery FROM applications WHERE case_id = :c",
         soci::use(case_id));
    for (const auto& r : rows) {
      auto text = [&](std::size_t i) { return r.get_indicator(i) == soci::i_ok ? r.get<std::string>(i) : std::string(); };
      application a;
      a.category = parse_category(text(0)).value_or(applicant_category::other);
      a.name = text(1);
      a.id_type = text(2);
      a.id_number = text(3);
      a.credit_code = text(4);
      a.contact_person = text(5);
      a.phone = text(6);
      a.email = text(7);
      a.address = text(8);
      a.description = text(9);
      a.info_form = text(10);
      a.delivery = text(11);
      return a;
    }
    return std::nullopt;
  });
}

}  // namespace applications

namespace rate_limit {

std::string bucket_of(std::string_view purpose, std::string_view client) {
  return crypto::token_hash(std::string(purpose) + "|" + std::string(client));
}

long long window_of(const quota& q) { return q.now_s - q.now_s % q.window_seconds; }

bool count_in(connection& c, const quota& q) {
  const std::string bucket = bucket_of(q.purpose, q.client);
  const long long window = window_of(q);
  // One upsert counts the hit (a new window starts at 1) and holds the row's lock until commit, so the
  // count read next is exact however many instances and threads count at once.
  if (c.kind == backend::sqlite)
    c.sql << "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (:b, :w, 1) ON CONFLICT(bucket) DO UPDATE SET "
             "hits = CASE WHEN window_start = excluded.window_start THEN hits + 1 ELSE 1 END, "
             "window_start = excluded.window_start",
        soci::use(bucket), soci::use(window);
  else
    c.sql << "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (:b, :w, 1) ON DUPLICATE KEY UPDATE "
             "hits = IF(window_start = VALUES(window_start), hits + 1, 1), window_start = VALUES(window_start)",
        soci::use(bucket), soci::use(window);
  int hits = 0;
  c.sql << "SELECT hits FROM rate_limits WHERE bucket = :b", soci::use(bucket), soci::into(hits);
  return hits <= q.limit;
}

bool allow(database& db, std::string_view purpose, std::string_view client, int limit, int window_seconds, long long now_s) {
  return db.transact([&](connection& c) { return count_in(c, {purpose, client, limit, window_seconds, now_s}); });
}

namespace {

struct select_bucket {
  std::string bucket;
  long long start = 0;
  int hits = 0;
  soci::statement st;
  explicit select_bucket(soci::session& s)
      : st((s.prepare << "SELECT window_start, hits FROM rate_limits WHERE bucket = :b", soci::use(bucket),
            soci::into(start), soci::into(hits))) {}
};

}  // namespace

bool exhausted_on(connection& c, std::string_view purpose, std::string_view client, int limit, int window_seconds,
                  long long now_s) {
  auto& q = c.prepared<select_bucket>();
  q.bucket = bucket_of(purpose, client);
  return fetch_one(q.st) && q.start == window_of({purpose, client, limit, window_seconds, now_s}) && q.hits >= limit;
}

bool exhausted(database& db, std::string_view purpose, std::string_view client, int limit, int window_seconds,
               long long now_s) {
  return db.run(database::access::read,
                [&](connection& c) { return exhausted_on(c, purpose, client, limit, window_seconds, now_s); });
}

}  // namespace rate_limit

std::string shared_secret(database& db, const std::string& name) {
  auto read = [&]() -> std::optional<std::string> {
    return db.run(database::access::read, [&](connection& c) -> std::optional<std::string> {
      std::string v;
      soci::indicator ind;
      c.sql << "SELECT value FROM secrets WHERE name = :n", soci::use(name), soci::into(v, ind);
      if (!c.sql.got_data() || ind != soci::i_ok) return std::nullopt;
      return v;
    });
  };
  if (auto v = read()) return *v;
  try {
    const std::string value = crypto::new_secret_key();
    db.run(database::access::write, [&](connection& c) {
      c.sql << "INSERT INTO secrets (name, value) VALUES (:n, :v)", soci::use(name), soci::use(value);
    });
  } catch (const soci::soci_error&) {
    // Another instance created it first: use theirs.
  }
  return *read();
}

}  // namespace gongkai
