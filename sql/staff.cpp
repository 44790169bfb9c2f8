#include "sql/staff.hpp"

#include "core/crypto.hpp"
#include "sql/outbox.hpp"
#include "sql/search_index.hpp"
#include "workflow/deadlines.hpp"

#include <boost/json.hpp>

namespace gongkai::staff_store {

using namespace workflow;

queue_page queue(database& db, const queue_filter& f) {
  return db.run(database::access::read, [&](connection& c) {
    // Every filter is a bound parameter; the SQL text only varies by which filters are present. The count
    // and the page are two statements, each with its own values in the order of its placeholders.
    std::vector<std::string> count_values, page_values;
    std::vector<std::string>* values = &count_values;
    auto bind = [&](const std::string& value) {
      values->push_back(value);
      return ":p" + std::to_string(values->size() - 1);
    };
    // A tracking number is looked up in its unique index and finds its case alone; any other search is a
    // substring of the applicant's name or the request text, answered from the gram index.
    std::optional<long long> numbered;
    std::optional<search_index::text_clause> text;
    if (!f.search.empty()) {
      long long id = 0;
      const auto first = f.search.find_first_not_of(" \t"), last = f.search.find_last_not_of(" \t");
      std::string no = first == std::string::npos ? std::string() : f.search.substr(first, last - first + 1);
      c.sql << "SELECT id FROM cases WHERE tracking_no = :t", soci::use(no), soci::into(id);
      if (c.sql.got_data()) numbered = id;
      else text = search_index::match(c, f.search, bind, f.search_postings_read);
    }
    const std::string& open_states = open_states_sql();
    const std::string joined = " LEFT JOIN applications a ON a.case_id = c.id";
    // FROM and WHERE for the count (drive: the search's rarest postings first) or the page. The open
    // states of the due-date filters are read from (state, due_sort) by the count; the page must walk its
    // order's index instead (else SQLite sorts every overdue case): "+" keeps SQLite off that index.
    auto from_where = [&](bool drive, bool page) {
      const std::string open = (page && c.kind == backend::sqlite ? " AND +c.state IN " : " AND c.state IN ") + open_states;
      std::string where = " WHERE 1 = 1";
      std::string from = " FROM cases c" + joined;
      if (text && text->none) where += " AND 1 = 0";
      else if (text && drive) {
        from = " FROM " + search_index::join_cases(c.kind) + joined;
        where += " AND " + text->drive();
      } else if (text) where += " AND " + text->walk();
      if (numbered) where += " AND c.id = " + std::to_string(*numbered);
      if (f.which == queue_filter::view::mine) where += " AND c.assignee = " + bind(f.me);
      if (f.which == queue_filter::view::unassigned) where += " AND c.assignee IS NULL";
      if (f.state) where += " AND c.state = " + bind(std::string(to_string(*f.state)));
      if (f.overdue_only) where += " AND c.due_sort < " + bind(format_date(f.today)) + open;  // = reply_due
      if (f.due_by) where += " AND c.due_sort <= " + bind(format_date(*f.due_by)) + open;
      if (f.due_from) where += " AND c.due_sort >= " + bind(format_date(*f.due_from)) + open;
      if (!f.channel.empty()) where += " AND a.channel = " + bind(f.channel);
      if (!f.category.empty()) where += " AND a.category = " + bind(f.category);
      if (f.received_from) where += " AND c.received_on >= " + bind(format_date(*f.received_from));
      if (f.received_to) where += " AND c.received_on <= " + bind(format_date(*f.received_to));
      return from + where;
    };
    // A search's count reads its rarest postings (at most count_cap + 1 of them match before it stops);
    // its page reads them too when they are few, else walks the order's index.
    const std::string count_sql = from_where(text.has_value(), false);
    values = &page_values;
    std::string page_sql = from_where(text && text->drive_first, true);
    // Both orders are read from an index (due_sort, id / received_on, id: migration 0011), so a page does
    // not sort the whole history, and the page after a cursor starts where the index says (keyset paging:
    // as fast at row 100,000 as on the first page); the count is bounded (past count_cap: "more than").
    const std::string key = f.sort_by_received ? "c.received_on" : "c.due_sort";
    const std::string order = f.sort_by_received ? " ORDER BY c.received_on DESC, c.id DESC" : " ORDER BY c.due_sort, c.id";
    // SQLite reads a row-value comparison as a range of the index; MariaDB its spelled-out form.
    if (f.after) {
      const char* beyond = f.sort_by_received ? " < " : " > ";
      const std::string id = std::to_string(f.after->id);
      if (c.kind == backend::sqlite) {
        page_sql += " AND (" + key + ", c.id)" + beyond + "(" + bind(f.after->key) + ", " + id + ")";
      } else {
        const std::string k = bind(f.after->key);
        page_sql += " AND (" + key + beyond + k + " OR (" + key + " = " + bind(f.after->key) + " AND c.id" + beyond + id + "))";
      }
    }
    queue_page out;
    if (text) out.cap = queue_page::search_count_cap;
    {
      auto prep = c.sql.prepare << "SELECT COUNT(*) FROM (SELECT 1 AS one" + count_sql + " LIMIT " +
                                       std::to_string(out.cap + 1) + ") bounded";
      prep, soci::into(out.total);
      for (auto& v : count_values) prep, soci::use(v);
      soci::statement count(prep);
      count.execute(true);
    }
    const int limit = f.page_size + 1;  // one more: is there a next page?
    soci::rowset<soci::row> rows = [&] {
      // MariaDB would turn the walk's EXISTS into a semi-join read from the postings and sort them all:
      // the statement keeps it a check per case met in the order's index.
      const std::string walk = text && !text->drive_first && !text->none && c.kind == backend::mysql
                                   ? "SET STATEMENT optimizer_switch = 'exists_to_in=off,semijoin=off' FOR "
                                   : "";
      // The page's ids first (the application is joined only if a filter needs it), then their rows: a
      // search that sorts its postings' cases does not read each one's application too.
      auto prep = c.sql.prepare << walk + "SELECT c.tracking_no, c.state, c.received_on, c.reply_due, c.due_provisional, c.assignee, "
                                   "a.name, a.category, a.channel, a.id_number, a.credit_code, a.phone, c.id, " + key +
                                       " FROM (SELECT c.id AS page_id" + page_sql + order + " LIMIT " + std::to_string(limit) +
                                       ") page JOIN cases c ON c.id = page.page_id" + joined + order;
      for (auto& v : page_values) prep, soci::use(v);
      return soci::rowset<soci::row>(prep);
    }();
    std::vector<queue_cursor> ends;
    for (const auto& r : rows) {
      auto column = [&](std::size_t i) { return r.get_indicator(i) == soci::i_ok ? r.get<std::string>(i) : std::string(); };
      queue_row q;
      q.tracking_no = column(0);
      q.state = parse_state(column(1)).value_or(case_state::received);
      q.received_on = parse_date(column(2)).value_or(date{});
      q.reply_due = parse_date(column(3));
      q.due_provisional = row_integer(r, 4) != 0;
      q.assignee = column(5);
      q.name = column(6);
      q.category = column(7);
      q.channel = column(8);
      q.masked_id = mask_identity(column(9).empty() ? column(10) : column(9));
      q.masked_phone = mask_phone(column(11));
      ends.push_back({column(13), row_integer(r, 12)});
      out.rows.push_back(std::move(q));
    }
    if (static_cast<int>(out.rows.size()) > f.page_size) {
      out.rows.pop_back();
      out.next = ends[out.rows.size() - 1];
    }
    return out;
  });
}

namespace {

case_row assign_in(connection& c, const std::string& tracking_no, std::optional<int> expected_version,
                   const std::string& assignee, const actor& who, long long now_ms) {
  auto current = cases::find_on(c, tracking_no);
  boost::json::object p{{"assignee", assignee}, {"previous", current ? current->assignee : std::string()}};
  return cases::record_in(c, tracking_no, expected_version, "assign", boost::json::serialize(p), who, now_ms,
                          [&](connection& tx, long long id) {
                            soci::indicator ind = assignee.empty() ? soci::i_null : soci::i_ok;
                            tx.sql << "UPDATE cases SET assignee = :a WHERE id = :i", soci::use(assignee, ind), soci::use(id);
                            // The new assignee is told, in the same transaction.
                            if (!assignee.empty() && assignee != who.name)
                              outbox::enqueue_for_user(
                                  tx, id, assignee, "assigned",
                                  boost::json::serialize(boost::json::object{{"tracking_no", tracking_no}}),
                                  "case:" + std::to_string(id) + ":assign:" + std::to_string(now_ms) + ":" + assignee,
                                  now_ms);
                          });
}

}  // namespace

case_row assign(database& db, const std::string& tracking_no, std::optional<int> expected_version,
                const std::string& assignee, const actor& who, long long now_ms) {
  return db.transact([&](connection& c) { return assign_in(c, tracking_no, expected_version, assignee, who, now_ms); });
}

std::vector<case_row> assign_all(database& db, const std::vector<std::string>& tracking_numbers,
                                 const std::string& assignee, const actor& who, long long now_ms) {
  return db.transact([&](connection& c) {
    std::vector<case_row> out;
    for (const auto& no : tracking_numbers) out.push_back(assign_in(c, no, std::nullopt, assignee, who, now_ms));
    return out;
  });
}

case_row add_note(database& db, const std::string& tracking_no, std::optional<int> expected_version,
                  const std::string& text, const actor& who, long long now_ms) {
  return cases::record(db, tracking_no, expected_version, "note",
                       boost::json::serialize(boost::json::object{{"text", text}}), who, now_ms);
}

std::optional<std::string> assignee_of(database& db, const std::string& tracking_no) {
  auto row = cases::find(db, tracking_no);
  if (!row || row->assignee.empty()) return std::nullopt;
  return row->assignee;
}

void record_reveal(database& db, long long case_id, const std::string& field, const std::string& user, long long now_ms) {
  db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    c.sql << "INSERT INTO reveals (case_id, field, user_name, revealed_at) VALUES (:c, :f, :u, :t)", soci::use(case_id),
        soci::use(field), soci::use(user), soci::use(now_ms);
    tx.commit();
  });
}

int reveals(database& db, long long case_id) {
  return db.run(database::access::read, [&](connection& c) {
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM reveals WHERE case_id = :c", soci::use(case_id), soci::into(n);
    return n;
  });
}

std::vector<staff_stat> staff_stats(database& db) {
  return db.run(database::access::read, [](connection& c) {
    std::vector<staff_stat> out;
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT assignee, "
                          "SUM(CASE WHEN state IN " + open_states_sql() + " THEN 1 ELSE 0 END), "
                          "SUM(CASE WHEN concluded_on IS NOT NULL THEN 1 ELSE 0 END), "
                          "SUM(CASE WHEN concluded_on IS NOT NULL AND concluded_due IS NOT NULL AND concluded_on <= concluded_due "
                          "THEN 1 ELSE 0 END) FROM cases WHERE assignee IS NOT NULL GROUP BY assignee ORDER BY assignee");
    for (const auto& r : rows) {
      auto num = [&](std::size_t i) {
        if (r.get_indicator(i) != soci::i_ok) return 0;
        return static_cast<int>(row_integer(r, i));
      };
      out.push_back({r.get<std::string>(0), num(1), num(2), num(3)});
    }
    return out;
  });
}

std::vector<waiting_case> pending_extensions(database& db, const working_calendar&) {
  return db.run(database::access::read, [](connection& c) {
    std::vector<waiting_case> out;
    soci::rowset<soci::row> rows =
        (c.sql.prepare << "SELECT tracking_no, reply_due, extension_pending FROM cases "
                          "WHERE state = 'under_review' AND extension_pending > 0 ORDER BY id LIMIT " +
                              std::to_string(waiting_list_cap + 1));
    for (const auto& r : rows)
      out.push_back({r.get<std::string>(0),
                     r.get_indicator(1) == soci::i_ok ? parse_date(r.get<std::string>(1)).value_or(date{}) : date{},
                     static_cast<int>(row_integer(r, 2))});
    return out;
  });
}

std::vector<waiting_case> correction_window_open(database& db, const working_calendar&, date today) {
  const std::string from = format_date(today);
  return db.run(database::access::read, [&](connection& c) {
    std::vector<waiting_case> out;
    // Soonest deadline first, in the order of the (state, period_due) index: MariaDB otherwise walks the
    // primary key through every case looking for received ones (1 M rows examined at 1 M cases).
    soci::rowset<soci::row> rows = (c.sql.prepare << "SELECT tracking_no, period_due FROM cases WHERE state = 'received' "
                                                     "AND period_due >= :t ORDER BY period_due, id LIMIT " +
                                                         std::to_string(waiting_list_cap + 1),
                                    soci::use(from));
    for (const auto& r : rows) out.push_back({r.get<std::string>(0), parse_date(r.get<std::string>(1)).value_or(date{}), 0});
    return out;
  });
}

namespace {

std::string username_of(connection& c, long long user_id) {
  std::string name;
  soci::indicator ind = soci::i_null;
  c.sql << "SELECT username FROM users WHERE id = :u", soci::use(user_id), soci::into(name, ind);
  return c.sql.got_data() && ind == soci::i_ok ? name : std::string();
}

}  // namespace

std::string issue_api_token(database& db, long long user_id, const std::string& label, long long now_s,
                            const audit::origin& by) {
  auto token = "gk_" + crypto::random_token();
  const std::string hash = crypto::token_hash(token);
  db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    c.sql << "INSERT INTO api_tokens (token_hash, user_id, label, created_at, revoked) VALUES (:h, :u, :l, :t, 0)",
        soci::use(hash), soci::use(user_id), soci::use(label), soci::use(now_s);
    audit::record(c, by, "api_token_issued", username_of(c, user_id),
                  boost::json::serialize(boost::json::object{{"label", label}}));
    tx.commit();
  });
  return token;
}

std::optional<user> api_token_user(database& db, const std::string& token) {
  const std::string hash = crypto::token_hash(token);
  auto username = db.run(database::access::read, [&](connection& c) -> std::optional<std::string> {
    std::string name;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT u.username FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = :h AND t.revoked = 0 "
             "AND u.disabled = 0",
        soci::use(hash), soci::into(name, ind);
    if (!c.sql.got_data() || ind != soci::i_ok) return std::nullopt;
    return name;
  });
  if (!username) return std::nullopt;
  return users::find(db, *username);
}

int revoke_api_tokens(database& db, long long user_id, const audit::origin& by) {
  return db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    soci::statement st = (c.sql.prepare << "UPDATE api_tokens SET revoked = 1 WHERE user_id = :u AND revoked = 0",
                          soci::use(user_id));
    st.execute(true);
    int n = static_cast<int>(st.get_affected_rows());
    audit::record(c, by, "api_tokens_revoked", username_of(c, user_id),
                  boost::json::serialize(boost::json::object{{"count", n}}));
    tx.commit();
    return n;
  });
}

std::string setting(database& db, const std::string& name, const std::string& fallback) {
  return db.run(database::access::read, [&](connection& c) {
    std::string v;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT value FROM settings WHERE name = :n", soci::use(name), soci::into(v, ind);
    return c.sql.got_data() && ind == soci::i_ok ? v : fallback;
  });
}

void set_setting(database& db, const std::string& name, const std::string& value) {
  db.run(database::access::write, [&](connection& c) {
    write_transaction tx(db, c);
    c.sql << "DELETE FROM settings WHERE name = :n", soci::use(name);
    c.sql << "INSERT INTO settings (name, value) VALUES (:n, :v)", soci::use(name), soci::use(value);
    tx.commit();
  });
}

}  // namespace gongkai::staff_store
