// The Boost.MSM case machine. Kept in this one translation unit: MSM is heavy to compile.
#define BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS
#define BOOST_MPL_LIMIT_VECTOR_SIZE 40
#define BOOST_MPL_LIMIT_MAP_SIZE 40
#include "workflow/case_machine.hpp"

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

namespace gongkai::workflow {

namespace msm = boost::msm;
namespace mpl = boost::mpl;
using msm::front::none;
using msm::front::Row;

namespace {

// Events: one MSM type per event kind, each carrying the event's data.
template <event_kind K>
struct ev {
  const case_event& e;
};
struct restore_to {
  case_state target;
};

// Who may fire an event: a mask of roles, written in the table.
constexpr unsigned bit(role r) { return 1u << static_cast<unsigned>(r); }
constexpr unsigned A = bit(role::applicant), S = bit(role::staff), V = bit(role::supervisor), Y = bit(role::system);

std::string role_list(unsigned mask) {
  std::string s;
  for (auto r : {role::applicant, role::staff, role::supervisor, role::system})
    if (mask & bit(r)) s += (s.empty() ? "" : "、") + std::string(name_zh(r));
  return s;
}

// What guards see: the event and the clocks computed from the history before it.
struct guard_context {
  const case_event& e;
  const deadlines& d;
};
// A refusal message, or nothing when the rule holds. An empty message means "this row does not apply"
// (two rows share an event and the other one decides).
using check_result = std::optional<std::string>;
const std::string row_does_not_apply;

// ---- The rules (each cites where it comes from) ----
struct always {
  static check_result check(const guard_context&) { return std::nullopt; }
};

// Art. 30: the agency asks for a correction once (一次性告知), within 7 working days of receipt, listing
// every item, with a reasonable period.
struct first_correction_in_time {
  static check_result check(const guard_context& c) {
    if (c.d.corrections_requested > 0) return "补正只能一次性告知，本申请已经告知过补正（条例第三十条）";
    if (c.d.correction_notice.due && c.e.on > *c.d.correction_notice.due)
      return "补正告知须在收到申请之日起7个工作日内作出，期限已于 " + format_date(*c.d.correction_notice.due) +
             " 届满（条例第三十条）";
    if (c.e.items.empty()) return "须一次性列明需要补正的全部事项";
    if (c.e.days < 0 || c.e.days > 60) return "补正期限须为1至60个工作日（不填则为15个工作日）";
    return std::nullopt;
  }
};

struct correction_in_time {
  static check_result check(const guard_context& c) {
    if (c.d.correction_period.due && c.e.on > *c.d.correction_period.due)
      return "补正期限已于 " + format_date(*c.d.correction_period.due) + " 届满";
    return std::nullopt;
  }
};

// Art. 30: no correction within the period, without good reason: deemed abandoned. The expiry is dated
// on the period's last day (it takes effect at its end); the sweeper fires it only once that day is over.
struct correction_period_over {
  static check_result check(const guard_context& c) {
    if (!c.d.correction_period.due || c.e.on < *c.d.correction_period.due)
      return "补正期限尚未届满" + (c.d.correction_period.due ? "（" + format_date(*c.d.correction_period.due) + "）" : "");
    return std::nullopt;
  }
};

struct consultation_named {
  static check_result check(const guard_context& c) {
    if (c.e.party.empty()) return "须写明征求意见的第三方或其他机关";
    return std::nullopt;
  }
};

// Art. 32: the third party has 15 working days; after that the agency decides itself. Dated on the last
// of those days, so the pause ends at its end ([Gongkai rule]); fired by the sweeper once it is over.
struct consultation_period_over {
  static check_result check(const guard_context& c) {
    if (!c.d.consultation.due || c.e.on < *c.d.consultation.due)
      return "征求意见期限尚未届满" + (c.d.consultation.due ? "（" + format_date(*c.d.consultation.due) + "）" : "");
    return std::nullopt;
  }
};

// Art. 33: extensions need a reason, total at most 20 working days, and are asked for and approved
// before the current due date.
struct extension_request_allowed {
  static check_result check(const guard_context& c) {
    if (c.d.extension_days_pending > 0) return "已有一项延期申请等待审批";
    if (c.e.reason.empty()) return "申请延期须说明理由";
    if (c.e.days < 1) return "延期天数须至少为1个工作日";
    if (c.d.extension_days_granted + c.e.days > 20)
      return "延长期限合计不得超过20个工作日（条例第三十三条），已延长 " + std::to_string(c.d.extension_days_granted) + " 个工作日";
    if (c.d.reply.due && c.e.on > *c.d.reply.due)
      return "答复期限已于 " + format_date(*c.d.reply.due) + " 届满，不能再申请延期";
    return std::nullopt;
  }
};

struct extension_pending_in_time {
  static check_result check(const guard_context& c) {
    if (c.d.extension_days_pending <= 0) return "没有等待审批的延期申请";
    if (c.d.reply.due && c.e.on > *c.d.reply.due)
      return "延期须在答复期限届满前批准，期限已于 " + format_date(*c.d.reply.due) + " 届满（条例第三十三条）";
    return std::nullopt;
  }
};

struct extension_pending {
  static check_result check(const guard_context& c) {
    if (c.d.extension_days_pending <= 0) return "没有等待审批的延期申请";
    return std::nullopt;
  }
};

// Art. 36-37: an answer has exactly one outcome code (with its sub-reason) and a written reply; a
// partial disclosure says what is withheld and why.
struct answer_complete {
  static check_result check(const guard_context& c) {
    if (c.e.outcome.empty()) return "答复须选择办理结果";
    const auto* code = find_outcome(c.e.outcome);
    if (!code) {
      for (const auto& o : outcome_codes())
        if (o.code.starts_with(c.e.outcome + ".")) return "该办理结果须选择具体理由";
      return "未知的办理结果代码：" + c.e.outcome;
    }
    if (c.e.reply_text.empty()) return "答复须有答复内容";
    if (code->code == "2" && c.e.withheld.empty()) return "部分公开须说明不予公开的部分及理由（条例第三十七条）";
    return std::nullopt;
  }
};

struct first_appeal_allowed {
  static check_result check(const guard_context& c) {
    if (!c.e.appeal) return "须写明救济途径：行政复议、直接起诉或复议后起诉";
    if (*c.e.appeal == appeal_kind::litigation_after_reconsideration && !c.d.reconsideration_decided)
      return "复议后起诉须先有行政复议决定";
    return std::nullopt;
  }
};

// The decision of the reconsideration body or court: 维持 and 其他 leave the answer standing; 纠正
// reopens the case with the period the decision sets.
struct decision_keeps_answer {
  static check_result check(const guard_context& c) {
    if (!c.e.result) return "须写明复议/诉讼结果：维持、纠正或其他";
    if (*c.e.result == appeal_result::corrected) return row_does_not_apply;  // the reopening row decides
    return std::nullopt;
  }
};

struct decision_reopens {
  static check_result check(const guard_context& c) {
    if (c.e.result != appeal_result::corrected) return row_does_not_apply;
    if (!c.e.new_due && c.e.days < 1) return "纠正决定须写明重新答复的期限（日期或工作日数）";
    if (c.e.new_due && *c.e.new_due <= c.e.on) return "重新答复的期限须晚于决定之日";
    return std::nullopt;
  }
};

// ---- The machine ----
struct case_fsm_ : msm::front::state_machine_def<case_fsm_> {
  const deadlines* d = nullptr;
  std::optional<case_state> current;
  std::optional<refusal> refused;

  template <case_state Value>
  struct st : msm::front::state<> {
    template <class Event, class Fsm>
    void on_entry(const Event&, Fsm& fsm) {
      fsm.current = Value;
    }
  };
  struct unloaded : msm::front::state<> {};  // a machine that has seen nothing: register or restore
  using received = st<case_state::received>;
  using correction_requested = st<case_state::correction_requested>;
  using under_review = st<case_state::under_review>;
  using consulting = st<case_state::consulting>;
  using answered = st<case_state::answered>;
  using appealed = st<case_state::appealed>;
  using closed = st<case_state::closed>;
  using withdrawn = st<case_state::withdrawn>;
  using initial_state = unloaded;

  // Guard: the actor's role is in `Roles`, then the rule `Check` holds. A failure records why.
  template <unsigned Roles, class Check = always>
  struct by {
    template <class Event, class Fsm, class Source, class Target>
    bool operator()(const Event& evt, Fsm& fsm, Source&, Target&) const {
      if (!(Roles & bit(evt.e.actor_role))) {
        fsm.refused = refusal{refusal_kind::forbidden,
                              std::string(name_zh(evt.e.actor_role)) + "不能执行“" + std::string(name_zh(evt.e.kind)) +
                                  "”，须由" + role_list(Roles) + "办理"};
        return false;
      }
      if (auto why = Check::check(guard_context{evt.e, *fsm.d})) {
        if (!why->empty()) fsm.refused = refusal{refusal_kind::invalid, *why};
        return false;
      }
      fsm.refused.reset();
      return true;
    }
  };

  template <case_state Target>
  struct restoring {
    template <class Fsm, class Source, class T>
    bool operator()(const restore_to& evt, Fsm&, Source&, T&) const {
      return evt.target == Target;
    }
  };

  using register_ = ev<event_kind::register_case>;
  using accept = ev<event_kind::accept>;
  using request_correction = ev<event_kind::request_correction>;
  using correction_received = ev<event_kind::correction_received>;
  using correction_expired = ev<event_kind::correction_expired>;
  using consult = ev<event_kind::consult>;
  using consultation_answered = ev<event_kind::consultation_answered>;
  using consultation_expired = ev<event_kind::consultation_expired>;
  using request_extension = ev<event_kind::request_extension>;
  using approve_extension = ev<event_kind::approve_extension>;
  using refuse_extension = ev<event_kind::refuse_extension>;
  using answer = ev<event_kind::answer>;
  using withdraw = ev<event_kind::withdraw>;
  using file_appeal = ev<event_kind::file_appeal>;
  using decide_appeal = ev<event_kind::decide_appeal>;
  using close = ev<event_kind::close>;

  // clang-format off
  struct transition_table : mpl::vector<
  //     Start                 Event                  Next                  Action  Guard (roles, rule)
  // restoring a stored case (no action, no rule: the state was reached lawfully before)
  Row<   unloaded,             restore_to,            received,             none,   restoring<case_state::received>              >,
  Row<   unloaded,             restore_to,            correction_requested, none,   restoring<case_state::correction_requested>  >,
  Row<   unloaded,             restore_to,            under_review,         none,   restoring<case_state::under_review>          >,
  Row<   unloaded,             restore_to,            consulting,           none,   restoring<case_state::consulting>            >,
  Row<   unloaded,             restore_to,            answered,             none,   restoring<case_state::answered>              >,
  Row<   unloaded,             restore_to,            appealed,             none,   restoring<case_state::appealed>              >,
  Row<   unloaded,             restore_to,            closed,               none,   restoring<case_state::closed>                >,
  Row<   unloaded,             restore_to,            withdrawn,            none,   restoring<case_state::withdrawn>             >,
  // the procedure (Art. 29-39)
  Row<   unloaded,             register_,             received,             none,   by<A|S>                                      >,
  Row<   received,             accept,                under_review,         none,   by<S|V>                                      >,
  Row<   received,             request_correction,    correction_requested, none,   by<S|V, first_correction_in_time>            >,
  Row<   received,             answer,                answered,             none,   by<S|V, answer_complete>                     >,  // 当场答复
  Row<   received,             withdraw,              withdrawn,            none,   by<A|S>                                      >,
  Row<   correction_requested, correction_received,   under_review,         none,   by<A|S, correction_in_time>                  >,
  Row<   correction_requested, correction_expired,    answered,             none,   by<Y,   correction_period_over>              >,  // 6.1 逾期不补正
  Row<   correction_requested, withdraw,              withdrawn,            none,   by<A|S>                                      >,
  Row<   under_review,         consult,               consulting,           none,   by<S|V, consultation_named>                  >,
  Row<   under_review,         request_extension,     under_review,         none,   by<S,   extension_request_allowed>           >,
  Row<   under_review,         approve_extension,     under_review,         none,   by<V,   extension_pending_in_time>           >,
  Row<   under_review,         refuse_extension,      under_review,         none,   by<V,   extension_pending>                   >,
  Row<   under_review,         answer,                answered,             none,   by<S|V, answer_complete>                     >,
  Row<   under_review,         withdraw,              withdrawn,            none,   by<A|S>                                      >,
  Row<   consulting,           consultation_answered, under_review,         none,   by<S|V>                                      >,
  Row<   consulting,           consultation_expired,  under_review,         none,   by<Y,   consultation_period_over>            >,
  Row<   consulting,           withdraw,              withdrawn,            none,   by<A|S>                                      >,
  Row<   answered,             file_appeal,           appealed,             none,   by<S|V, first_appeal_allowed>                >,
  Row<   answered,             close,                 closed,               none,   by<S|V>                                      >,
  Row<   appealed,             decide_appeal,         answered,             none,   by<S|V, decision_keeps_answer>               >,
  Row<   appealed,             decide_appeal,         under_review,         none,   by<S|V, decision_reopens>                    >
  > {};
  // clang-format on

  template <class Fsm, class Event>
  void no_transition(const Event& evt, Fsm& fsm, int) {
    if (fsm.refused) return;  // a guard said why
    if constexpr (requires { evt.e; }) {
      fsm.refused = refusal{refusal_kind::not_in_state,
                            "案件处于“" + std::string(fsm.current ? name_zh(*fsm.current) : "未登记") + "”状态，不能执行“" +
                                std::string(name_zh(evt.e.kind)) + "”"};
    } else {
      fsm.refused = refusal{refusal_kind::not_in_state, "案件只能从未载入状态恢复"};
    }
  }

  template <class Fsm, class Event>
  void exception_caught(const Event&, Fsm& fsm, std::exception& ex) {
    fsm.refused = refusal{refusal_kind::invalid, std::string("无法处理该事件：") + ex.what()};
  }
};

using case_fsm = msm::back::state_machine<case_fsm_>;

}  // namespace

struct case_machine::impl {
  impl(const working_calendar& c, deadline_settings s) : cal(c), settings(s) {
    fsm.start();
    fsm.d = &clocks;
  }
  const working_calendar& cal;
  deadline_settings settings;
  case_fsm fsm;
  case_history history;
  deadlines clocks;

  template <event_kind K>
  void process(const case_event& e) {
    fsm.process_event(ev<K>{e});
  }
  void dispatch(const case_event& e) {
    switch (e.kind) {
      case event_kind::register_case: return process<event_kind::register_case>(e);
      case event_kind::accept: return process<event_kind::accept>(e);
      case event_kind::request_correction: return process<event_kind::request_correction>(e);
      case event_kind::correction_received: return process<event_kind::correction_received>(e);
      case event_kind::correction_expired: return process<event_kind::correction_expired>(e);
      case event_kind::consult: return process<event_kind::consult>(e);
      case event_kind::consultation_answered: return process<event_kind::consultation_answered>(e);
      case event_kind::consultation_expired: return process<event_kind::consultation_expired>(e);
      case event_kind::request_extension: return process<event_kind::request_extension>(e);
      case event_kind::approve_extension: return process<event_kind::approve_extension>(e);
      case event_kind::refuse_extension: return process<event_kind::refuse_extension>(e);
      case event_kind::answer: return process<event_kind::answer>(e);
      case event_kind::withdraw: return process<event_kind::withdraw>(e);
      case event_kind::file_appeal: return process<event_kind::file_appeal>(e);
      case event_kind::decide_appeal: return process<event_kind::decide_appeal>(e);
      case event_kind::close: return process<event_kind::close>(e);
    }
  }
};

case_machine::case_machine(const working_calendar& cal, deadline_settings settings)
    : impl_(std::make_unique<impl>(cal, settings)) {}

case_machine::~case_machine() = default;

void case_machine::restore(case_state state, case_history history) {
  auto& i = *impl_;
  if (i.fsm.current) throw std::logic_error("restore() on a machine that is already in a state");
  i.history = std::move(history);
  i.clocks = compute_deadlines(i.history, i.cal, i.settings);
  i.fsm.process_event(restore_to{state});
  if (i.fsm.current != state) throw std::logic_error("restore failed");
  i.fsm.refused.reset();
}

verdict case_machine::fire(const case_event& event) {
  auto& i = *impl_;
  verdict v;
  v.from = i.fsm.current;
  // Time runs forward: an event cannot be dated before the one it follows.
  if (!i.history.empty() && event.on < i.history.back().event.on) {
    v.refused = refusal{refusal_kind::invalid, "事件日期 " + format_date(event.on) + " 早于上一事件日期 " +
                                                   format_date(i.history.back().event.on)};
    return v;
  }
  i.fsm.refused.reset();
  i.dispatch(event);
  if (i.fsm.refused) {  // set by a guard, or by no_transition
    v.refused = std::move(i.fsm.refused);
    i.fsm.refused.reset();
    return v;
  }
  v.accepted = true;
  v.to = *i.fsm.current;
  i.history.push_back(transition_record{static_cast<int>(i.history.size()) + 1, event, v.from, v.to});
  i.clocks = compute_deadlines(i.history, i.cal, i.settings);
  return v;
}

std::optional<case_state> case_machine::state() const { return impl_->fsm.current; }
const case_history& case_machine::history() const { return impl_->history; }
const deadlines& case_machine::current_deadlines() const { return impl_->clocks; }

std::vector<event_kind> permitted_events(case_state s, role r, const working_calendar& cal) {
  // Probe each event with an empty payload: a refusal for its fields or dates still means the event
  // exists in this state for this role; "not in state" or "forbidden" means it does not.
  std::vector<event_kind> out;
  for (auto kind : all_events) {
    if (kind == event_kind::register_case) continue;
    case_machine m(cal);
    m.restore(s, {});
    case_event e;
    e.kind = kind;
    e.actor_role = r;
    auto v = m.fire(e);
    if (v.accepted || (v.refused && v.refused->kind == refusal_kind::invalid)) out.push_back(kind);
  }
  return out;
}

}  // namespace gongkai::workflow
