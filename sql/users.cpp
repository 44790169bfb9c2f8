#include "sql/users.hpp"

#include "core/crypto.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace gongkai {

bool is_valid_role(std::string_view r) {
  return std::find(std::begin(all_roles), std::end(all_roles), r) != std::end(all_roles);
}

bool is_valid_username(std::string_view u) {
  if (u.size() < 2 || u.size() > 64) return false;
  return std::all_of(u.begin(), u.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool user::has_role(std::string_view r) const { return std::find(roles.begin(), roles.end(), r) != roles.end(); }

namespace {

// Statements on the login and session paths: prepared once per connection, then reused.
struct select_user_by_name {
  std::string username;
  long long id = 0;
  std::string display_name, password_hash;
  int must_change = 0, disabled = 0;
  soci::statement st;
  explicit select_user_by_name(soci::session& s)
      : st((s.prepare << "SELECT id, display_name, password_hash, must_change_password, disabled FROM users "
                         "WHERE username = :u",
            soci::use(username), soci::into(id), soci::into(display_name), soci::into(password_hash),
            soci::into(must_change), soci::into(disabled))) {}
};

struct select_roles {
  long long user_id = 0;
  std::vector<std::string> roles = std::vector<std::string>(8);
  soci::statement st;
  explicit select_roles(soci::session& s)
      : st((s.prepare << "SELECT role FROM user_roles WHERE user_id = :id ORDER BY role", soci::use(user_id),
            soci::into(roles))) {}
};

struct insert_session {
  std::string token_hash;
  long long user_id = 0, created = 0, expires = 0;
  soci::statement st;
  explicit insert_session(soci::session& s)
      : st((s.prepare << "INSERT INTO auth_sessions (token_hash, user_id, created_at, last_seen_at, expires_at) "
                         "VALUES (:h, :u, :c, :c2, :e)",
            soci::use(token_hash), soci::use(user_id), soci::use(created), soci::use(created), soci::use(expires))) {}
};

struct select_session {
  std::string token_hash;
  long long user_id = 0, last_seen = 0, expires = 0;
  std::string username, display_name;
  int must_change = 0, disabled = 0;
  soci::statement st;
  explicit select_session(soci::session& s)
      : st((s.prepare << "SELECT s.user_id, s.last_seen_at, s.expires_at, u.username, u.display_name, "
                         "u.must_change_password, u.disabled FROM auth_sessions s JOIN users u ON u.id = s.user_id "
                         "WHERE s.token_hash = :h",
            soci::use(token_hash), soci::into(user_id), soci::into(last_seen), soci::into(expires),
            soci::into(username), soci::into(display_name), soci::into(must_change), soci::into(disabled))) {}
};

struct touch_session {
  std::string token_hash;
  long long now = 0;
  soci::statement st;
  explicit touch_session(soci::session& s)
      : st((s.prepare << "UPDATE auth_sessions SET last_seen_at = :n WHERE token_hash = :h", soci::use(now),
            soci::use(token_hash))) {}
};

std::vector<std::string> roles_of(connection& c, long long user_id) {
  auto& q = c.prepared<select_roles>();
  q.user_id = user_id;
  std::vector<std::string> out;
  q.roles.resize(8);
  q.st.execute();
  while (q.st.fetch()) {
    out.insert(out.end(), q.roles.begin(), q.roles.end());
    q.roles.resize(8);
  }
  return out;
}

std::optional<std::pair<user, std::string>> load_user(connection& c, const std::string& username) {
  auto& q = c.prepared<select_user_by_name>();
  q.username = username;
  if (!fetch_one(q.st)) return std::nullopt;
  user u;
  u.id = q.id;
  u.username = username;
  u.display_name = q.display_name;
  u.must_change_password = q.must_change != 0;
  u.disabled = q.disabled != 0;
  std::string hash = q.password_hash;
  u.roles = roles_of(c, u.id);
  return std::make_pair(std::move(u), std::move(hash));
}

}  // namespace

namespace users {

long long create(database& db, const std::string& username, const std::string& display_name,
                 const std::string& password_hash, const std::vector<std::string>& roles, bool must_change_password, long long now_s) {
  if (!is_valid_username(username))
    throw domain_error(error_kind::invalid, "invalid_username",
                           "用户名须为 2-64 位小写字母、数字或 . _ -");
  for (const auto& r : roles)
    if (!is_valid_role(r))
      throw domain_error(error_kind::invalid, "invalid_role", "未知角色: " + r);
  return db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    int exists = 0;
    c.sql << "SELECT COUNT(*) FROM users WHERE username = :u", soci::use(username), soci::into(exists);
    if (exists) throw domain_error(error_kind::conflict, "username_taken", "用户名已存在");
    const long long now = now_s;
    const int must = must_change_password ? 1 : 0;
    c.sql << "INSERT INTO users (username, display_name, password_hash, must_change_password, disabled, created_at, "
             "updated_at) VALUES (:u, :d, :p, :m, 0, :c, :c2)",
        soci::use(username), soci::use(display_name), soci::use(password_hash), soci::use(must), soci::use(now),
        soci::use(now);
    long long id = c.last_insert_id();
    for (const auto& r : roles) c.sql << "INSERT INTO user_roles (user_id, role) VALUES (:i, :r)", soci::use(id), soci::use(r);
    tx.commit();
    return id;
  });
}

std::optional<user> find(database& db, const std::string& username) {
  return db.run(database::access::read, [&](connection& c) -> std::optional<user> {
    auto found = load_user(c, username);
    if (!found) return std::nullopt;
    return std::move(found->first);
  });
}

std::optional<user> authenticate(database& db, const std::string& username, const std::string& password) {
  auto found = db.run(database::access::read, [&](connection& c) { return load_user(c, username); });
  if (!found || found->first.disabled) {
    // Spend the same time as a real check, so timing does not tell which usernames exist.
    static const std::string dummy = crypto::hash_password("gongkai-dummy-password");
    crypto::verify_password(dummy, password);
    return std::nullopt;
  }
  if (!crypto::verify_password(found->second, password)) return std::nullopt;
  return std::move(found->first);
}

namespace {

// Ends every session and revokes every API token of the account (but the session `keep_hash`, if any),
// inside the caller's transaction.
void end_access(connection& c, long long user_id, const std::string& keep_hash) {
  c.sql << "DELETE FROM auth_sessions WHERE user_id = :u AND token_hash <> :h", soci::use(user_id), soci::use(keep_hash);
  c.sql << "UPDATE api_tokens SET revoked = 1 WHERE user_id = :u AND revoked = 0", soci::use(user_id);
}

std::optional<long long> user_id_of(connection& c, const std::string& username) {
  long long id = 0;
  soci::indicator ind = soci::i_null;
  c.sql << "SELECT id FROM users WHERE username = :u", soci::use(username), soci::into(id, ind);
  if (!c.sql.got_data() || ind != soci::i_ok) return std::nullopt;
  return id;
}

}  // namespace

bool set_password(database& db, const std::string& username, const std::string& password_hash, bool must_change,
                  const audit::origin& by, std::string_view kind, const std::string& keep_session) {
  const std::string keep_hash = keep_session.empty() ? std::string() : crypto::token_hash(keep_session);
  return db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    auto id = user_id_of(c, username);
    if (!id) return false;
    const long long now = by.at_ms / 1000;
    const int must = must_change ? 1 : 0;
    c.sql << "UPDATE users SET password_hash = :p, must_change_password = :m, updated_at = :n WHERE id = :i",
        soci::use(password_hash), soci::use(must), soci::use(now), soci::use(*id);
    end_access(c, *id, keep_hash);
    audit::record(c, by, kind, username);
    tx.commit();
    return true;
  });
}

bool set_disabled(database& db, const std::string& username, bool disabled, const audit::origin& by) {
  return db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    const long long now = by.at_ms / 1000;
    const int flag = disabled ? 1 : 0;
    soci::statement st = (c.sql.prepare << "UPDATE users SET disabled = :d, updated_at = :n WHERE username = :u",
                          soci::use(flag), soci::use(now), soci::use(username));
    st.execute(true);
    bool changed = st.get_affected_rows() > 0;
    if (changed && disabled)
      if (auto id = user_id_of(c, username)) end_access(c, *id, "");
    if (changed) audit::record(c, by, disabled ? "disabled" : "enabled", username);
    tx.commit();
    return changed;
  });
}

void set_email(database& db, const std::string& username, const std::string& email) {
  db.transact([&](connection& c) {
    soci::indicator ind = email.empty() ? soci::i_null : soci::i_ok;
    c.sql << "UPDATE users SET email = :e WHERE username = :u", soci::use(email, ind), soci::use(username);
  });
}

bool any_admin(database& db) {
  return db.run(database::access::read, [](connection& c) {
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = 'admin' AND u.disabled = 0",
        soci::into(n);
    return n > 0;
  });
}

bool set_roles(database& db, const std::string& username, const std::vector<std::string>& roles,
               const audit::origin& by) {
  for (const auto& r : roles)
    if (!is_valid_role(r)) throw domain_error(error_kind::invalid, "invalid_role", "未知角色: " + r);
  return db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    long long id = 0;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT id FROM users WHERE username = :u", soci::use(username), soci::into(id, ind);
    if (!c.sql.got_data()) return false;
    c.sql << "DELETE FROM user_roles WHERE user_id = :i", soci::use(id);
    boost::json::array list;
    for (const auto& r : roles) {
      c.sql << "INSERT INTO user_roles (user_id, role) VALUES (:i, :r)", soci::use(id), soci::use(r);
      list.emplace_back(r);
    }
    audit::record(c, by, "roles_changed", username, boost::json::serialize(boost::json::object{{"roles", list}}));
    tx.commit();
    return true;
  });
}

std::vector<user> all(database& db) {
  auto names = db.run(database::access::read, [](connection& c) {
    std::vector<std::string> out;
    soci::rowset<std::string> rows = (c.sql.prepare << "SELECT username FROM users ORDER BY username");
    for (const auto& n : rows) out.push_back(n);
    return out;
  });
  std::vector<user> out;
  for (const auto& n : names)
    if (auto u = find(db, n)) out.push_back(*u);
  return out;
}

std::vector<user> with_role(database& db, const std::string& role) {
  return db.run(database::access::read, [&](connection& c) {
    std::vector<user> out;
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT u.id, u.username, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id "
                          "WHERE r.role = :r AND u.disabled = 0 ORDER BY u.username",
         soci::use(role));
    for (const auto& r : rows) {
      user u;
      u.id = row_integer(r, 0);
      u.username = r.get<std::string>(1);
      u.display_name = r.get<std::string>(2);
      out.push_back(std::move(u));
    }
    return out;
  });
}

}  // namespace users

namespace sessions {

created open(connection& c, long long user_id, long long now, long long lifetime_seconds) {
  created out{crypto::random_token(), now + lifetime_seconds};
  auto& q = c.prepared<insert_session>();
  q.token_hash = crypto::token_hash(out.token);
  q.user_id = user_id;
  q.created = now;
  q.expires = out.expires_at;
  q.st.execute(true);
  return out;
}

created open(database& db, long long user_id, long long now, long long lifetime_seconds) {
  return db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    auto out = open(c, user_id, now, lifetime_seconds);
    tx.commit();
    return out;
  });
}

std::optional<user> resume(database& db, const std::string& token, long long now, long long idle_seconds) {
  const std::string hash = crypto::token_hash(token);
  long long last_seen = 0;
  auto found = db.run(database::access::read, [&](connection& c) -> std::optional<user> {
    auto& q = c.prepared<select_session>();
    q.token_hash = hash;
    if (!fetch_one(q.st)) return std::nullopt;
    if (q.disabled || q.expires <= now || q.last_seen + idle_seconds <= now) return std::nullopt;
    user u;
    u.id = q.user_id;
    u.username = q.username;
    u.display_name = q.display_name;
    u.must_change_password = q.must_change != 0;
    u.roles = roles_of(c, u.id);
    last_seen = q.last_seen;
    return u;
  });
  // Refresh the idle clock at most once a minute: a session check is not a write per request.
  if (found && now - last_seen >= 60) {
    db.run(database::access::write, [&](connection& c) {
      write_transaction tx(db, c);
      auto& t = c.prepared<touch_session>();
      t.token_hash = hash;
      t.now = now;
      t.st.execute(true);
      tx.commit();
    });
  }
  return found;
}

void close(database& db, const std::string& token) {
  const std::string hash = crypto::token_hash(token);
  db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    c.sql << "DELETE FROM auth_sessions WHERE token_hash = :h", soci::use(hash);
    tx.commit();
  });
}

void follow_clock(database& db, long long seconds) {
  db.transact([&](connection& c) {
    c.sql << "UPDATE auth_sessions SET expires_at = expires_at + :s, last_seen_at = last_seen_at + :s2", soci::use(seconds),
        soci::use(seconds);
  });
}

}  // namespace sessions

}  // namespace gongkai
