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

namespace {

http::response apply_page(request_context& ctx) {
  return http::html_response(ctx.req, status::ok, render_page("填写申请表", "apply", application_form(ctx, {}, {})));
}

http::response apply_submit(request_context& ctx) {
  auto form = http::parse_form_body(ctx.req);
  auto nonce = csrf_nonce(ctx, form, "apply");
  auto checked = validate_application(form, china_date(ctx.now_s()));
  if (!checked.problems.empty()) {
    return http::html_response(ctx.req, status::unprocessable_entity,
                               render_page("请修改申请表", "apply", application_form(ctx, form, checked.problems)));
  }
  return receipt_page(ctx, checked.app, file_online(ctx, checked.app, nonce));
}

http::response track_page(request_context& ctx) {
  return http::html_response(ctx.req, status::ok, render_page("查询申请办理进度", "track", data{}));
}

http::response track_submit(request_context& ctx) {
  auto form = http::parse_form_body(ctx.req);
  auto no = trimmed(http::value_of(form, "tracking_no")), code = trimmed(http::value_of(form, "access_code"));
  auto row = find_or_404(ctx, no, code);
  return status_page(ctx, load_view(ctx, row), code, "");
}

// A page action of the applicant's (correct, withdraw): the anti-forgery token, the look-up, the event.
template <class Fill>
http::response applicant_action(request_context& ctx, event_kind kind, Fill&& fill, const std::string& done) {
  auto form = http::parse_form_body(ctx.req);
  auto nonce = csrf_nonce(ctx, form, "track");
  auto code = trimmed(http::value_of(form, "access_code"));
  auto row = find_or_404(ctx, trimmed(http::value_of(form, "tracking_no")), code);
  auto e = applicant_event(ctx, kind);
  fill(e, form);
  auto updated = fire_as_applicant(ctx, row, e, nonce);
  return status_page(ctx, load_view(ctx, updated), code, done);
}

http::response track_correct(request_context& ctx) {
  return applicant_action(
      ctx, event_kind::correction_received,
      [](case_event& e, const std::map<std::string, std::string>& form) { e.text = correction_text(http::value_of(form, "text")); },
      "补正内容已提交，答复期限自今日起重新计算。");
}

// Withdrawal ends the case for good, so it takes two steps (no JavaScript needed): the button on the
// tracking page asks for confirmation on a page of its own, whose button withdraws (confirm=1).
http::response track_withdraw(request_context& ctx) {
  auto asked = http::parse_form_body(ctx.req);
  if (http::value_of(asked, "confirm") != "1") {
    csrf_nonce(ctx, asked, "track");  // a valid form, not yet used
    auto code = trimmed(http::value_of(asked, "access_code"));
    auto row = find_or_404(ctx, trimmed(http::value_of(asked, "tracking_no")), code);
    if (!may_withdraw(row.state))
      throw http::http_error(status::conflict, "not_allowed_in_state", "该申请已办结，不能撤回");
    data d;
    d.set("tracking_no", row.tracking_no);
    d.set("access_code", code);
    d.set("reason", trimmed(http::value_of(asked, "reason")).substr(0, 600));
    d.set("csrf", crypto::sign_form_token(ctx.svc.form_key, "track", ctx.now_s(), form_lifetime_seconds));
    return http::html_response(ctx.req, status::ok, render_page("确认撤回申请 " + row.tracking_no, "withdraw_confirm", d));
  }
  return applicant_action(
      ctx, event_kind::withdraw,
      [](case_event& e, const std::map<std::string, std::string>& form) {
        e.reason = trimmed(http::value_of(form, "reason")).substr(0, 600);
        if (!clean_text(e.reason, true)) e.reason.clear();
      },
      "申请已撤回。");
}

http::response track_letter(request_context& ctx) {
  auto form = http::parse_form_body(ctx.req);
  auto row = find_or_404(ctx, trimmed(http::value_of(form, "tracking_no")), trimmed(http::value_of(form, "access_code")));
  return letter_response(ctx, row, http::value_of(form, "seq"));
}

}  // namespace

void add_form_routes(router& r) {
  //     method      pattern                                    runs on     handler
  r.add(verb::get,   "/apply",                                  run_on::io, apply_page);
  r.add(verb::post,  "/apply",                                  run_on::db, apply_submit);
  r.add(verb::get,   "/track",                                  run_on::io, track_page);
  r.add(verb::post,  "/track",                                  run_on::db, track_submit);
  r.add(verb::post,  "/track/correction",                       run_on::db, track_correct);
  r.add(verb::post,  "/track/withdraw",                         run_on::db, track_withdraw);
  r.add(verb::post,  "/track/letter",                           run_on::db, track_letter);
}

}  // namespace gongkai::citizen
