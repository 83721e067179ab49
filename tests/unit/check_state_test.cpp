// The pure state machine of supervise mode (Counters, Backoff) and the exec
// action's deadline (ExecTask). Each group proves that a defect of the
// original Python daemon (docs/DEFECTS.md) is not ours:
//   - thresholds not consecutive      -> Counters.* (ConsecutiveOnly first)
//   - restart storms / odd intervals  -> Backoff.*
//   - exec runs with no timeout       -> ExecTaskDeadline.*
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "supervise/check_state.hpp"
#include "supervise/exec_task.hpp"
#include "supervise/loop.hpp"

using namespace hc;
using namespace hc::supervise;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// ---------------------------------------------------------------- Counters

// The original counted failures without resetting on a pass: fail, pass,
// fail with failureThreshold 2 turned failed (and restarted a healthy
// service). Ours needs 2 failures in a row.
TEST(Counters, ConsecutiveOnlyFailPassFailNeverFails) {
    Counters c;
    EXPECT_EQ(c.record(true, 2, 1), Transition::BecameHealthy);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(c.record(false, 2, 1), Transition::None) << "round " << i;
        EXPECT_EQ(c.health(), Health::Healthy);
        EXPECT_EQ(c.run(), 1);
        EXPECT_EQ(c.record(true, 2, 1), Transition::None) << "round " << i;
        EXPECT_EQ(c.health(), Health::Healthy);
    }
    // Also from Unknown (no pass seen yet), with successThreshold 3 so the
    // passes in between do not make it healthy.
    Counters u;
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(u.record(false, 2, 3), Transition::None);
        EXPECT_EQ(u.record(true, 2, 3), Transition::None);
    }
    EXPECT_EQ(u.health(), Health::Unknown);
}

TEST(Counters, ConsecutiveSuccessesOnlyToo) {
    // pass, fail, pass with successThreshold 2 from failed: still failed.
    Counters c;
    EXPECT_EQ(c.record(false, 1, 2), Transition::BecameFailed);
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(c.record(true, 1, 2), Transition::None);
        EXPECT_EQ(c.record(false, 1, 2), Transition::None);
    }
    EXPECT_EQ(c.health(), Health::Failed);
}

TEST(Counters, StartsUnknown) {
    Counters c;
    EXPECT_EQ(c.health(), Health::Unknown);
    EXPECT_EQ(c.run(), 0);
    EXPECT_STREQ(to_string(Health::Unknown), "unknown");
    EXPECT_STREQ(to_string(Health::Healthy), "healthy");
    EXPECT_STREQ(to_string(Health::Failed), "failed");
}

TEST(Counters, UnknownToHealthyAfterSuccessThreshold) {
    Counters c;
    EXPECT_EQ(c.record(true, 3, 3), Transition::None);
    EXPECT_EQ(c.run(), 1);
    EXPECT_EQ(c.record(true, 3, 3), Transition::None);
    EXPECT_EQ(c.health(), Health::Unknown);
    EXPECT_EQ(c.record(true, 3, 3), Transition::BecameHealthy);
    EXPECT_EQ(c.health(), Health::Healthy);
    EXPECT_EQ(c.run(), 3);
    EXPECT_TRUE(c.last_ok());
    // Further passes: no new transition.
    for (int i = 0; i < 5; ++i) EXPECT_EQ(c.record(true, 3, 3), Transition::None);
    EXPECT_EQ(c.run(), 8);
}

TEST(Counters, UnknownToFailedAfterFailureThreshold) {
    Counters c;
    EXPECT_EQ(c.record(false, 2, 1), Transition::None);
    EXPECT_EQ(c.health(), Health::Unknown);
    EXPECT_EQ(c.record(false, 2, 1), Transition::BecameFailed);
    EXPECT_EQ(c.health(), Health::Failed);
}

TEST(Counters, HealthyToFailedAfterFailureThreshold) {
    Counters c;
    EXPECT_EQ(c.record(true, 3, 1), Transition::BecameHealthy);
    EXPECT_EQ(c.record(false, 3, 1), Transition::None);
    EXPECT_EQ(c.record(false, 3, 1), Transition::None);
    EXPECT_EQ(c.health(), Health::Healthy);
    EXPECT_EQ(c.run(), 2);
    EXPECT_FALSE(c.last_ok());
    EXPECT_EQ(c.record(false, 3, 1), Transition::BecameFailed);
    EXPECT_EQ(c.health(), Health::Failed);
    EXPECT_EQ(c.run(), 3);
}

TEST(Counters, FailedToRecoveredAfterSuccessThreshold) {
    Counters c;
    c.record(true, 1, 2);
    c.record(true, 1, 2);
    ASSERT_EQ(c.health(), Health::Healthy);
    EXPECT_EQ(c.record(false, 1, 2), Transition::BecameFailed);
    EXPECT_EQ(c.record(true, 1, 2), Transition::None);
    EXPECT_EQ(c.health(), Health::Failed);
    EXPECT_EQ(c.record(true, 1, 2), Transition::Recovered);
    EXPECT_EQ(c.health(), Health::Healthy);
    // And it can fail again (a new episode).
    EXPECT_EQ(c.record(false, 1, 2), Transition::BecameFailed);
}

TEST(Counters, NoRepeatedBecameFailedWhileFailed) {
    Counters c;
    EXPECT_EQ(c.record(false, 2, 1), Transition::None);
    EXPECT_EQ(c.record(false, 2, 1), Transition::BecameFailed);
    for (int i = 0; i < 100; ++i) ASSERT_EQ(c.record(false, 2, 1), Transition::None) << "failure " << i + 3;
    EXPECT_EQ(c.health(), Health::Failed);
    EXPECT_EQ(c.run(), 102);
}

TEST(Counters, ThresholdOneActsOnFirstResult) {
    Counters c;
    EXPECT_EQ(c.record(false, 1, 1), Transition::BecameFailed);
    Counters d;
    EXPECT_EQ(d.record(true, 1, 1), Transition::BecameHealthy);
}

TEST(Counters, ResetForgetsEverything) {
    Counters c;
    c.record(false, 1, 1);
    ASSERT_EQ(c.health(), Health::Failed);
    c.reset();
    EXPECT_EQ(c.health(), Health::Unknown);
    EXPECT_EQ(c.run(), 0);
    // A run before the reset does not count after it.
    Counters d;
    d.record(false, 2, 1);
    d.reset();
    EXPECT_EQ(d.record(false, 2, 1), Transition::None);
    EXPECT_EQ(d.run(), 1);
    EXPECT_EQ(d.record(false, 2, 1), Transition::BecameFailed);
    // After a reset from Failed, the first healthy is BecameHealthy (the
    // daemon tracks "recovering" itself).
    c.record(true, 1, 1);
    EXPECT_EQ(c.health(), Health::Healthy);
}

// ----------------------------------------------------------------- Backoff

const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1000);

TEST(Backoff, FirstActionAllowedAtOnce) {
    Backoff b(seconds(15));
    EXPECT_TRUE(b.may_act(t0));
    EXPECT_EQ(b.gap(), milliseconds(0));
}

TEST(Backoff, GapAfterFirstActionIsBase) {
    Backoff b(seconds(15));
    b.acted(t0);
    EXPECT_EQ(b.gap(), seconds(15));
    EXPECT_FALSE(b.may_act(t0));
    EXPECT_FALSE(b.may_act(t0 + seconds(15) - milliseconds(1)));
    EXPECT_TRUE(b.may_act(t0 + seconds(15)));
    EXPECT_EQ(b.next_allowed(), t0 + seconds(15));
}

TEST(Backoff, DoublesPerActionCappedAt600s) {
    Backoff b(seconds(15));
    const long want[] = {15, 30, 60, 120, 240, 480, 600, 600, 600};
    auto now = t0;
    for (long w : want) {
        ASSERT_TRUE(b.may_act(now));
        b.acted(now);
        EXPECT_EQ(b.gap(), seconds(w));
        EXPECT_FALSE(b.may_act(now + seconds(w) - milliseconds(1))) << "gap " << w;
        now += seconds(w);
    }
    EXPECT_EQ(Backoff::kMaxGap, seconds(600));
}

// A crash-looping program acted on as often as the backoff allows, one
// check per 5 s period for an hour: far fewer actions than periods.
TEST(Backoff, NoRestartStormOverAnHour) {
    Backoff b(seconds(15));
    int actions = 0;
    for (auto now = t0; now < t0 + std::chrono::hours(1); now += seconds(5))
        if (b.may_act(now)) {
            b.acted(now);
            ++actions;
        }
    // 0, 15, 45, 105, 225, 465, 945, 1545, 2145, 2745, 3345: 11 of 720 periods.
    EXPECT_EQ(actions, 11);
}

TEST(Backoff, ResetOnlyAfterHealthyForTheGapInForce) {
    Backoff b(seconds(15));
    b.acted(t0);                // gap in force 15 s, next 30 s
    b.acted(t0 + seconds(15));  // gap in force 30 s, next 60 s
    ASSERT_EQ(b.gap(), seconds(30));
    auto since = t0 + seconds(20);  // healthy from here on
    // Healthy for less than the gap in force (30 s): no reset, not even
    // after the base gap (15 s).
    for (int s : {0, 1, 15, 16, 29}) {
        b.healthy_since(since, since + seconds(s));
        EXPECT_EQ(b.gap(), seconds(30)) << "healthy for " << s << " s";
    }
    b.healthy_since(since, since + seconds(30) - milliseconds(1));
    EXPECT_EQ(b.gap(), seconds(30));
    // The next action would now get 60 s: the doubling was kept.
    Backoff copy = b;
    copy.acted(t0 + seconds(45));
    EXPECT_EQ(copy.gap(), seconds(60));
    // Healthy for the full gap: reset to base.
    b.healthy_since(since, since + seconds(30));
    EXPECT_EQ(b.gap(), milliseconds(0));
    EXPECT_TRUE(b.may_act(since + seconds(30)));
    b.acted(since + seconds(31));
    EXPECT_EQ(b.gap(), seconds(15));
}

TEST(Backoff, HealthyBeforeAnyActionChangesNothing) {
    Backoff b(seconds(2));
    b.healthy_since(t0, t0 + std::chrono::hours(5));
    EXPECT_TRUE(b.may_act(t0));
    b.acted(t0);
    EXPECT_EQ(b.gap(), seconds(2));
}

TEST(Backoff, ShortHealthyBlipsDoNotReset) {
    // A crash loop passes briefly after each restart: each blip is shorter
    // than the gap in force, so the gap keeps doubling.
    Backoff b(seconds(1));
    auto now = t0;
    for (long w : {1, 2, 4, 8, 16}) {
        b.acted(now);
        EXPECT_EQ(b.gap(), seconds(w));
        auto since = now + milliseconds(500);
        b.healthy_since(since, since + seconds(w) - milliseconds(1));
        now += seconds(w);
    }
}

// --------------------------------------------------------------- ExecTask

// Runs one exec task to completion on its own loop (bounded by `cap_ms`).
ExecResult run_exec(const std::string& cmd, long timeout_ms, long cap_ms, long* elapsed_ms) {
    EventLoop loop;
    ExecResult out;
    bool done = false;
    auto start = Clock::now();
    loop.add(std::make_unique<ExecTask>(cmd, ExecTask::Env{{"HC_CHECK", "c1"}}, timeout_ms, [&](const ExecResult& r) {
        out = r;
        done = true;
        loop.stop();
    }));
    loop.after_ms(cap_ms, [&] { loop.stop(); });
    loop.run();
    *elapsed_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
    EXPECT_TRUE(done) << "exec task did not finish within " << cap_ms << " ms";
    return out;
}

bool gone(pid_t pid) {
    // Dead, or a zombie waiting for init to reap it.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string line;
    std::getline(stat, line);
    auto p = line.rfind(')');
    return p != std::string::npos && p + 2 < line.size() && line[p + 2] == 'Z';
}

pid_t read_pid(const std::string& path) {
    std::ifstream f(path);
    long pid = 0;
    f >> pid;
    return static_cast<pid_t>(pid);
}

// The original ran execCmd with no timeout: a hanging command hung the
// daemon. Ours kills the command's whole process group at the deadline
// (the daemon passes 60 s; here 300 ms).
TEST(ExecTaskDeadline, HangingCommandKilledWithItsGroup) {
    char dir[] = "/tmp/hc-exec-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    std::string d = dir;
    long ms = 0;
    auto r = run_exec("echo $$ > " + d + "/sh.pid; sleep 30 & echo $! > " + d + "/bg.pid; echo started; wait", 300,
                      5000, &ms);
    EXPECT_TRUE(r.started);
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.signal, SIGKILL);
    EXPECT_EQ(r.exit_code, -1);
    EXPECT_EQ(r.output, "started\n");
    EXPECT_GE(ms, 250);
    EXPECT_LT(ms, 2000);
    pid_t sh = read_pid(d + "/sh.pid"), bg = read_pid(d + "/bg.pid");
    ASSERT_GT(sh, 0);
    ASSERT_GT(bg, 0);
    bool all_gone = false;
    for (int i = 0; i < 100 && !all_gone; ++i) {
        all_gone = gone(sh) && gone(bg);
        if (!all_gone) std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_TRUE(all_gone) << "sh " << sh << " or background sleep " << bg << " survived the deadline";
    if (!gone(bg)) ::kill(bg, SIGKILL);
    std::remove((d + "/sh.pid").c_str());
    std::remove((d + "/bg.pid").c_str());
    ::rmdir(dir);
}

TEST(ExecTaskDeadline, QuickCommandNotKilled) {
    long ms = 0;
    auto r = run_exec("echo \"$HC_CHECK\"; exit 3", 5000, 5000, &ms);
    EXPECT_TRUE(r.started);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.output, "c1\n");
    EXPECT_LT(ms, 2000);
}

}  // namespace
