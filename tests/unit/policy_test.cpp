// The supervise policy (src/supervise/policy.hpp) driven with a fake clock:
// every rule of README's "Thresholds, actions, hold and backoff" section and
// the SIGHUP row, in microseconds instead of the shell tests' sleeps.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "supervise/policy.hpp"

using namespace hc;
using namespace hc::supervise;
using std::chrono::seconds;

namespace {

// Steady and wall time move together, as on a real machine.
struct FakeClock {
    Clock::time_point steady = Clock::time_point{} + std::chrono::hours(1);
    std::time_t wall = 1'800'000'000;
    void advance(long s) {
        steady += seconds(s);
        wall += s;
    }
};

CheckConfig base_config() {
    CheckConfig c;  // restart,email; period 5, failureThreshold 3 -> 15 s base gap
    c.name = "web";
    c.program = "web";
    return c;
}

struct Driver {
    CheckConfig cfg;
    PolicyState s;
    FakeClock clock;
    explicit Driver(CheckConfig c) : cfg(std::move(c)), s(cfg) {}

    Plan result(bool ok) {
        clock.advance(cfg.period_seconds);
        return on_result(s, cfg, ok, clock.steady, clock.wall);
    }
    Plan fail() { return result(false); }
    Plan pass() { return result(true); }
    // The probe that turns the check failed.
    Plan fail_until_failed() {
        Plan p;
        for (int i = 0; i < cfg.failure_threshold; ++i) p = fail();
        EXPECT_EQ(p.transition, Transition::BecameFailed);
        return p;
    }
    HoldStep program(bool running, long run_seconds) {
        return on_program(s, cfg, ProgramView{running, run_seconds}, clock.steady);
    }
};

TEST(Policy, ActsAndNotifiesOnlyAtFailureThreshold) {
    Driver d(base_config());
    for (int i = 1; i < 3; ++i) {
        Plan p = d.fail();
        EXPECT_EQ(p.transition, Transition::None) << i;
        EXPECT_EQ(p.act, ActionKind::None);
        EXPECT_EQ(p.notice, NoticeKind::None);
    }
    Plan p = d.fail();
    EXPECT_EQ(p.transition, Transition::BecameFailed);
    EXPECT_EQ(p.act, ActionKind::Restart);
    EXPECT_EQ(p.notice, NoticeKind::Failed);
    EXPECT_EQ(d.s.phase, Phase::Holding);
}

TEST(Policy, SuccessThresholdNeedsPassesInARow) {
    CheckConfig c = base_config();
    c.success_threshold = 2;
    Driver d(c);
    EXPECT_EQ(d.pass().transition, Transition::None);
    EXPECT_EQ(d.fail().transition, Transition::None);
    EXPECT_EQ(d.pass().transition, Transition::None);
    Plan p = d.pass();
    EXPECT_EQ(p.transition, Transition::BecameHealthy);
    EXPECT_TRUE(p.now_healthy);
    EXPECT_FALSE(p.recovered);
}

TEST(Policy, ActionsFireOncePerTransitionNotWhileFailed) {
    CheckConfig c = base_config();
    c.actions = Actions{};
    c.actions.exec = true;  // exec: no hold, so later probes reach the policy
    Driver d(c);
    EXPECT_EQ(d.fail_until_failed().act, ActionKind::Exec);
    EXPECT_EQ(d.s.phase, Phase::Watching);
    for (int i = 0; i < 20; ++i) {
        Plan p = d.fail();
        EXPECT_EQ(p.act, ActionKind::None) << i;
        EXPECT_FALSE(p.deferred) << i;
        EXPECT_EQ(p.notice, NoticeKind::None) << i;
    }
}

TEST(Policy, RestartWinsOverExecAndKill) {
    CheckConfig c = base_config();
    c.actions.exec = c.actions.kill = true;
    Driver d(c);
    EXPECT_EQ(d.fail_until_failed().act, ActionKind::Restart);
    c.actions.restart = false;
    Driver e(c);
    EXPECT_EQ(e.fail_until_failed().act, ActionKind::Exec);
    c.actions.exec = false;
    Driver k(c);
    EXPECT_EQ(k.fail_until_failed().act, ActionKind::Kill);
    EXPECT_EQ(k.s.phase, Phase::Holding);  // kill holds as restart does
}

TEST(Policy, NoProgramActionOnlyNotifies) {
    CheckConfig c = base_config();
    c.actions = Actions{};
    c.actions.notify = true;
    Driver d(c);
    Plan p = d.fail_until_failed();
    EXPECT_EQ(p.act, ActionKind::None);
    EXPECT_FALSE(p.deferred);
    EXPECT_EQ(p.notice, NoticeKind::Failed);
    EXPECT_FALSE(d.s.action_pending);
}

TEST(Policy, HoldUntilRunningForInitialDelay) {
    CheckConfig c = base_config();
    c.initial_delay_seconds = 10;
    Driver d(c);
    d.fail_until_failed();
    EXPECT_EQ(d.program(false, 0), HoldStep::Wait);
    d.clock.advance(5);
    EXPECT_EQ(d.program(true, 9), HoldStep::Wait);  // RUNNING, not long enough
    d.clock.advance(5);
    EXPECT_EQ(d.program(true, 10), HoldStep::Released);
    EXPECT_EQ(d.s.phase, Phase::Watching);
    EXPECT_EQ(d.s.counters.health(), Health::Unknown);  // counters reset
    EXPECT_EQ(d.program(true, 11), HoldStep::None);
}

TEST(Policy, RecoveryAfterHoldSendsResolved) {
    CheckConfig c = base_config();
    c.send_resolved = true;
    Driver d(c);
    d.fail_until_failed();
    EXPECT_EQ(d.program(true, 5), HoldStep::Released);
    Plan p = d.pass();
    EXPECT_EQ(p.transition, Transition::BecameHealthy);
    EXPECT_TRUE(p.recovered);
    EXPECT_FALSE(p.now_healthy);
    EXPECT_EQ(p.notice, NoticeKind::Resolved);
}

TEST(Policy, NoResolvedNoticeWithoutSendResolved) {
    CheckConfig c = base_config();
    c.actions.restart = false;  // email only
    Driver d(c);
    d.fail_until_failed();
    Plan p = d.pass();
    EXPECT_EQ(p.transition, Transition::Recovered);
    EXPECT_TRUE(p.recovered);
    EXPECT_EQ(p.notice, NoticeKind::None);
}

TEST(Policy, ResolvedOnlyWhenAFailureNoticeWentOut) {
    CheckConfig c = base_config();
    c.actions = Actions{};  // none: log only
    c.send_resolved = true;
    Driver d(c);
    d.fail_until_failed();
    EXPECT_EQ(d.pass().notice, NoticeKind::None);
}

TEST(Policy, HoldExpiryWithProgramStillDownActsAgain) {
    Driver d(base_config());
    d.fail_until_failed();
    d.clock.advance(10);
    EXPECT_EQ(d.program(false, 0), HoldStep::Wait);  // inside the 15 s gap
    d.clock.advance(5);
    EXPECT_EQ(d.program(false, 0), HoldStep::Expired);
    EXPECT_EQ(d.s.phase, Phase::Watching);
    EXPECT_EQ(d.s.counters.health(), Health::Failed);  // the episode carries on
    Plan p = d.fail();
    EXPECT_EQ(p.transition, Transition::None);
    EXPECT_EQ(p.act, ActionKind::Restart);
    EXPECT_EQ(p.notice, NoticeKind::None);  // same episode: no second notice
    EXPECT_EQ(d.s.backoff.gap(), seconds(30));
}

TEST(Policy, BackoffDoublesUpToTenMinutes) {
    Driver d(base_config());
    d.fail_until_failed();
    std::vector<long> gaps;
    for (int i = 0; i < 9; ++i) {
        auto gap = std::chrono::duration_cast<seconds>(d.s.backoff.gap()).count();
        gaps.push_back(gap);
        d.clock.advance(gap - 1);
        ASSERT_EQ(d.program(false, 0), HoldStep::Wait) << i;
        d.clock.advance(1);
        ASSERT_EQ(d.program(false, 0), HoldStep::Expired) << i;
        ASSERT_EQ(d.fail().act, ActionKind::Restart) << i;
    }
    EXPECT_EQ(gaps, (std::vector<long>{15, 30, 60, 120, 240, 480, 600, 600, 600}));
}

TEST(Policy, ActionInsideGapIsDeferredThenFiresOnALaterFailure) {
    Driver d(base_config());
    d.fail_until_failed();  // restart at t0, gap 15 s
    EXPECT_EQ(d.program(true, 1), HoldStep::Released);
    // Fails again right away: 3 probes = 15 s after the first restart
    // minus the probe period, so still inside the gap.
    d.clock.steady -= seconds(5);
    Plan p = d.fail_until_failed();
    EXPECT_EQ(p.act, ActionKind::None);
    EXPECT_TRUE(p.deferred);
    EXPECT_EQ(p.defer_seconds, 5);
    EXPECT_EQ(p.notice, NoticeKind::None);  // same episode as the first failure
    EXPECT_TRUE(d.s.action_pending);
    EXPECT_EQ(d.s.phase, Phase::Watching);
    Plan later = d.fail();
    EXPECT_EQ(later.act, ActionKind::Restart);
    EXPECT_FALSE(later.deferred);
    EXPECT_FALSE(d.s.action_pending);
}

TEST(Policy, DeferredActionStillNotifiesANewEpisode) {
    CheckConfig c = base_config();
    c.success_threshold = 1;
    Driver d(c);
    d.fail_until_failed();
    EXPECT_EQ(d.program(true, 1), HoldStep::Released);
    EXPECT_TRUE(d.pass().recovered);  // episode over
    d.clock.steady -= seconds(10);    // keep the next failure inside the gap
    Plan p = d.fail_until_failed();
    EXPECT_TRUE(p.deferred);
    EXPECT_EQ(p.notice, NoticeKind::Failed);
}

TEST(Policy, OneFailureNoticePerEpisode) {
    CheckConfig c = base_config();
    c.actions.restart = false;
    Driver d(c);
    EXPECT_EQ(d.fail_until_failed().notice, NoticeKind::Failed);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(d.fail().notice, NoticeKind::None);
    d.pass();
    EXPECT_EQ(d.fail_until_failed().notice, NoticeKind::Failed);  // a new episode
}

TEST(Policy, RemindersRepeatWhileFailed) {
    CheckConfig c = base_config();
    c.actions.restart = false;
    c.reminder_seconds = 12;
    Driver d(c);
    d.fail_until_failed();                             // notice at w0
    EXPECT_EQ(d.fail().notice, NoticeKind::None);      // w0 + 5
    EXPECT_EQ(d.fail().notice, NoticeKind::None);      // w0 + 10
    EXPECT_EQ(d.fail().notice, NoticeKind::Reminder);  // w0 + 15
    EXPECT_EQ(d.fail().notice, NoticeKind::None);      // 5 after the reminder
    EXPECT_EQ(d.fail().notice, NoticeKind::None);
    EXPECT_EQ(d.fail().notice, NoticeKind::Reminder);
    d.pass();
    EXPECT_EQ(d.pass().notice, NoticeKind::None);  // no reminders once healthy
}

TEST(Policy, NoRemindersByDefault) {
    CheckConfig c = base_config();
    c.actions.restart = false;
    Driver d(c);
    d.fail_until_failed();
    for (int i = 0; i < 100; ++i) EXPECT_EQ(d.fail().notice, NoticeKind::None);
}

TEST(Policy, BackoffResetsAfterHealthyForTheGapInForce) {
    Driver d(base_config());
    d.fail_until_failed();  // gap in force 15 s, next 30 s
    EXPECT_EQ(d.program(true, 1), HoldStep::Released);
    d.pass();  // recovered: healthy since now
    d.clock.advance(10);
    d.pass();                                  // healthy 15 s: reset
    EXPECT_EQ(d.s.backoff.gap(), seconds(0));  // no gap in force
    d.fail_until_failed();
    EXPECT_EQ(d.s.backoff.gap(), seconds(15));  // back to the base
}

TEST(Policy, CrashLoopDoesNotResetBackoff) {
    Driver d(base_config());
    for (long want : {15, 30, 60}) {
        Plan p = d.fail_until_failed();
        ASSERT_EQ(p.act, ActionKind::Restart);
        EXPECT_EQ(d.s.backoff.gap(), seconds(want));
        // Up again at once, one pass, then the crash: healthy shorter than the gap.
        auto gap = std::chrono::duration_cast<seconds>(d.s.backoff.gap()).count();
        d.clock.advance(gap);
        EXPECT_EQ(d.program(true, 1), HoldStep::Released);
        d.pass();
    }
}

// A pass that does not make the check healthy (successThreshold 2, right
// after a hold) must not reset the backoff from a stale healthy_since.
TEST(Policy, PassBeforeHealthyDoesNotResetBackoff) {
    CheckConfig c = base_config();
    c.success_threshold = 2;
    Driver d(c);
    d.pass();
    EXPECT_EQ(d.pass().transition, Transition::BecameHealthy);
    d.clock.advance(100);
    d.fail_until_failed();  // restart, gap in force 15 s
    EXPECT_EQ(d.program(true, 1), HoldStep::Released);
    EXPECT_EQ(d.pass().transition, Transition::None);  // 1 of 2
    d.fail_until_failed();
    EXPECT_EQ(d.s.backoff.gap(), seconds(30));  // doubled, not back to 15
}

TEST(Policy, ReloadKeepsStateOnlyForUnchangedChecks) {
    CheckConfig c = base_config();
    CheckConfig moved = c;
    moved.line = c.line + 10;  // moving a check is not a change
    EXPECT_TRUE(keeps_state_on_reload(c, moved));
    CheckConfig changed = c;
    changed.failure_threshold = 4;
    EXPECT_FALSE(keeps_state_on_reload(c, changed));

    // The kept state carries on: still holding, same episode, same backoff.
    Driver d(c);
    d.fail_until_failed();
    Driver after(moved);
    after.s = d.s;
    after.clock = d.clock;
    EXPECT_EQ(after.program(false, 0), HoldStep::Wait);
    after.clock.advance(15);
    EXPECT_EQ(after.program(false, 0), HoldStep::Expired);
    Plan p = after.fail();
    EXPECT_EQ(p.act, ActionKind::Restart);
    EXPECT_EQ(p.notice, NoticeKind::None);
    EXPECT_EQ(after.s.backoff.gap(), seconds(30));
}

// ---- give up (maxRestarts within restartWindow), pause and resume

// One action, then the hold expires with the program still down and the
// next failing probe is the next due action.
Plan next_due_action(Driver& d) {
    auto gap = std::chrono::duration_cast<seconds>(d.s.backoff.gap()).count();
    d.clock.advance(gap);
    EXPECT_EQ(d.program(false, 0), HoldStep::Expired);
    return d.fail();
}

CheckConfig give_up_config(int max_restarts) {
    CheckConfig c = base_config();
    c.max_restarts = max_restarts;
    c.restart_window = 3600;
    return c;
}

TEST(Policy, GivesUpAfterMaxRestartsAndNotifiesOnce) {
    Driver d(give_up_config(3));
    EXPECT_EQ(d.fail_until_failed().act, ActionKind::Restart);  // 1
    EXPECT_EQ(next_due_action(d).act, ActionKind::Restart);     // 2
    EXPECT_EQ(next_due_action(d).act, ActionKind::Restart);     // 3
    Plan p = next_due_action(d);                                // the 4th is not taken
    EXPECT_EQ(p.act, ActionKind::None);
    EXPECT_TRUE(p.gave_up);
    EXPECT_FALSE(p.deferred);
    EXPECT_EQ(p.notice, NoticeKind::GaveUp);
    EXPECT_TRUE(d.s.given_up);
    EXPECT_EQ(d.s.phase, Phase::Watching);
    // Still failing for an hour: no action, no second notice, no deferral.
    for (int i = 0; i < 720; ++i) {
        Plan q = d.fail();
        ASSERT_EQ(q.act, ActionKind::None) << i;
        ASSERT_FALSE(q.gave_up) << i;
        ASSERT_FALSE(q.deferred) << i;
        ASSERT_EQ(q.notice, NoticeKind::None) << i;
    }
}

TEST(Policy, NeverGivesUpByDefault) {
    Driver d(base_config());  // maxRestarts 0
    d.fail_until_failed();
    for (int i = 0; i < 20; ++i) ASSERT_EQ(next_due_action(d).act, ActionKind::Restart) << i;
    EXPECT_FALSE(d.s.given_up);
}

TEST(Policy, GiveUpWithoutNoticeActionsStillGivesUp) {
    CheckConfig c = give_up_config(1);
    c.actions.email = false;
    Driver d(c);
    d.fail_until_failed();
    Plan p = next_due_action(d);
    EXPECT_TRUE(p.gave_up);
    EXPECT_EQ(p.notice, NoticeKind::None);
}

TEST(Policy, ActionsOutsideTheWindowDoNotCount) {
    CheckConfig c = give_up_config(2);
    c.restart_window = 40;  // gaps 15, 30: the first action falls out
    Driver d(c);
    d.fail_until_failed();                                   // t0
    EXPECT_EQ(next_due_action(d).act, ActionKind::Restart);  // t0+15
    Plan p = next_due_action(d);                             // t0+45: t0 is out of the window
    EXPECT_EQ(p.act, ActionKind::Restart);
    EXPECT_FALSE(p.gave_up);
    p = next_due_action(d);  // t0+105: t0+45 in, t0+15 out... 1 < 2
    EXPECT_EQ(p.act, ActionKind::Restart);
}

// A crash loop passes between crashes; only a stable recovery (the backoff
// reset) forgets earlier actions.
TEST(Policy, CrashLoopPassesDoNotResetTheGiveUpCount) {
    CheckConfig c = give_up_config(2);
    c.success_threshold = 1;
    Driver d(c);
    for (int i = 0; i < 2; ++i) {
        d.clock.advance(60);  // outside the gap: the action is not deferred
        EXPECT_EQ(d.fail_until_failed().act, ActionKind::Restart) << i;
        EXPECT_EQ(d.program(true, 1), HoldStep::Released);
        EXPECT_TRUE(d.pass().recovered);
    }
    d.clock.advance(200);
    Plan p = d.fail_until_failed();
    EXPECT_TRUE(p.gave_up);
    EXPECT_EQ(p.notice, NoticeKind::GaveUp);  // replaces the failure notice
}

TEST(Policy, StableRecoveryForgetsEarlierActions) {
    CheckConfig c = give_up_config(1);
    Driver d(c);
    d.fail_until_failed();
    EXPECT_EQ(d.program(true, 1), HoldStep::Released);
    for (int i = 0; i < 5; ++i) d.pass();  // 25 s healthy > 15 s gap in force
    EXPECT_EQ(d.s.backoff.gap(), seconds(0));
    EXPECT_EQ(d.fail_until_failed().act, ActionKind::Restart);
}

TEST(Policy, RearmActsAgainOnTheNextFailingProbe) {
    Driver d(give_up_config(1));
    d.fail_until_failed();
    EXPECT_TRUE(next_due_action(d).gave_up);
    rearm(d.s, d.cfg);
    EXPECT_FALSE(d.s.given_up);
    Plan p = d.fail();
    EXPECT_EQ(p.act, ActionKind::Restart);
    EXPECT_EQ(p.notice, NoticeKind::None);  // same episode
    EXPECT_EQ(d.s.backoff.gap(), seconds(15));
    // Re-armed with a fresh count: gives up again after maxRestarts.
    EXPECT_TRUE(next_due_action(d).gave_up);
}

TEST(Policy, GivenUpStaysGivenUpAfterARecoveryUntilRearmed) {
    CheckConfig c = give_up_config(1);
    c.send_resolved = true;
    Driver d(c);
    d.fail_until_failed();
    EXPECT_TRUE(next_due_action(d).gave_up);
    Plan r = d.pass();  // fixed by hand
    EXPECT_TRUE(r.recovered);
    EXPECT_EQ(r.notice, NoticeKind::Resolved);
    for (int i = 0; i < 10; ++i) d.pass();
    Plan f = d.fail_until_failed();
    EXPECT_EQ(f.act, ActionKind::None);
    EXPECT_EQ(f.notice, NoticeKind::Failed);
    EXPECT_TRUE(d.s.given_up);
}

TEST(Policy, PausedIgnoresResultsAndResumeStartsAfresh) {
    Driver d(base_config());
    d.pass();
    pause(d.s);
    for (int i = 0; i < 10; ++i) {
        Plan p = d.fail();
        ASSERT_TRUE(p.ignored);
        ASSERT_EQ(p.act, ActionKind::None);
        ASSERT_EQ(p.notice, NoticeKind::None);
    }
    EXPECT_EQ(d.s.counters.health(), Health::Healthy);
    resume(d.s, d.cfg);
    EXPECT_FALSE(d.s.paused);
    // Judged afresh: failureThreshold failing probes after the resume act.
    EXPECT_EQ(d.fail().act, ActionKind::None);
    EXPECT_EQ(d.fail().act, ActionKind::None);
    Plan p = d.fail();
    EXPECT_EQ(p.act, ActionKind::Restart);
    EXPECT_EQ(p.notice, NoticeKind::Failed);
}

TEST(Policy, ResumeReArmsAGivenUpCheckAndEndsTheHold) {
    Driver d(give_up_config(1));
    d.fail_until_failed();
    EXPECT_EQ(d.s.phase, Phase::Holding);
    pause(d.s);
    resume(d.s, d.cfg);
    EXPECT_EQ(d.s.phase, Phase::Watching);
    EXPECT_FALSE(d.s.given_up);
    EXPECT_TRUE(d.s.recent_actions.empty());
    d.fail();
    d.fail();
    Plan p = d.fail();
    EXPECT_EQ(p.act, ActionKind::Restart);
    EXPECT_EQ(p.notice, NoticeKind::None);  // the episode's notice went out before the pause
}

TEST(Policy, ReloadStartsFreshWhenGiveUpSettingsChange) {
    CheckConfig c = give_up_config(3);
    CheckConfig changed = c;
    changed.max_restarts = 4;
    EXPECT_FALSE(keeps_state_on_reload(c, changed));
    changed = c;
    changed.restart_window = 60;
    EXPECT_FALSE(keeps_state_on_reload(c, changed));
}

}  // namespace
