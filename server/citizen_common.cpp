#include "server/citizen_common.hpp"

#include "app/filing.hpp"
#include "app/notifications.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "server/config.hpp"
#include "server/letters.hpp"
#include "sql/applications.hpp"
#include "sql/staff.hpp"
#include "workflow/deadlines.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace gongkai::citizen {


// The applicant categories as the workflow names them (the annual report's columns).
const choices& category_choices() {
  static const choices list = [] {
    choices out;
    for (auto c : all_categories) out.emplace_back(std::string(to_string(c)), std::string(name_zh(c)));
    return out;
  }();
  return list;
}

const choices& id_type_choices() {
  static const choices list = {{"resident_id", "居民身份证"}, {"passport", "护照"}, {"hk_macao_permit", "港澳居民来往内地通行证"},
                                 {"taiwan_permit", "台湾居民来往大陆通行证"}, {"other", "其他证件"}};
  return list;
}

const choices& form_choices() {
  static const choices list = {{"electronic", "电子文本"}, {"paper", "纸质文本"}};
  return list;
}

const choices& delivery_choices() {
  static const choices list = {{"download", "网上获取"}, {"email", "电子邮件"}, {"post", "邮寄"}, {"pickup", "当面领取"}};
  return list;
}

std::string label_of(const choices& list, const std::string& value) {
  for (const auto& [v, l] : list)
    if (v == value) return l;
  return value;
}

// ---- Shared helpers ----
void require_rate(request_context& ctx, std::string_view purpose, int limit, int window) {
  if (!rate_limit::allow(*ctx.db, purpose, ctx.client, limit, window, ctx.now_s())) {
    http::http_error e(status::too_many_requests, "rate_limited", "操作过于频繁，请稍后再试");
    throw e;
  }
}

std::string csrf_nonce(request_context& ctx, const std::map<std::string, std::string>& form, std::string_view purpose) {
  auto it = form.find("csrf");
  if (it == form.end() || it->second.empty())
    throw http::http_error(status::forbidden, "form_token_missing", "表单已失效，请刷新页面后重新提交");
  auto nonce = crypto::verify_form_token(ctx.svc.form_key, purpose, it->second, ctx.now_s());
  if (!nonce) throw http::http_error(status::forbidden, "form_token_invalid", "表单已失效，请刷新页面后重新提交");
  return *nonce;
}


std::string trimmed(std::string s) {
  auto first = s.find_first_not_of(" \t\r\n"), last = s.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

std::shared_ptr<const working_calendar> calendar(request_context& ctx) { return ctx.svc.calendar->get(*ctx.db); }

// ---- Following ----
// Only failed look-ups count against the limit: wrong codes and unknown numbers are what enumeration
// produces, and a successful look-up then writes nothing. An address over its limit gets 429 for every
// look-up, right or wrong, until the window ends.
case_row find_or_404(request_context& ctx, const std::string& tracking_no, const std::string& code) {
  constexpr int window = 600;
  if (rate_limit::exhausted(*ctx.db, "lookup", ctx.client, ctx.cfg.lookup_limit, window, ctx.now_s()))
    throw http::http_error(status::too_many_requests, "rate_limited", "操作过于频繁，请稍后再试");
  std::optional<case_row> row;
  if (tracking_no.size() <= 32 && code.size() <= 64 && clean_text(tracking_no, false) && clean_text(code, false))
    row = applications::find_for_applicant(*ctx.db, tracking_no, code);
  if (row) return *row;
  require_rate(ctx, "lookup", ctx.cfg.lookup_limit, window);
  throw http::http_error(status::not_found, "not_found", not_found_message);
}

applications::view_stamp stamp_or_404(request_context& ctx, const std::string& tracking_no, const std::string& code) {
  constexpr int window = 600;
  const rate_limit::quota lookups{"lookup", ctx.client, ctx.cfg.lookup_limit, window, ctx.now_s()};
  if (tracking_no.size() > 32 || code.size() > 64 || !clean_text(tracking_no, false) || !clean_text(code, false)) {
    find_or_404(ctx, tracking_no, code);  // the same refusal (and count) as every other look-up
    throw std::logic_error("a malformed look-up was found");
  }
  auto found = ctx.db->run(database::access::read,
                           [&](connection& c) { return applications::stamp_for_applicant(c, lookups, tracking_no, code); });
  if (found.exhausted) throw http::http_error(status::too_many_requests, "rate_limited", "操作过于频繁，请稍后再试");
  if (found.stamp) return *found.stamp;
  require_rate(ctx, "lookup", ctx.cfg.lookup_limit, window);
  throw http::http_error(status::not_found, "not_found", not_found_message);
}

case_event applicant_event(request_context& ctx, event_kind kind) {
  case_event e;
  e.kind = kind;
  e.on = china_date(ctx.now_s());
  e.actor_role = role::applicant;
  return e;
}

// Fires an applicant's event in one transaction with the anti-forgery nonce.
const actor the_applicant{role::applicant, "applicant"};

case_row fire_as_applicant(request_context& ctx, const case_row& row, const case_event& e, const std::string& nonce) {
  auto cal = calendar(ctx);
  if (!nonce.empty()) {
    bool fresh = ctx.db->transact([&](connection& c) { return applications::consume_nonce(c, nonce, ctx.now_s()); });
    if (!fresh) throw http::http_error(status::forbidden, "form_replayed", "该表单已经提交过，请重新查询后再操作");
  }
  return cases::fire(*ctx.db, row.tracking_no, row.version, e, the_applicant, *cal, ctx.now_ms);
}

std::string correction_text(const std::string& raw) {
  auto text = trimmed(raw);
  if (text.empty())
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "请填写补正内容", {{"text", "请填写补正内容"}});
  if (!clean_text(text, true) || utf8_length(text) > 5000)
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "补正内容有误",
                           {{"text", "补正内容须为有效文字，且不超过5000字"}});
  return to_nfc(text);
}

http::response letter_response(request_context& ctx, const case_row& row, const std::string& seq_text) {
  int seq = 0;
  try {
    seq = std::stoi(seq_text);
  } catch (const std::exception&) {
  }
  auto log = cases::transitions(*ctx.db, row.id);
  auto page = letters::render(*ctx.db, row, log, seq, *calendar(ctx), true);
  if (!page) throw http::http_error(status::not_found, "not_found", "没有该文书");
  return http::html_response(ctx.req, status::ok, *page);
}

// [Gongkai rule] an online submission is confirmed at once: received on its local date (Art. 31).
filing::receipt file_online(request_context& ctx, const application& app, const std::string& nonce) {
  // The filing counts against the address's hourly limit in its own transaction (one commit per filing).
  const rate_limit::quota quota{"file", ctx.client, ctx.cfg.filing_limit, 3600, ctx.now_s()};
  return filing::file(*ctx.db, *calendar(ctx), app, intake_channel::online, china_date(ctx.now_s()), nonce,
                      actor{role::applicant, "applicant"}, ctx.now_ms, &quota);
}

json::object receipt_json(const filing::receipt& r) {
  json::array explanation;
  for (const auto& l : r.clocks.reply.explanation) explanation.emplace_back(l);
  return {{"tracking_no", r.filed.row.tracking_no},
          {"access_code", r.filed.access_code},
          {"received_on", format_date(r.filed.row.received_on)},
          {"reply_due", r.clocks.reply.due ? json::value(format_date(*r.clocks.reply.due)) : json::value(nullptr)},
          {"reply_due_provisional", r.clocks.reply.provisional},
          {"due_explanation", std::move(explanation)},
          {"state", to_string(r.filed.row.state)}};
}

http::response receipt_page(request_context& ctx, const application& app, const filing::receipt& r) {
  data d;
  d.set("tracking_no", r.filed.row.tracking_no);
  d.set("access_code", r.filed.access_code);
  // Shown in its groups, each kept on one line (a phone may break the code only between groups).
  data groups{data::type::list};
  const auto& code = r.filed.access_code;
  for (std::size_t start = 0; start < code.size();) {
    auto dash = code.find('-', start);
    data g;
    g.set("group", code.substr(start, dash == std::string::npos ? std::string::npos : dash - start));
    g.set("more", dash != std::string::npos);
    groups.push_back(g);
    start = dash == std::string::npos ? code.size() : dash + 1;
  }
  d.set("access_code_groups", groups);
  d.set("received_on", format_date(r.filed.row.received_on));
  if (r.clocks.reply.due) d.set("reply_due", format_date(*r.clocks.reply.due));
  d.set("provisional", r.clocks.reply.provisional);
  data explanation{data::type::list};
  for (const auto& l : r.clocks.reply.explanation) explanation.push_back(data(l));
  d.set("explanation", explanation);
  d.set("name", app.name);
  d.set("category", std::string(name_zh(app.category)));
  d.set("description", app.description);
  d.set("info_form", label_of(form_choices(), app.info_form));
  d.set("delivery", label_of(delivery_choices(), app.delivery));
  return http::html_response(ctx.req, status::created, render_page("申请回执", "receipt", d));
}

}  // namespace gongkai::citizen
