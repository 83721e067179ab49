// The restart-count check's rule (restart_check.hpp): one verdict per look at
// the program, then Counters count them. Driven by made-up getProcessInfo
// answers and a fake clock (supervisord's unix seconds), so each case takes
// microseconds.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "supervise/check_state.hpp"
#include "supervise/restart_check.hpp"

using namespace hc::supervise;
using Kind = RestartVerdict::Kind;

namespace {

constexpr int64_t T0 = 1700000000;  // any unix time

RunObservation running(int64_t start, int64_t pid, int64_t stop = 0) { return {start, stop, pid, true}; }
RunObservation down(int64_t start, int64_t stop) { return {start, stop, 0, false}; }

// ------------------------------------------------------------ the rule

TEST(RestartCheck, FirstLookAtAYoungRunIsNoResult) {
    // Restarts before the daemon started are not counted: no failure, and
    // not healthy either until the run is mincontinueRun old.
    auto v = judge_restart(std::nullopt, running(T0, 100), T0 + 3, 10);
    EXPECT_EQ(v.kind, Kind::None);
    EXPECT_EQ(v.reason, "running 3 s of mincontinueRun 10 s");
}

TEST(RestartCheck, FirstLookAtALongRunIsStable) {
    auto v = judge_restart(std::nullopt, running(T0, 100), T0 + 10, 10);
    EXPECT_EQ(v.kind, Kind::Stable);
    EXPECT_EQ(v.reason, "running 10 s without a restart (mincontinueRun 10 s)");
}

TEST(RestartCheck, SameRunIsNoResultUntilMincontinueRunThenStable) {
    RunObservation r = running(T0, 100);
    for (int64_t t = 0; t < 10; ++t) EXPECT_EQ(judge_restart(r, r, T0 + t, 10).kind, Kind::None) << t;
    EXPECT_EQ(judge_restart(r, r, T0 + 10, 10).kind, Kind::Stable);
    EXPECT_EQ(judge_restart(r, r, T0 + 99999, 10).kind, Kind::Stable);
}

TEST(RestartCheck, NewStartAfterAShortRunIsARestart) {
    auto v = judge_restart(running(T0, 100), running(T0 + 5, 101, T0 + 5), T0 + 6, 10);
    EXPECT_EQ(v.kind, Kind::Restarted);
    EXPECT_EQ(v.reason, "restarted after a run of 5 s, under mincontinueRun 10 s (pid 100 -> 101)");
}

TEST(RestartCheck, RespawnInTheSameSecondIsSeenByItsPid) {
    // supervisord's start has one-second resolution.
    auto v = judge_restart(running(T0, 100), running(T0, 101, T0), T0 + 1, 10);
    EXPECT_EQ(v.kind, Kind::Restarted);
    EXPECT_EQ(v.reason, "restarted after a run of 0 s, under mincontinueRun 10 s (pid 100 -> 101)");
}

TEST(RestartCheck, RestartAfterARunOfMincontinueRunIsNotCounted) {
    // It ran 10 s without interruption: healthy; its next crash starts a
    // new count, it is not a failure by itself.
    auto v = judge_restart(running(T0, 100), running(T0 + 10, 101, T0 + 10), T0 + 11, 10);
    EXPECT_EQ(v.kind, Kind::None);
    EXPECT_EQ(v.reason, "restarted after a run of 10 s (not under mincontinueRun 10 s): not counted (pid 100 -> 101)");
}

TEST(RestartCheck, RunLengthComesFromTheStopTimeNotTheNextStart) {
    // Ran 2 s, then sat FATAL for an hour until someone started it: the run
    // was still interrupted after 2 s.
    auto v = judge_restart(running(T0, 100), running(T0 + 3600, 101, T0 + 2), T0 + 3601, 10);
    EXPECT_EQ(v.kind, Kind::Restarted);
    EXPECT_EQ(v.reason, "restarted after a run of 2 s, under mincontinueRun 10 s (pid 100 -> 101)");
    // A stop that is not between the two starts says nothing about the
    // replaced run (here the new run ended too): the new start bounds it.
    auto w = judge_restart(running(T0, 100), down(T0 + 4, T0 + 5), T0 + 6, 10);
    EXPECT_EQ(w.kind, Kind::Restarted);
    EXPECT_EQ(w.reason, "restarted after a run of 4 s, under mincontinueRun 10 s");
}

TEST(RestartCheck, RestartSeenWhileDownCounts) {
    // BACKOFF / EXITED: a new start with no process now (it died already).
    auto v = judge_restart(running(T0, 100), down(T0 + 2, T0 + 2), T0 + 3, 10);
    EXPECT_EQ(v.kind, Kind::Restarted);
    // Staying down with the same start is no new restart.
    EXPECT_EQ(judge_restart(down(T0 + 2, T0 + 2), down(T0 + 2, T0 + 2), T0 + 50, 10).kind, Kind::None);
    EXPECT_EQ(judge_restart(down(T0 + 2, T0 + 2), down(T0 + 2, T0 + 2), T0 + 50, 10).reason,
              "not running, no new start");
}

TEST(RestartCheck, FirstStartOfANeverStartedProgramIsNotARestart) {
    EXPECT_EQ(judge_restart(down(0, 0), running(T0, 100), T0 + 1, 10).kind, Kind::None);
    EXPECT_EQ(judge_restart(down(0, 0), down(0, 0), T0 + 1, 10).kind, Kind::None);
}

TEST(RestartCheck, ALongCurrentRunWinsOverARestartSinceTheLastLook) {
    // Probes sparser than the runs: the program restarted once, but has
    // run mincontinueRun since. It is healthy.
    auto v = judge_restart(running(T0, 100), running(T0 + 5, 101, T0 + 5), T0 + 20, 10);
    EXPECT_EQ(v.kind, Kind::Stable);
}

TEST(RestartCheck, RememberKeepsThePidOfTheSameSpawnOnly) {
    // EXITED with the same start: the pid of that spawn is kept, so a
    // respawn in the same second is still told apart.
    RunObservation kept = remember(running(T0, 100), down(T0, T0));
    EXPECT_EQ(kept.pid, 100);
    EXPECT_EQ(judge_restart(kept, running(T0, 101, T0), T0 + 1, 10).kind, Kind::Restarted);
    // A new start with no process: no pid to keep (not 100, which would
    // count the next sight of that spawn's successor twice).
    EXPECT_EQ(remember(running(T0, 100), down(T0 + 2, T0 + 2)).pid, 0);
    EXPECT_EQ(remember(std::nullopt, down(T0, T0)).pid, 0);
    EXPECT_EQ(remember(running(T0, 100), running(T0 + 1, 101)).pid, 101);
}

// ------------------------------------------------- the rule + Counters

// A program under supervisord's autorestart that crashes after `run_s`
// seconds and is respawned `gap_s` later; pid 1000 + spawn number.
struct CrashLoop {
    int64_t run_s, gap_s;
    RunObservation at(int64_t t) const {
        int64_t cycle = run_s + gap_s, k = t / cycle, start = T0 + k * cycle;
        int64_t prev_stop = k > 0 ? start - gap_s : 0;
        if (t - k * cycle < run_s) return running(start, 1000 + k, prev_stop);
        return down(start, start + run_s);
    }
};

// Probes every `period` s from `first` for `until` s. Returns the probe time
// (seconds since the loop started) at which the check turned failed, or -1.
int64_t seconds_to_failed(const CrashLoop& p, int64_t period, int64_t min_continue_run, int failure_threshold,
                          int64_t until, int64_t first = 1, int* passes = nullptr) {
    Counters counters;
    std::optional<RunObservation> last;
    for (int64_t t = first; t <= until; t += period) {
        RunObservation cur = p.at(t);
        RestartVerdict v = judge_restart(last, cur, T0 + t, min_continue_run);
        last = remember(last, cur);
        if (v.kind == Kind::None) continue;  // a wait: the counters do not move
        if (v.kind == Kind::Stable && passes) ++*passes;
        if (counters.record(v.kind == Kind::Stable, failure_threshold, 1) == Transition::BecameFailed) return t;
    }
    return -1;
}

TEST(RestartCheck, CrashEvery5sWithMincontinueRun10IsActedOn) {
    // The case: a window of 10 s holds at most 2 restarts of a
    // program that crashes every 5 s, so failureThreshold 3 never fired and
    // it restarted 7 times in 34 s unnoticed. Every restart counts now:
    // the third one seen (5 s probes) turns the check failed.
    int64_t t = seconds_to_failed({5, 0}, 5, 10, 3, 60);
    EXPECT_GE(t, 11);
    EXPECT_LE(t, 16);
}

TEST(RestartCheck, CrashEvery2sWithMincontinueRun5AndFastProbes) {
    // The shell test's shape (supervise_restart.sh): runs of ~2 s, respawn
    // after ~1 s, 1 s probes, failureThreshold 3.
    int64_t t = seconds_to_failed({2, 1}, 1, 5, 3, 60);
    EXPECT_GT(t, 0);
    EXPECT_LE(t, 10);
}

TEST(RestartCheck, ProbesSparserThanTheCrashesStillCount) {
    // Several restarts between two probes count as one, but each probe
    // sees one: 3 probes 10 s apart.
    int64_t t = seconds_to_failed({2, 1}, 10, 30, 3, 120);
    EXPECT_GT(t, 0);
    EXPECT_LE(t, 31);
}

TEST(RestartCheck, RunsLongerThanMincontinueRunAreNeverAFailure) {
    // Crashes after 20 s every time, mincontinueRun 10, failureThreshold 1:
    // every run proves the program healthy before it ends.
    int passes = 0;
    EXPECT_EQ(seconds_to_failed({20, 1}, 1, 10, 1, 3600, 1, &passes), -1);
    EXPECT_GT(passes, 100);
}

TEST(RestartCheck, ARunOfMincontinueRunResetsTheCount) {
    // Two quick restarts (threshold 3), then a run of 10 s: the count starts
    // over, so two more quick restarts do not make three.
    Counters c;
    std::optional<RunObservation> last;
    auto look = [&](RunObservation o, int64_t now) {
        RestartVerdict v = judge_restart(last, o, now, 10);
        last = remember(last, o);
        if (v.kind == Kind::None) return Transition::None;
        return c.record(v.kind == Kind::Stable, 3, 1);
    };
    look(running(T0, 1), T0 + 1);
    look(running(T0 + 2, 2, T0 + 2), T0 + 3);  // restart 1
    look(running(T0 + 4, 3, T0 + 4), T0 + 5);  // restart 2
    EXPECT_EQ(c.run(), 2);
    EXPECT_EQ(look(running(T0 + 4, 3, T0 + 4), T0 + 14), Transition::BecameHealthy);  // 10 s run
    EXPECT_EQ(look(running(T0 + 20, 4, T0 + 20), T0 + 21), Transition::None);  // a run of 16 s ended: not counted
    EXPECT_EQ(look(running(T0 + 22, 5, T0 + 22), T0 + 23), Transition::None);  // restart 1
    EXPECT_EQ(look(running(T0 + 24, 6, T0 + 24), T0 + 25), Transition::None);  // restart 2
    EXPECT_EQ(c.health(), Health::Healthy);
    EXPECT_EQ(look(running(T0 + 26, 7, T0 + 26), T0 + 27), Transition::BecameFailed);  // restart 3
}

}  // namespace
