#include "server/letters.hpp"

#include "server/templates.hpp"
#include "sql/applications.hpp"
#include "sql/staff.hpp"
#include "workflow/deadlines.hpp"

#include <cstdio>

namespace gongkai::letters {

using namespace workflow;
using kainjow::mustache::data;

namespace {

std::optional<kind> kind_of(const stored_transition& t) {
  auto e = parse_event(t.event);
  if (!e) return std::nullopt;
  switch (*e) {
    case event_kind::answer:
    case event_kind::correction_expired: return kind::reply;
    case event_kind::request_correction: return kind::correction_notice;
    case event_kind::approve_extension: return kind::extension_notice;
    case event_kind::consult: return kind::consultation;
    default: return std::nullopt;
  }
}

std::string title_of(kind k) {
  switch (k) {
    case kind::reply: return "政府信息公开申请答复书";
    case kind::correction_notice: return "政府信息公开申请补正告知书";
    case kind::extension_notice: return "延期答复告知书";
    case kind::consultation: return "政府信息公开征求意见书";
  }
  return "";
}

std::string chinese_date(date d) {
  std::chrono::year_month_day ymd{d};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d年%u月%u日", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace

std::vector<letter_ref> of_case(const std::vector<stored_transition>& log, bool for_applicant) {
  std::vector<letter_ref> out;
  for (const auto& t : log) {
    auto k = kind_of(t);
    if (!k || (for_applicant && *k == kind::consultation)) continue;
    out.push_back({t.seq, *k, title_of(*k), t.effective_on});
  }
  return out;
}

void add_list(data& page, const std::vector<letter_ref>& letters) {
  data list{data::type::list};
  for (const auto& l : letters) {
    data item;
    item.set("seq", std::to_string(l.seq));
    item.set("title", l.title);
    item.set("date", format_date(l.on));
    list.push_back(item);
  }
  page.set("letters", list);
  page.set("has_letters", !letters.empty());
}

std::optional<std::string> render(database& db, const case_row& row, const std::vector<stored_transition>& log, int seq,
                                  const working_calendar& cal, bool for_applicant) {
  auto it = std::find_if(log.begin(), log.end(), [&](const auto& t) { return t.seq == seq; });
  if (it == log.end()) return std::nullopt;
  auto k = kind_of(*it);
  if (!k || (for_applicant && *k == kind::consultation)) return std::nullopt;
  auto event_kind_v = *parse_event(it->event);
  auto e = event_from_payload(event_kind_v, it->effective_on, parse_role(it->actor_role).value_or(role::staff), it->payload);
  // The clocks as they stood right after this transition.
  std::vector<stored_transition> upto(log.begin(), it + 1);
  auto clocks = cases::clocks_of(upto, cal);
  auto app = applications::details(db, row.id);

  data d;
  d.set("title", title_of(*k));
  d.set("agency", staff_store::setting(db, "agency_name", "（本机关）"));
  if (auto address = staff_store::setting(db, "agency_address", ""); !address.empty()) d.set("agency_address", address);
  d.set("seal", staff_store::setting(db, "seal_text", staff_store::setting(db, "agency_name", "（本机关）")));
  d.set("tracking_no", row.tracking_no);
  d.set("applicant", app ? app->name : std::string());
  d.set("received_on", chinese_date(row.received_on));
  d.set("description", app ? app->description : std::string());
  d.set("date", chinese_date(it->effective_on));
  switch (*k) {
    case kind::reply: {
      const auto* code = find_outcome(event_kind_v == event_kind::correction_expired ? std::string(outcome_abandoned_correction)
                                                                                      : e.outcome);
      data reply;
      reply.set("decision", code ? std::string(code->decision_zh) : std::string());
      reply.set("basis", code ? std::string(code->basis_zh) : std::string());
      if (!e.reply_text.empty()) reply.set("text", e.reply_text);
      if (!e.legal_basis.empty()) reply.set("legal_basis", e.legal_basis);
      if (!e.withheld.empty()) reply.set("withheld", e.withheld);
      if (code) {
        auto r = remedies_for(code->code, it->effective_on,
                              staff_store::setting(db, "reconsideration_body", std::string(default_reconsideration_body)));
        reply.set("remedies", r.text_zh);
      }
      d.set("reply", reply);
      break;
    }
    case kind::correction_notice: {
      data c;
      c.set("items", e.items);
      if (clocks.correction_period.due) c.set("until", chinese_date(*clocks.correction_period.due));
      d.set("correction", c);
      break;
    }
    case kind::extension_notice: {
      data x;
      // The days approved: those of the request this approval answered.
      int days = 0;
      for (auto r = std::make_reverse_iterator(it); r != log.rend(); ++r)
        if (r->event == to_string(event_kind::request_extension)) {
          auto request = event_from_payload(event_kind::request_extension, r->effective_on, role::staff, r->payload);
          days = request.days;
          x.set("reason", request.reason);
          break;
        }
      x.set("days", std::to_string(days));
      if (clocks.reply.due) x.set("until", chinese_date(*clocks.reply.due));
      d.set("extension", x);
      break;
    }
    case kind::consultation: {
      data c;
      c.set("party", e.party);
      if (clocks.consultation.due) c.set("until", chinese_date(*clocks.consultation.due));
      d.set("consultation", c);
      break;
    }
  }
  return render_page(title_of(*k), "letter", d);
}

}  // namespace gongkai::letters
