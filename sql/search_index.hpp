#pragma once
// The text-search index over applications (applicant name, request text): grams written in the
// transaction that stores the application, and the clause the queue adds for a search (sql/staff.cpp).
// The same tables and the same answers on SQLite and MariaDB (migration 0013, workflow/search.hpp).
#include "sql/database.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gongkai::search_index {

// Indexes a case's application, in the caller's transaction. Indexing a case twice stores nothing new.
void add(connection& c, long long case_id, std::string_view name, std::string_view description);

// Indexes the applications stored before migration 0013, in batches; several instances may run it at
// once (each batch takes the progress row's lock). Returns how many applications this call indexed.
long long backfill(database& db);

// What a search adds to a query over `cases c`, in two forms with the same meaning: `drive` reads the
// postings of the rarest gram first (the query selects FROM join_cases(): search_grams g0 joined to
// cases) and checks the text; `walk` checks the gram and the text for each case met in the order's index.
// `drive_first`: the rarest gram is rare enough to read its postings and sort those cases. Values are
// bound through `bind`, which returns the placeholder for a value; each form binds its own values.
struct text_clause {
  std::function<std::string()> drive, walk;
  bool drive_first = false;
  bool none = false;  // some gram is indexed for no case: nothing matches
};
// Postings of the rarest gram up to this many are read first and sorted; more, and the order's index is
// walked, each case checked against the postings.
constexpr int drive_limit = 5000;
std::optional<text_clause> match(connection& c, std::string_view query,
                                 const std::function<std::string(const std::string&)>& bind, int postings_read = drive_limit);
// "search_grams g0 CROSS JOIN cases c ON c.id = g0.case_id" in each backend's words for "this order".
std::string join_cases(backend kind);

}  // namespace gongkai::search_index
