#pragma once
// Letters (答复书, 补正告知书, 延期答复告知书, 征求意见书): which transitions produce one, and their text,
// rendered from web/templates/letter.mustache with the agency's settings.
#include "server/templates.hpp"
#include "sql/cases.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gongkai::letters {

enum class kind { reply, correction_notice, extension_notice, consultation };

struct letter_ref {
  int seq;          // the transition that produced it
  kind k;
  std::string title;
  workflow::date on;
};

// The letters of a case; an applicant sees all but the consultation letter (addressed to a third party).
std::vector<letter_ref> of_case(const std::vector<stored_transition>& log, bool for_applicant);

// Adds "letters" (seq, title, date) and "has_letters" to a page's data.
void add_list(kainjow::mustache::data& page, const std::vector<letter_ref>& letters);

// The letter of transition `seq` as a full HTML page, or nothing if that transition has none.
std::optional<std::string> render(database& db, const case_row& row, const std::vector<stored_transition>& log, int seq,
                                  const workflow::working_calendar& cal, bool for_applicant);

}  // namespace gongkai::letters
