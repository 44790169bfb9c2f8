#pragma once
// What staff pages need from storage: the work queue, assignment, internal notes, the record of who
// revealed masked personal data, agency settings and API tokens.
#include "sql/applications.hpp"
#include "sql/search_index.hpp"
#include "sql/users.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gongkai::staff_store {

// Where a page ends, in the order it is sorted by: the order's key (the due date, or the receipt date)
// and the case id. The next page starts after it, read from the order's index however deep.
struct queue_cursor {
  std::string key;  // 'YYYY-MM-DD' (cases without a due date sort as '9999-12-31')
  long long id = 0;
};

struct queue_filter {
  enum class view { mine, unassigned, all } which = view::all;
  std::string me;                            // the user, for view::mine
  std::optional<workflow::case_state> state;
  bool overdue_only = false;
  std::optional<workflow::date> due_by;      // due on or before (from "due within N working days")
  std::optional<workflow::date> due_from;    // due on or after
  std::string channel;
  std::string category;
  std::optional<workflow::date> received_from, received_to;
  std::string search;                        // tracking number, applicant name, or request text
  int search_postings_read = search_index::drive_limit;  // a search sorts its rarest gram's cases up to this many
  bool sort_by_received = false;             // default: by due date
  std::optional<queue_cursor> after;         // the page after this row (keyset paging), else the first
  int page_size = 50;
  workflow::date today{};
};

struct queue_row {
  std::string tracking_no;
  workflow::case_state state{};
  workflow::date received_on{};
  std::optional<workflow::date> reply_due;
  bool due_provisional = false;
  std::string assignee;
  std::string name;        // applicant name
  std::string category;
  std::string channel;
  std::string masked_id;   // identity number or credit code, masked
  std::string masked_phone;
};

struct queue_page {
  static constexpr int count_cap = 10000;        // counting stops past this many matching cases
  static constexpr int search_count_cap = 1000;  // for a text search (each match costs look-ups)
  std::vector<queue_row> rows;
  int cap = count_cap;  // the bound this count had
  int total = 0;        // matching cases, at most cap + 1 (then "more than cap")
  std::optional<queue_cursor> next;  // set when there is a next page: after the last row
};

queue_page queue(database& db, const queue_filter& f);

// Assigns (or with an empty assignee, releases) a case; recorded as an "assign" transition. 409 when
// the case changed since `expected_version`.
case_row assign(database& db, const std::string& tracking_no, std::optional<int> expected_version,
                const std::string& assignee, const actor& who, long long now_ms);
// An internal note on the timeline ("note" transition).
case_row add_note(database& db, const std::string& tracking_no, std::optional<int> expected_version,
                  const std::string& text, const actor& who, long long now_ms);
// Assigns several cases in one transaction: all are moved, or (one of them missing or changed by
// someone else meanwhile) none is, and the error names the case.
std::vector<case_row> assign_all(database& db, const std::vector<std::string>& tracking_numbers,
                                 const std::string& assignee, const actor& who, long long now_ms);
std::optional<std::string> assignee_of(database& db, const std::string& tracking_no);

// Each reveal of a masked field (identity number, phone...) is recorded: who, which field, when.
void record_reveal(database& db, long long case_id, const std::string& field, const std::string& user, long long now_ms);
int reveals(database& db, long long case_id);

struct staff_stat {
  std::string assignee;
  int open = 0;
  int concluded = 0;
  int on_time = 0;  // concluded on or before the due date they had
};
std::vector<staff_stat> staff_stats(database& db);

struct waiting_case {
  std::string tracking_no;
  workflow::date limit{};  // the date by which something must happen
  int days = 0;            // e.g. the extension asked for
};
// The dashboard's lists of waiting cases hold at most this many; one more is read to tell "more".
constexpr int waiting_list_cap = 200;
// Cases under review with an extension request waiting for a supervisor (the first waiting_list_cap + 1).
std::vector<waiting_case> pending_extensions(database& db, const workflow::working_calendar& cal);
// Cases not yet accepted whose 7-working-day window for a correction notice is still open (Art. 30; the
// first waiting_list_cap + 1).
// Soonest deadline first.
std::vector<waiting_case> correction_window_open(database& db, const workflow::working_calendar& cal, workflow::date today);

// API tokens for other office systems: issued by an admin for a user, shown once, stored as a hash.
// Issuing and revoking are recorded in the audit log ("api_token_issued", "api_tokens_revoked").
std::string issue_api_token(database& db, long long user_id, const std::string& label, long long now_s,
                            const audit::origin& by = {});
std::optional<user> api_token_user(database& db, const std::string& token);
// Revokes every API token issued for the account; returns how many.
int revoke_api_tokens(database& db, long long user_id, const audit::origin& by = {});

std::string setting(database& db, const std::string& name, const std::string& fallback);
void set_setting(database& db, const std::string& name, const std::string& value);

}  // namespace gongkai::staff_store
