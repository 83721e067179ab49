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

// maxRestarts actions within restartWindow already ran without a stable
// recovery: give up instead of acting again (once: a given-up check never
// gets here until re-armed).
bool give_up(PolicyState& s, const CheckConfig& cfg, Clock::time_point now, Plan& plan) {
    if (cfg.max_restarts <= 0) return false;
    const auto window = std::chrono::seconds(cfg.restart_window);
    auto& recent = s.recent_actions;
    size_t old = 0;
    while (old < recent.size() && now - recent[old] >= window) ++old;
    recent.erase(recent.begin(), recent.begin() + static_cast<std::ptrdiff_t>(old));
    if (static_cast<long>(s.recent_actions.size()) < cfg.max_restarts) return false;
    s.given_up = true;
    s.action_pending = false;
    plan.gave_up = true;
    return true;
}

// The program action, unless the backoff defers it (it stays pending and
// fires on a later failing probe once allowed) or the check gives up.
void maybe_act(PolicyState& s, const CheckConfig& cfg, Clock::time_point now, Plan& plan) {
    ActionKind kind = program_action(cfg.actions);
    if (kind == ActionKind::None || s.given_up) {
        s.action_pending = false;
        return;
    }
    if (give_up(s, cfg, now, plan)) return;
    if (!s.backoff.may_act(now)) {
        plan.deferred = true;
        plan.defer_seconds = std::chrono::duration_cast<std::chrono::seconds>(s.backoff.next_allowed() - now).count();
        return;
    }
    s.action_pending = false;
    s.backoff.acted(now);
    s.recent_actions.push_back(now);
    plan.act = kind;
    // exec leaves the program alone, so nothing to wait for.
    if (kind != ActionKind::Exec) s.phase = Phase::Holding;
}

// The give-up notice replaces a failure notice due at the same time (it
// carries the same reason and says that nothing more will be done).
void gave_up_notice(PolicyState& s, const CheckConfig& cfg, std::time_t wall_now, Plan& plan) {
    if (!plan.gave_up || !(cfg.actions.email || cfg.actions.notify)) return;
    s.failure_notified = true;
    plan.notice = NoticeKind::GaveUp;
    s.last_notice = wall_now;
}

void on_failed(PolicyState& s, const CheckConfig& cfg, Clock::time_point now, std::time_t wall_now, Plan& plan) {
    s.action_pending = true;
    // The notice goes out on every transition to failed, also when the
    // backoff defers the program action.
    maybe_act(s, cfg, now, plan);
    // One failure notice per episode: a program that fails again right after
    // our restart (before it ever recovered) is the same episode; reminders
    // cover "still failing".
    if ((cfg.actions.email || cfg.actions.notify || cfg.actions.wechat) && !s.failure_notified) {
        s.failure_notified = true;
        plan.notice = NoticeKind::Failed;
        s.last_notice = wall_now;
    }
    gave_up_notice(s, cfg, wall_now, plan);
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
    if (plan.gave_up) return gave_up_notice(s, cfg, wall_now, plan);
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
    if (s.paused) {
        plan.ignored = true;
        return plan;
    }
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
    if (ok && s.counters.health() == Health::Healthy) {
        s.backoff.healthy_since(s.healthy_since, now);
        // A stable recovery (the backoff reset): earlier actions no longer
        // count toward maxRestarts. A given-up check stays given up.
        if (s.backoff.gap().count() == 0) s.recent_actions.clear();
    }
    return plan;
}

void pause(PolicyState& s) { s.paused = true; }

void rearm(PolicyState& s, const CheckConfig& cfg) {
    s.given_up = false;
    s.recent_actions.clear();
    s.backoff = Backoff(backoff_base(cfg));
    s.action_pending = s.counters.health() == Health::Failed;
}

void resume(PolicyState& s, const CheckConfig& cfg) {
    s.paused = false;
    rearm(s, cfg);
    // Whatever happened while paused (a supervisorctl stop) is judged afresh.
    s.recovering = s.recovering || s.counters.health() == Health::Failed;
    s.counters.reset();
    s.action_pending = false;
    s.phase = Phase::Watching;
}

bool keeps_state_on_reload(const CheckConfig& running, const CheckConfig& loaded) {
    return running == loaded && running.max_restarts == loaded.max_restarts &&
           running.restart_window == loaded.restart_window;
}

}  // namespace hc::supervise
