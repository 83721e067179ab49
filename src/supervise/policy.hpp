#pragma once
// The supervise policy: every rule that decides when to act and when to
// notify, with no I/O (Kubernetes' prober worker, Envoy's
// handleSuccess/handleFailure). The daemon feeds it what it saw and executes
// the plan it gets back; tests drive it with a fake clock.
//
//   Watching --action restart/kill--> Holding
//   Holding  --RUNNING for initialDelaySeconds--> Watching (counters reset;
//            a failed check's next healthy result is a recovery)
//   Holding  --backoff gap over, program still down--> Watching (the failed
//            episode carries on, the next failing probe may act again)
//
// Rules (README "Thresholds, actions, hold and backoff"): consecutive
// thresholds (Counters); one action per transition to failed, deferred by the
// backoff (doubling up to 10 min) and fired on a later failing probe once
// allowed; one failure notice per episode; sendResolved on recovery;
// reminderSeconds while failed; an unchanged check keeps its state on SIGHUP.
// Give up (monit's "if N restarts within M cycles then unmonitor"): once
// maxRestarts actions ran within restartWindow without a stable recovery (the
// backoff reset), the next due action is not taken; the check is "given up",
// one notice goes out, and only resume (status socket) or SIGHUP re-arm it.
// Paused (status socket): no result reaches the policy until resumed.
#include <ctime>
#include <vector>

#include "supervise/check_state.hpp"
#include "supervise/config.hpp"

namespace hc::supervise {

enum class Phase { Watching, Holding };
enum class ActionKind { None, Restart, Exec, Kill };
enum class NoticeKind { None, Failed, Resolved, Reminder, GaveUp };

const char* to_string(ActionKind a);

struct PolicyState {
    explicit PolicyState(const CheckConfig& cfg);

    Counters counters;
    Backoff backoff;
    Phase phase = Phase::Watching;
    bool action_pending = false;    // failed, but the backoff deferred the action
    bool failure_notified = false;  // a failure notice went out for this episode
    bool recovering = false;        // hold released while failed: the next healthy is a recovery
    Clock::time_point healthy_since{};
    std::time_t last_notice = 0;  // wall clock, for reminderSeconds
    bool given_up = false;        // maxRestarts reached: no action until re-armed
    bool paused = false;          // operator maintenance: results are ignored
    // Actions since the last stable recovery (backoff reset), for maxRestarts.
    // A vector, not a deque: an empty deque already holds a 512-byte block,
    // and 10,000 idle checks are 5 MB of those (issue 14.4).
    std::vector<Clock::time_point> recent_actions;
};

// What supervisord said about the program, as far as the hold cares.
struct ProgramView {
    bool running = false;
    long run_seconds = 0;  // supervisord's now - start
};

enum class HoldStep {
    None,      // not holding: probe as usual
    Wait,      // still holding: the probe reports nothing
    Released,  // RUNNING for initialDelaySeconds: counters reset
    Expired,   // the backoff gap passed with the program still down
};

// Called on every getProcessInfo answer before the probe runs.
HoldStep on_program(PolicyState& s, const CheckConfig& cfg, const ProgramView& p, Clock::time_point now);

// What to do with one pass or fail result.
struct Plan {
    Health before = Health::Unknown;  // health before this result (logging)
    Transition transition = Transition::None;
    bool now_healthy = false;  // BecameHealthy that is not a recovery ("healthy")
    bool recovered = false;    // "recovered" (also after a hold released while failed)
    ActionKind act = ActionKind::None;
    bool deferred = false;  // an action was due but the backoff deferred it
    long defer_seconds = 0;
    NoticeKind notice = NoticeKind::None;
    bool gave_up = false;  // this result was the one that gave up (log, notice)
    bool ignored = false;  // paused: nothing was recorded
};

// `wall_now` is the time notices carry (reminders count in wall seconds).
Plan on_result(PolicyState& s, const CheckConfig& cfg, bool ok, Clock::time_point now, std::time_t wall_now);

// The operator's controls (status socket). pause: results are ignored until
// resume. resume: counters start afresh (the next failure threshold acts
// again), the check is re-armed, the episode's failure notice is kept (no
// second one; a later pass is a recovery).
void pause(PolicyState& s);
void resume(PolicyState& s, const CheckConfig& cfg);
// Re-arm a given-up check (resume, SIGHUP): actions and backoff start afresh;
// a check still failed acts on its next failing probe.
void rearm(PolicyState& s, const CheckConfig& cfg);

// SIGHUP: a check whose settings are all unchanged keeps its state (counters,
// backoff, hold, episode); any change starts it fresh.
bool keeps_state_on_reload(const CheckConfig& running, const CheckConfig& loaded);

}  // namespace hc::supervise
