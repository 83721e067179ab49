// The events check's rule (events_check.hpp): which changes between two
// getAllProcessInfo looks are notices. Made-up snapshots, no supervisord.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "supervise/config.hpp"
#include "supervise/events_check.hpp"

using namespace hc::supervise;
namespace st = hc::xmlrpc::states;
using Kind = ProcessEvent::Kind;

namespace {

constexpr int64_t T0 = 1700000000;

hc::xmlrpc::ProcessInfo p(const std::string& name, int state, int64_t start = T0, int64_t stop = 0,
                          int64_t exitstatus = 0, const std::string& group = "") {
    hc::xmlrpc::ProcessInfo i;
    i.name = name;
    i.group = group.empty() ? name : group;
    i.state = state;
    i.statename = hc::xmlrpc::state_name(state);
    i.start = start;
    i.stop = stop;
    i.exitstatus = exitstatus;
    return i;
}

}  // namespace

TEST(EventsCheck, TheFirstLookIsTheBaseline) {
    EventsWatch w;
    EventsOptions o;
    auto ev = w.observe(o, {p("dead", st::FATAL), p("crashed", st::EXITED, T0, T0 + 5, 3), p("up", st::RUNNING)});
    EXPECT_TRUE(ev.empty());
    EXPECT_TRUE(w.primed());
    // Still FATAL / EXITED later: nothing new happened.
    ev = w.observe(o, {p("dead", st::FATAL), p("crashed", st::EXITED, T0, T0 + 5, 3), p("up", st::RUNNING)});
    EXPECT_TRUE(ev.empty());
}

TEST(EventsCheck, UnexpectedExitOnceExpectedExitNever) {
    EventsWatch w;
    EventsOptions o;
    w.observe(o, {p("a", st::RUNNING), p("b", st::RUNNING), p("k", st::RUNNING)});
    auto ev = w.observe(
        o, {p("a", st::EXITED, T0, T0 + 9, 3), p("b", st::EXITED, T0, T0 + 9, 0), p("k", st::EXITED, T0, T0 + 9, -1)});
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].kind, Kind::Exited);
    EXPECT_EQ(ev[0].process, "a");
    EXPECT_EQ(ev[0].reason, "exited unexpectedly: exit status 3 (expected 0)");
    EXPECT_EQ(ev[1].process, "k");
    EXPECT_EQ(ev[1].reason, "exited unexpectedly: killed by a signal (exit status -1; expected 0)");
    // The same exit seen again: no second notice.
    ev = w.observe(
        o, {p("a", st::EXITED, T0, T0 + 9, 3), p("b", st::EXITED, T0, T0 + 9, 0), p("k", st::EXITED, T0, T0 + 9, -1)});
    EXPECT_TRUE(ev.empty());
    // A later exit (new stop time) is a new transition.
    ev = w.observe(o, {p("a", st::EXITED, T0 + 20, T0 + 30, 3)});
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].process, "a");
}

TEST(EventsCheck, ExitCodesListsTheExpectedOnes) {
    EventsWatch w;
    EventsOptions o;
    o.exit_codes = {0, 2};
    w.observe(o, {p("a", st::RUNNING), p("b", st::RUNNING)});
    auto ev = w.observe(o, {p("a", st::EXITED, T0, T0 + 1, 2), p("b", st::EXITED, T0, T0 + 1, 1)});
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].process, "b");
    EXPECT_EQ(ev[0].reason, "exited unexpectedly: exit status 1 (expected 0,2)");
}

TEST(EventsCheck, FatalOncePerEntry) {
    EventsWatch w;
    EventsOptions o;
    w.observe(o, {p("a", st::STARTING)});
    auto f = p("a", st::FATAL);
    f.spawnerr = "Exited too quickly (process log may have details)";
    auto ev = w.observe(o, {f});
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, Kind::Fatal);
    EXPECT_EQ(ev[0].reason, "FATAL: Exited too quickly (process log may have details)");
    EXPECT_TRUE(w.observe(o, {f}).empty());
    EXPECT_TRUE(w.observe(o, {p("a", st::RUNNING, T0 + 50)}).empty());
    EXPECT_EQ(w.observe(o, {f}).size(), 1u);  // FATAL again: a new transition
}

TEST(EventsCheck, StopsAndStartsAreQuiet) {
    EventsWatch w;
    EventsOptions o;
    w.observe(o, {p("a", st::RUNNING)});
    EXPECT_TRUE(w.observe(o, {p("a", st::STOPPING)}).empty());
    EXPECT_TRUE(w.observe(o, {p("a", st::STOPPED, T0, T0 + 7, -1)}).empty());
    EXPECT_TRUE(w.observe(o, {p("a", st::STARTING, T0 + 8, T0 + 7)}).empty());
    EXPECT_TRUE(w.observe(o, {p("a", st::RUNNING, T0 + 8, T0 + 7)}).empty());
    // A start that fails (STARTING -> BACKOFF) ends in FATAL when supervisord gives up.
    EventsWatch starting;
    starting.observe(o, {p("a", st::STARTING, T0 + 20)});
    EXPECT_TRUE(starting.observe(o, {p("a", st::BACKOFF, T0 + 20, T0 + 20)}).empty());
    EXPECT_TRUE(starting.observe(o, {p("a", st::STARTING, T0 + 22, T0 + 20)}).empty());
}

TEST(EventsCheck, ARestartBetweenTwoLooksIsAnUnseenExit) {
    EventsWatch w;
    EventsOptions o;
    w.observe(o, {p("a", st::RUNNING, T0)});
    auto ev = w.observe(o, {p("a", st::STARTING, T0 + 12, T0 + 12)});
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, Kind::Unseen);
    EXPECT_EQ(ev[0].reason,
              "ended after a run of 12 s and was restarted by supervisord between two looks (exit status not "
              "seen; a supervisorctl restart looks the same), now STARTING");
    EXPECT_TRUE(w.observe(o, {p("a", st::RUNNING, T0 + 12, T0 + 12)}).empty());
    // Off: quiet.
    EventsWatch quiet;
    o.unseen_exits = false;
    quiet.observe(o, {p("a", st::RUNNING, T0)});
    EXPECT_TRUE(quiet.observe(o, {p("a", st::RUNNING, T0 + 12, T0 + 12)}).empty());
}

// supervisord's start times are whole seconds: a run that ended and was
// respawned within the second it started keeps the start; its pid changes.
TEST(EventsCheck, ARestartWithinTheSameSecondIsSeenByItsPid) {
    EventsWatch w;
    EventsOptions o;
    auto with_pid = [](hc::xmlrpc::ProcessInfo i, int64_t pid) {
        i.pid = pid;
        return i;
    };
    w.observe(o, {with_pid(p("a", st::RUNNING, T0), 100)});
    EXPECT_TRUE(w.observe(o, {with_pid(p("a", st::RUNNING, T0), 100)}).empty());  // the same run
    auto ev = w.observe(o, {with_pid(p("a", st::RUNNING, T0, T0), 200)});
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, Kind::Unseen);
    EXPECT_NE(ev[0].reason.find("now RUNNING"), std::string::npos) << ev[0].reason;
}

TEST(EventsCheck, ProgramsAndExcludeSelect) {
    EventsOptions o;
    o.programs = {"web", "pool:*"};
    o.exclude = {"pool:pool_01"};
    EXPECT_TRUE(events_selects(o, p("web", st::RUNNING)));
    EXPECT_TRUE(events_selects(o, p("pool_00", st::RUNNING, T0, 0, 0, "pool")));
    EXPECT_FALSE(events_selects(o, p("pool_01", st::RUNNING, T0, 0, 0, "pool")));
    EXPECT_FALSE(events_selects(o, p("db", st::RUNNING)));
    EventsOptions all;
    all.exclude = {"d?"};
    EXPECT_TRUE(events_selects(all, p("web", st::RUNNING)));
    EXPECT_FALSE(events_selects(all, p("db", st::RUNNING)));
    // Unselected processes are never reported.
    EventsWatch w;
    w.observe(o, {p("db", st::RUNNING)});
    EXPECT_TRUE(w.observe(o, {p("db", st::FATAL)}).empty());
}

TEST(EventsCheck, AProcessAddedLaterCountsFromItsFirstLook) {
    EventsWatch w;
    EventsOptions o;
    w.observe(o, {p("a", st::RUNNING)});
    auto ev = w.observe(o, {p("a", st::RUNNING), p("new", st::FATAL)});
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].process, "new");
    EXPECT_TRUE(w.observe(o, {p("a", st::RUNNING)}).empty());  // removed: forgotten
}

// ------------------------------------------------------------ the config keys

TEST(EventsCheckConfig, DefaultsAllProgramsEmailEverySecond) {
    auto r = load_config_text("crashes:\n  type: events\n", "t.yaml");
    ASSERT_TRUE(r) << r.error();
    const CheckConfig& c = r->checks.at(0);
    EXPECT_EQ(c.type, CheckType::Events);
    EXPECT_EQ(c.program, "*");
    EXPECT_TRUE(c.events->programs.empty());
    EXPECT_EQ(c.events->exit_codes, std::vector<int64_t>{0});
    EXPECT_TRUE(c.events->unseen_exits);
    EXPECT_EQ(c.actions.str(), "email");
    EXPECT_EQ(c.period_seconds, 1);
    const std::string d = describe(*r);
    EXPECT_NE(d.find("  type: events\n  programs: (all)\n  exclude: (none)\n  exitCodes: 0\n  unseenExits: true\n"),
              std::string::npos)
        << d;
}

TEST(EventsCheckConfig, KeysAreRead) {
    auto r = load_config_text(
        "crashes:\n  type: events\n  program: web\n  programs: [api, 'pool:*']\n  exclude: noisy, tmp*\n"
        "  exitCodes: [0, 2, -1]\n  unseenExits: no\n  periodSeconds: 3\n  action: email,notify\n",
        "t.yaml");
    ASSERT_TRUE(r) << r.error();
    const CheckConfig& c = r->checks.at(0);
    EXPECT_EQ(c.events->programs, (std::vector<std::string>{"api", "pool:*", "web"}));
    EXPECT_EQ(c.events->exclude, (std::vector<std::string>{"noisy", "tmp*"}));
    EXPECT_EQ(c.events->exit_codes, (std::vector<int64_t>{0, 2, -1}));
    EXPECT_FALSE(c.events->unseen_exits);
    EXPECT_EQ(c.period_seconds, 3);
    EXPECT_EQ(c.actions.str(), "email,notify");
}

TEST(EventsCheckConfig, OnlyNotifiesAndExitCodesAreChecked) {
    auto r = load_config_text("crashes:\n  type: events\n  action: restart,email\n", "t.yaml");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("t.yaml:3: crashes.action: an events check only notifies (email, notify or none), got "
                             "\"restart,email\""),
              std::string::npos)
        << r.error();
    r = load_config_text("crashes:\n  type: events\n  exitCodes: [0, 300]\n", "t.yaml");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("crashes.exitCodes: expected exit codes -1-255"), std::string::npos) << r.error();
    // Other types still need program.
    r = load_config_text("web:\n  type: tcp\n", "t.yaml");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("web.program: required key missing"), std::string::npos) << r.error();
}
