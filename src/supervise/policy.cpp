#include "supervise/policy.hpp"

#include <algorithm>

namespace hc::supervise {

namespace {

std::chrono::milliseconds backoff_base(const CheckConfig& cfg) {
    return std::chrono::milliseconds(1000LL * cfg.period_seconds * std::max(1, cfg.failure_threshold));
}

// restart > exec > kill (config.cpp warns when several are given).
ActionKind program_action(const Actions& a) {
    if (a.restart) return ActionKind::Restart;
    if (a.exec) return ActionKind::Exec;
    if (a.kill) return ActionKind::Kill;
    return ActionKind::None;
}

// The program action, unless the backoff defers it (it stays pending and
// fires on a later failing probe once allowed).
void maybe_act(PolicyState& s, const CheckConfig& cfg, Clock::time_point now, Plan& plan) {
    ActionKind kind = program_action(cfg.actions);
    if (kind == ActionKind::None) {
        s.action_pending = false;
        return;
    }
    if (!s.backoff.may_act(now)) {
        plan.deferred = true;
        plan.defer_seconds = std::chrono::duration_cast<std::chrono::seconds>(s.backoff.next_allowed() - now).count();
        return;
    }
    s.action_pending = false;
    s.backoff.acted(now);
    plan.act = kind;
    // exec leaves the program alone, so nothing to wait for.
    if (kind != ActionKind::Exec) s.phase = Phase::Holding;
}

void on_failed(PolicyState& s, const CheckConfig& cfg, Clock::time_point now, std::time_t wall_now, Plan& plan) {
    s.action_pending = true;
    // The notice goes out on every transition to failed, also when the
    // backoff defers the program action.
    maybe_act(s, cfg, now, plan);
    // One failure notice per episode: a program that fails again right after
    // our restart (before it ever recovered) is the same episode; reminders
    // cover "still failing".
    if ((cfg.actions.email || cfg.actions.notify) && !s.failure_notified) {
        s.failure_notified = true;
        plan.notice = NoticeKind::Failed;
        s.last_notice = wall_now;
    }
}

void on_recovered(PolicyState& s, const CheckConfig& cfg, Clock::time_point now, std::time_t wall_now, Plan& plan) {
    s.recovering = false;
    s.healthy_since = now;
    s.action_pending = false;
    plan.recovered = true;
    if (cfg.send_resolved && s.failure_notified) {
        plan.notice = NoticeKind::Resolved;
        s.last_notice = wall_now;
    }
    s.failure_notified = false;
}

void on_still_failing(PolicyState& s, const CheckConfig& cfg, Clock::time_point now, std::time_t wall_now, Plan& plan) {
    if (s.action_pending) maybe_act(s, cfg, now, plan);
    if (cfg.reminder_seconds > 0 && wall_now - s.last_notice >= cfg.reminder_seconds) {
        plan.notice = NoticeKind::Reminder;
        s.last_notice = wall_now;
    }
}

}  // namespace

const char* to_string(ActionKind a) {
    switch (a) {
        case ActionKind::None: return "none";
        case ActionKind::Restart: return "restart";
        case ActionKind::Exec: return "exec";
        case ActionKind::Kill: return "kill";
    }
    return "none";
}

PolicyState::PolicyState(const CheckConfig& cfg) : backoff(backoff_base(cfg)) {}

HoldStep on_program(PolicyState& s, const CheckConfig& cfg, const ProgramView& p, Clock::time_point now) {
    if (s.phase != Phase::Holding) return HoldStep::None;
    if (p.running && p.run_seconds >= cfg.initial_delay_seconds) {
        s.phase = Phase::Watching;
        // The counters restart from scratch (so a still-broken program can
        // fail and be acted on again), but the failure is not forgotten: the
        // next healthy result is a recovery (sendResolved).
        if (s.counters.health() == Health::Failed) s.recovering = true;
        s.counters.reset();
        return HoldStep::Released;
    }
    if (!s.backoff.may_act(now)) return HoldStep::Wait;
    s.phase = Phase::Watching;
    // Still down after the gap: the failed state carries on, so the next
    // failing probe must be able to act again.
    if (s.counters.health() == Health::Failed) s.action_pending = true;
    return HoldStep::Expired;
}

Plan on_result(PolicyState& s, const CheckConfig& cfg, bool ok, Clock::time_point now, std::time_t wall_now) {
    Plan plan;
    plan.before = s.counters.health();
    plan.transition = s.counters.record(ok, cfg.failure_threshold, cfg.success_threshold);
    switch (plan.transition) {
        case Transition::BecameFailed: on_failed(s, cfg, now, wall_now, plan); break;
        case Transition::BecameHealthy:
            if (!s.recovering) {
                s.healthy_since = now;
                plan.now_healthy = true;
                break;
            }
            on_recovered(s, cfg, now, wall_now, plan);
            break;
        case Transition::Recovered: on_recovered(s, cfg, now, wall_now, plan); break;
        case Transition::None:
            if (!ok && s.counters.health() == Health::Failed) on_still_failing(s, cfg, now, wall_now, plan);
            break;
    }
    // After the transition, so that a recovery has set healthy_since to now:
    // the backoff resets only once the check has stayed healthy for the gap
    // in force (with a stale healthy_since a crash loop reset it at every pass).
    if (ok && s.counters.health() == Health::Healthy) s.backoff.healthy_since(s.healthy_since, now);
    return plan;
}

bool keeps_state_on_reload(const CheckConfig& running, const CheckConfig& loaded) { return running == loaded; }

}  // namespace hc::supervise
