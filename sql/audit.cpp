#include "sql/audit.hpp"

#include "sql/cases.hpp"
#include "sql/users.hpp"

namespace gongkai::audit {

void record(connection& c, const origin& by, std::string_view kind, std::string_view target, std::string_view detail) {
  const long long at = by.at_ms;
  // A target is an account name; whatever else a client typed as a user name is not stored (it may not even
  // be text).
  const std::string actor = by.actor, client = by.client.substr(0, 64), what(kind), json(detail);
  const std::string whom = is_valid_username(target) ? std::string(target) : std::string();
  soci::indicator actor_ind = actor.empty() ? soci::i_null : soci::i_ok;
  soci::indicator target_ind = whom.empty() ? soci::i_null : soci::i_ok;
  soci::indicator client_ind = client.empty() ? soci::i_null : soci::i_ok;
  c.sql << "INSERT INTO audit_log (at_ms, actor, kind, target, client, detail) VALUES (:a, :ac, :k, :t, :c, :d)",
      soci::use(at), soci::use(actor, actor_ind), soci::use(what), soci::use(whom, target_ind),
      soci::use(client, client_ind), soci::use(json);
}

std::vector<entry> recent(database& db, int limit) {
  return db.run(database::access::read, [&](connection& c) {
    std::vector<entry> out;
    soci::rowset<soci::row> rows = (c.sql.prepare << "SELECT id, at_ms, actor, kind, target, client, detail FROM audit_log "
                                                     "ORDER BY id DESC LIMIT :n",
                                    soci::use(limit));
    auto text = [](const soci::row& r, std::size_t i) -> std::optional<std::string> {
      if (r.get_indicator(i) == soci::i_null) return std::nullopt;
      return r.get<std::string>(i);
    };
    for (const auto& r : rows) {
      entry e;
      e.id = row_integer(r, 0);
      e.at_ms = row_integer(r, 1);
      e.actor = text(r, 2);
      e.kind = r.get<std::string>(3);
      e.target = text(r, 4);
      e.client = text(r, 5);
      e.detail = text(r, 6).value_or("{}");
      out.push_back(std::move(e));
    }
    return out;
  });
}

}  // namespace gongkai::audit
