#include "server/case_actions.hpp"

#include "sql/users.hpp"

namespace gongkai::staff {

const std::vector<event_form>& event_forms() {
  static const std::vector<event_form> forms = {
      {event_kind::accept, {}},
      {event_kind::request_correction, {"items", "days"}},
      {event_kind::consult, {"party"}},
      {event_kind::consultation_answered, {"reason"}},
      {event_kind::request_extension, {"days", "reason"}},
      {event_kind::approve_extension, {"reason"}},
      {event_kind::refuse_extension, {"reason"}},
      {event_kind::answer, {"outcome", "reply_text", "legal_basis", "withheld"}},
      {event_kind::withdraw, {"reason"}},
      {event_kind::file_appeal, {"appeal", "reason"}},
      {event_kind::decide_appeal, {"result", "new_due", "days", "reason"}},
      {event_kind::close, {}},
      {event_kind::correction_received, {"text"}},
  };
  return forms;
}

std::string step_name_zh(const stored_transition& t) {
  if (auto kind = parse_event(t.event)) return std::string(name_zh(*kind));
  if (t.event == "assign") return "分配承办人";
  if (t.event == "note") return "内部备注";
  return "答复期限重新计算";  // calendar_updated
}

case_detail load_detail(request_context& ctx, const user& u, const std::string& tracking_no) {
  auto row = cases::find(*ctx.db, tracking_no);
  if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
  case_detail d;
  d.row = std::move(*row);
  d.log = cases::transitions(*ctx.db, d.row.id);
  auto cal = calendar(ctx);
  d.clocks = cases::clocks_of(d.log, *cal);
  d.app = applications::details(*ctx.db, d.row.id);
  d.may_see_identity = is_supervisor(u) || d.row.assignee == u.username;
  d.handler = d.may_see_identity;
  const date today = china_date(ctx.now_s());
  d.overdue = d.clocks.overdue(today);
  d.overdue_working_days = d.clocks.overdue_working_days(today, *cal);
  if (d.handler)
    for (const auto& form : event_forms())
      if (acting_role(u, d.row.state, form.kind)) d.allowed.push_back(&form);
  d.can_claim = d.row.assignee != u.username && u.has_role("staff") && (d.row.assignee.empty() || is_supervisor(u));
  d.can_assign = is_supervisor(u);
  return d;
}

void claim(request_context& ctx, const user& u, const std::string& tracking_no, int version) {
  if (!u.has_role("staff")) throw http::http_error(status::forbidden, "forbidden", "只有承办人可以认领案件");
  auto row = cases::find(*ctx.db, tracking_no);
  if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
  if (!row->assignee.empty() && row->assignee != u.username && !is_supervisor(u))
    throw http::http_error(status::conflict, "already_assigned", "此案件已由 " + row->assignee + " 认领");
  staff_store::assign(*ctx.db, tracking_no, version, u.username, actor{role::staff, u.username}, ctx.now_ms);
}

namespace {

void require_assignable(request_context& ctx, const user& u, const std::string& to) {
  if (!is_supervisor(u)) throw http::http_error(status::forbidden, "forbidden", "只有负责人可以分配案件");
  if (to.empty()) return;
  auto target = users::find(*ctx.db, to);
  if (!target || target->disabled || !target->has_role("staff"))
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "承办人不存在", {{"assignee", "承办人不存在"}});
}

}  // namespace

void assign(request_context& ctx, const user& u, const std::string& tracking_no, int version, const std::string& to) {
  require_assignable(ctx, u, to);
  staff_store::assign(*ctx.db, tracking_no, version, to, actor{role::supervisor, u.username}, ctx.now_ms);
}

std::vector<case_row> assign_many(request_context& ctx, const user& u, const std::vector<std::string>& tracking_numbers,
                                  const std::string& to) {
  require_assignable(ctx, u, to);
  if (to.empty())
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "请选择承办人", {{"assignee", "必填"}});
  return staff_store::assign_all(*ctx.db, tracking_numbers, to, actor{role::supervisor, u.username}, ctx.now_ms);
}

void note(request_context& ctx, const user& u, const std::string& tracking_no, int version, const std::string& text) {
  auto row = cases::find(*ctx.db, tracking_no);
  if (!row) throw http::http_error(status::not_found, "not_found", "没有该申请");
  require_handler(u, *row);
  if (text.empty() || !clean_text(text, true) || utf8_length(text) > 5000)
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "备注须为1至5000字的有效文字",
                           {{"text", "须为1至5000字的有效文字"}});
  staff_store::add_note(*ctx.db, row->tracking_no, version, text,
                        actor{is_supervisor(u) ? role::supervisor : role::staff, u.username}, ctx.now_ms);
}

void reveal(request_context& ctx, const user& u, const case_row& row) {
  if (!is_supervisor(u) && row.assignee != u.username)
    throw http::http_error(status::forbidden, "forbidden", "只有承办人和负责人可以查看完整身份信息");
  staff_store::record_reveal(*ctx.db, row.id, "identity,phone", u.username, ctx.now_ms);
}

}  // namespace gongkai::staff
