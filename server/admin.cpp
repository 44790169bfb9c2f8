#include "server/admin.hpp"

#include "server/auth.hpp"
#include "server/config.hpp"
#include "core/crypto.hpp"
#include "server/login.hpp"
#include "app/password_policy.hpp"
#include "server/templates.hpp"
#include "sql/staff.hpp"
#include "sql/webhooks.hpp"
#include "core/clock.hpp"

#include <boost/url/parse.hpp>

#include <boost/beast/http/field.hpp>

namespace gongkai::admin {

namespace {

using namespace workflow;
using http::status;
using http::verb;
using kainjow::mustache::data;


// Who acts, for the audit log.
audit::origin by(request_context& ctx, const user& u) { return {u.username, std::string(ctx.client), ctx.now_ms}; }

const char* const setting_names[] = {"agency_name", "agency_address", "seal_text", "reconsideration_body"};

http::response admin_page(request_context& ctx, const user& u, status s, const std::string& notice,
                          const std::string& secret = {}) {
  data d;
  d.set("display_name", u.display_name);
  d.set("csrf", auth::form_token(ctx));
  if (!notice.empty()) d.set("notice", notice);
  if (!secret.empty()) d.set("secret", secret);
  data list{data::type::list};
  for (const auto& a : users::all(*ctx.db)) {
    data item;
    item.set("username", a.username);
    item.set("display_name", a.display_name);
    item.set("disabled", a.disabled);
    for (auto r : all_roles) item.set("has_" + std::string(r), a.has_role(r));
    list.push_back(item);
  }
  d.set("users", list);
  for (const char* name : setting_names) d.set(name, staff_store::setting(*ctx.db, name, ""));
  // Webhooks and their latest deliveries (the delivery log).
  data hooks{data::type::list};
  for (const auto& w : webhooks::list(*ctx.db)) {
    data item;
    item.set("id", std::to_string(w.id));
    item.set("url", w.url);
    item.set("active", w.active);
    item.set("created_by", w.created_by);
    hooks.push_back(item);
  }
  d.set("webhooks", hooks);
  data log{data::type::list};
  for (const auto& x : webhooks::recent(*ctx.db, 50)) {
    data item;
    item.set("webhook", std::to_string(x.webhook_id));
    item.set("event_id", x.event_id);
    item.set("status", x.status);
    item.set("attempts", std::to_string(x.attempts));
    item.set("error", x.last_error);
    item.set("created", test_clock::format_iso8601_china(x.created_at));
    if (x.sent_at) item.set("sent", test_clock::format_iso8601_china(*x.sent_at));
    log.push_back(item);
  }
  d.set("deliveries", log);
  d.set("has_deliveries", !log.is_empty_list());
  return http::html_response(ctx.req, s, render_page("系统管理", "admin", d));
}

http::response admin_view(request_context& ctx) {
  auto u = auth::require(ctx, {"admin"});
  return admin_page(ctx, u, status::ok, "");
}

// The address notices go to; empty = notices stay in the staff inbox.
void set_email(request_context& ctx, const std::string& username, const std::string& email) {
  if (!email.empty() && !valid_email(email))
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "电子邮箱格式不正确");
  users::set_email(*ctx.db, username, email);
}

std::vector<std::string> roles_from(const std::map<std::string, std::string>& form) {
  std::vector<std::string> roles;
  for (auto r : all_roles)
    if (http::value_of(form, "role_" + std::string(r)) == "on") roles.emplace_back(r);
  return roles;
}

// Every admin action: the role, the anti-forgery token, then the change; a refusal re-renders the page.
template <class F>
http::response action(request_context& ctx, F&& change) {
  auto u = auth::require(ctx, {"admin"});
  auto form = http::parse_form_body(ctx.req);
  auth::check_form_token(ctx, form);
  try {
    auto [notice, secret] = change(u, form);
    return admin_page(ctx, u, status::ok, notice, secret);
  } catch (const domain_error& e) {
    return admin_page(ctx, u, http::status_of(e), e.what());
  }
}

http::response create_user(request_context& ctx) {
  return action(ctx, [&](const user&, const std::map<std::string, std::string>& f) {
    auto password = password_policy::one_time_password();
    users::create(*ctx.db, http::value_of(f, "username"), http::value_of(f, "display_name").empty() ? http::value_of(f, "username") : http::value_of(f, "display_name"),
                  crypto::hash_password(password), roles_from(f), true, ctx.now_s());
    if (!http::value_of(f, "email").empty()) set_email(ctx, http::value_of(f, "username"), http::value_of(f, "email"));
    return std::pair<std::string, std::string>("已创建账号 " + http::value_of(f, "username") + "，首次登录须修改密码。初始密码：", password);
  });
}

http::response update_user(request_context& ctx) {
  return action(ctx, [&](const user& me, const std::map<std::string, std::string>& f) {
    const auto& name = ctx.params.at("username");
    auto what = http::value_of(f, "do");
    if (what == "roles") {
      auto roles = roles_from(f);
      if (name == me.username && std::find(roles.begin(), roles.end(), "admin") == roles.end())
        throw http::http_error(status::unprocessable_entity, "invalid_fields", "不能取消自己的管理员角色");
      if (!users::set_roles(*ctx.db, name, roles, by(ctx, me))) throw http::http_error(status::not_found, "not_found", "没有该账号");
      return std::pair<std::string, std::string>("已更新 " + name + " 的角色", "");
    }
    if (what == "disable" || what == "enable") {
      if (name == me.username) throw http::http_error(status::unprocessable_entity, "invalid_fields", "不能停用自己的账号");
      if (!users::set_disabled(*ctx.db, name, what == "disable", by(ctx, me))) throw http::http_error(status::not_found, "not_found", "没有该账号");
      return std::pair<std::string, std::string>((what == "disable" ? "已停用 " : "已启用 ") + name, "");
    }
    if (what == "reset") {
      auto password = password_policy::one_time_password();
      if (!users::set_password(*ctx.db, name, crypto::hash_password(password), true, by(ctx, me), "password_reset"))
        throw http::http_error(status::not_found, "not_found", "没有该账号");
      return std::pair<std::string, std::string>("已重置 " + name + " 的密码，首次登录须修改。临时密码：", password);
    }
    if (what == "email") {
      set_email(ctx, name, http::value_of(f, "email"));
      return std::pair<std::string, std::string>("已更新 " + name + " 的通知邮箱", "");
    }
    if (what == "revoke") {
      auto target = users::find(*ctx.db, name);
      if (!target) throw http::http_error(status::not_found, "not_found", "没有该账号");
      int n = staff_store::revoke_api_tokens(*ctx.db, target->id, by(ctx, me));
      return std::pair<std::string, std::string>("已吊销 " + name + " 的接口令牌 " + std::to_string(n) + " 个", "");
    }
    if (what == "token") {
      auto target = users::find(*ctx.db, name);
      if (!target) throw http::http_error(status::not_found, "not_found", "没有该账号");
      auto label = http::value_of(f, "label").empty() ? std::string("api") : http::value_of(f, "label").substr(0, 100);
      auto token = staff_store::issue_api_token(*ctx.db, target->id, label, ctx.now_s(), by(ctx, me));
      return std::pair<std::string, std::string>("已为 " + name + " 签发接口令牌（只显示这一次）：", token);
    }
    throw http::http_error(status::unprocessable_entity, "invalid_fields", "未知的操作");
  });
}

http::response save_settings(request_context& ctx) {
  return action(ctx, [&](const user&, const std::map<std::string, std::string>& f) {
    for (const char* name : setting_names) {
      auto value = http::value_of(f, name);
      if (!clean_text(value, false) || utf8_length(value) > 200)
        throw http::http_error(status::unprocessable_entity, "invalid_fields", "设置内容须为200字以内的有效文字");
      staff_store::set_setting(*ctx.db, name, value);
    }
    return std::pair<std::string, std::string>("已保存机关信息", "");
  });
}

// A webhook's URL: http(s) with a host, no credentials in it, and not this server itself (a delivery to
// itself would be a loop). The reason, or empty when it is acceptable.
std::string webhook_url_problem(const config& cfg, const std::string& text) {
  if (text.empty() || text.size() > 500 || !clean_text(text, false)) return "请填写 500 字符以内的网址";
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return "网址格式不正确";
  const auto scheme = parsed->scheme();
  if (scheme != "http" && scheme != "https") return "只接受 http 或 https 网址";
  if (parsed->encoded_host().empty()) return "网址须包含主机名";
  if (parsed->has_userinfo()) return "网址中不能包含用户名或密码";
  const std::string host(parsed->encoded_host());
  const int port = parsed->has_port() ? static_cast<int>(parsed->port_number()) : scheme == "https" ? 443 : 80;
  auto loopback = [](const std::string& h) {
    return h == "localhost" || h.starts_with("127.") || h == "[::1]" || h == "::1" || h == "0.0.0.0";
  };
  const bool same_host = host == cfg.listen_address || (loopback(host) && (loopback(cfg.listen_address) || cfg.listen_address == "::"));
  if (same_host && cfg.listen_port != 0 && port == cfg.listen_port) return "不能把本系统自身登记为接收地址";
  return {};
}

http::response add_webhook(request_context& ctx) {
  return action(ctx, [&](const user& u, const std::map<std::string, std::string>& f) {
    const auto url = http::value_of(f, "url");
    if (auto problem = webhook_url_problem(ctx.cfg, url); !problem.empty())
      throw http::http_error(status::unprocessable_entity, "invalid_fields", problem, {{"url", problem}});
    auto secret = crypto::random_token(24);
    auto id = webhooks::add(*ctx.db, url, secret, u.username, ctx.now_s());
    return std::pair<std::string, std::string>("已登记接收地址 #" + std::to_string(id) + "。签名密钥（只显示这一次）：", secret);
  });
}

http::response update_webhook(request_context& ctx) {
  return action(ctx, [&](const user&, const std::map<std::string, std::string>& f) {
    long long id = 0;
    try {
      id = std::stoll(ctx.params.at("id"));
    } catch (const std::exception&) {
      throw http::http_error(status::not_found, "not_found", "没有该接收地址");
    }
    if (!webhooks::find(*ctx.db, id)) throw http::http_error(status::not_found, "not_found", "没有该接收地址");
    const bool enable = http::value_of(f, "do") == "enable";
    webhooks::set_active(*ctx.db, id, enable);
    return std::pair<std::string, std::string>((enable ? "已启用接收地址 #" : "已停用接收地址 #") + std::to_string(id), "");
  });
}

http::response calendar_page(request_context& ctx) {
  auto u = auth::require(ctx, {"admin"});
  auto query = http::query_params(ctx.req);
  int year = year_of(china_date(ctx.now_s()));
  if (auto it = query.find("year"); it != query.end()) year = workflow::parse_year(it->second).value_or(year);
  auto cal = ctx.svc.calendar->get(*ctx.db);
  data d;
  d.set("display_name", u.display_name);
  d.set("csrf", auth::form_token(ctx));
  d.set("year", std::to_string(year));
  d.set("prev", std::to_string(year - 1));
  d.set("next", std::to_string(year + 1));
  d.set("provisional", !cal->loaded_years().count(year));
  data holidays{data::type::list}, makeups{data::type::list};
  int working = 0;
  using namespace std::chrono;
  for (date day = sys_days{std::chrono::year{year} / 1 / 1}; year_of(day) == year; day += days{1}) {
    if (cal->is_working_day(day)) ++working;
    if (cal->is_holiday(day)) holidays.push_back(data(format_date(day) + " " + weekday_name_zh(day)));
    if (cal->is_makeup_day(day)) makeups.push_back(data(format_date(day) + " " + weekday_name_zh(day)));
  }
  d.set("holidays", holidays);
  d.set("makeups", makeups);
  d.set("working_days", std::to_string(working));
  return http::html_response(ctx.req, status::ok, render_page("工作日历", "calendar", d));
}

http::response calendar_import(request_context& ctx) {
  return action(ctx, [&](const user&, const std::map<std::string, std::string>& f) {
    std::vector<year_schedule> years;
    try {
      years = parse_schedules(http::value_of(f, "schedule"));
    } catch (const calendar_error& e) {
      throw http::http_error(status::unprocessable_entity, "invalid_schedule", std::string("节假日安排有误：") + e.what());
    }
    int changed = calendar_store::import(*ctx.db, years, "admin page", ctx.now_ms);
    std::string list;
    for (const auto& y : years) list += (list.empty() ? "" : "、") + std::to_string(y.year);
    return std::pair<std::string, std::string>("已载入 " + list + " 年节假日安排，重新计算了 " + std::to_string(changed) +
                                                   " 件在办案件的答复期限",
                                               "");
  });
}

// ---- Every user's own password ----
http::response password_page(request_context& ctx) {
  auto u = auth::require(ctx);
  data d;
  d.set("csrf", auth::form_token(ctx));
  d.set("must_change", u.must_change_password);
  return http::html_response(ctx.req, status::ok, render_page("修改密码", "password", d));
}

http::response password_submit(request_context& ctx) {
  auto u = auth::require(ctx);
  auto form = http::parse_form_body(ctx.req);
  auth::check_form_token(ctx, form);
  auto fail = [&](const std::string& message, status s = status::unprocessable_entity) {
    data d;
    d.set("csrf", auth::form_token(ctx));
    d.set("must_change", u.must_change_password);
    d.set("error", message);
    return http::html_response(ctx.req, s, render_page("修改密码", "password", d));
  };
  // The current password is checked like a login, under the same throttle (a stolen session must not
  // become a way to guess the password).
  auto current = auth::check_password(ctx, u.username, http::value_of(form, "current"), "password_check",
                                      [](connection&, const user&) {});
  if (current.result == auth::verdict::throttled) {
    auto res = fail("尝试过于频繁，请" + std::to_string(current.retry_after_s) + "秒后再试", status::too_many_requests);
    res.set(http::bhttp::field::retry_after, std::to_string(current.retry_after_s));
    return res;
  }
  if (current.result != auth::verdict::ok) return fail("当前密码不正确");
  auto next = http::value_of(form, "new");
  if (auto problem = password_policy::problem(next, u.username)) return fail(*problem);
  if (next != http::value_of(form, "confirm")) return fail("两次输入的新密码不一致");
  // Every other session and API token of the account ends; this session continues.
  users::set_password(*ctx.db, u.username, crypto::hash_password(next), false, by(ctx, u), "password_changed",
                      auth::session_token(ctx.req));
  return auth::redirect(ctx, u.has_role("admin") && !u.has_role("staff") ? "/admin" : "/staff");
}

}  // namespace

void add_routes(router& r) {
  //     method      pattern                         runs on     handler
  r.add(verb::get,   "/admin",                       run_on::db, admin_view);
  r.add(verb::post,  "/admin/users",                 run_on::db, create_user);
  r.add(verb::post,  "/admin/users/{username}",      run_on::db, update_user);
  r.add(verb::post,  "/admin/settings",              run_on::db, save_settings);
  r.add(verb::post,  "/admin/webhooks",              run_on::db, add_webhook);
  r.add(verb::post,  "/admin/webhooks/{id}",         run_on::db, update_webhook);
  r.add(verb::get,   "/admin/calendar",              run_on::db, calendar_page);
  r.add(verb::post,  "/admin/calendar",              run_on::db, calendar_import);
  r.add(verb::get,   "/account/password",            run_on::db, password_page);
  r.add(verb::post,  "/account/password",            run_on::db, password_submit);
}

}  // namespace gongkai::admin
