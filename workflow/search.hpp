#pragma once
// Text search over applications (applicant name, request text): what a text is indexed by and what a
// query asks the index for. Pure: storage keeps the grams (sql/search_index.cpp) and the queue asks for
// them (sql/staff.cpp); the meaning is substring search on the normalized text, the same on every backend.
#include <string>
#include <string_view>
#include <vector>

namespace gongkai::workflow::search {

// The form texts and queries are compared in: Unicode NFC, ASCII letters lower-cased (other letters as
// typed), every run of whitespace or control characters one space, no space at either end.
std::string normalize(std::string_view text);

// The grams a normalized text is indexed by: each character but the space, and each pair of adjacent
// characters neither of which is a space. Sorted, without duplicates.
std::vector<std::string> grams(std::string_view normalized);

struct query_plan {
  std::vector<std::string> grams;  // every one must be indexed for a text that contains the query
  bool verify = false;             // having them all does not prove the query is in the text: check it
};

// What a normalized query asks the index for: its pairs (one character: that character; no pair without
// a space: its characters). One or two characters without a space are answered by the index alone.
query_plan plan_query(std::string_view normalized_query);

}  // namespace gongkai::workflow::search
