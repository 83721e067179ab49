// The shared per-tick process snapshot (process_table.hpp): which caller gets
// which getAllProcessInfo, how many calls are sent, and that a failure is
// one shared error logged once. Driven by a fake fetch that the test answers
// by hand, so the order of events is exact.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "supervise/process_table.hpp"

using namespace hc;
using namespace hc::supervise;

namespace {

xmlrpc::ProcessInfo proc(const std::string& group, const std::string& name, int state = xmlrpc::states::RUNNING) {
    xmlrpc::ProcessInfo p;
    p.group = group;
    p.name = name;
    p.state = state;
    p.statename = xmlrpc::state_name(state);
    return p;
}

// A fetch that parks the callback until the test answers it.
struct FakeSupervisord {
    std::vector<ProcessTable::Fetched> pending;
    ProcessTable::Fetch fetch() {
        return [this](ProcessTable::Fetched f) { pending.push_back(std::move(f)); };
    }
    void answer(Result<std::vector<xmlrpc::ProcessInfo>> r) {
        ASSERT_FALSE(pending.empty());
        auto f = std::move(pending.front());
        pending.erase(pending.begin());
        f(std::move(r));
    }
};

// Reads what a Logger wrote.
struct CapturedLog {
    std::FILE* f = std::tmpfile();
    Logger log{Logger::Format::Text, f};
    ~CapturedLog() { std::fclose(f); }
    std::string text() {
        std::fflush(f);
        std::rewind(f);
        std::string s;
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
        return s;
    }
};

int count(const std::string& hay, const std::string& needle) {
    int n = 0;
    for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

TEST(ProcessTable, ChecksDueBeforeTheCallShareIt) {
    FakeSupervisord sv;
    ProcessTable table(sv.fetch(), nullptr);
    const auto due = Clock::now();
    int served = 0;
    for (int i = 0; i < 1000; ++i) table.get(due, [&](const SnapshotPtr& s) { served += s->processes ? 1 : 0; });
    EXPECT_EQ(table.calls(), 1u);
    ASSERT_EQ(sv.pending.size(), 1u);
    EXPECT_EQ(served, 0);
    sv.answer(std::vector<xmlrpc::ProcessInfo>{proc("web", "web")});
    EXPECT_EQ(served, 1000);
    // Still fresh for anyone due at or before the call: no second call.
    table.get(due, [&](const SnapshotPtr&) { ++served; });
    EXPECT_EQ(served, 1001);
    EXPECT_EQ(table.calls(), 1u);
}

TEST(ProcessTable, NeverServesAStateOlderThanTheTick) {
    FakeSupervisord sv;
    ProcessTable table(sv.fetch(), nullptr);
    table.get(Clock::now(), [](const SnapshotPtr&) {});
    ASSERT_EQ(sv.pending.size(), 1u);
    // Due after the call in flight was sent: waits for the next call, which
    // is sent only when this one ends (never two at once).
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const auto later = Clock::now();
    SnapshotPtr got;
    table.get(later, [&](const SnapshotPtr& s) { got = s; });
    EXPECT_EQ(sv.pending.size(), 1u);
    sv.answer(std::vector<xmlrpc::ProcessInfo>{proc("a", "a", xmlrpc::states::STOPPED)});
    EXPECT_FALSE(got) << "served the snapshot sent before its tick";
    ASSERT_EQ(sv.pending.size(), 1u);
    EXPECT_EQ(table.calls(), 2u);
    sv.answer(std::vector<xmlrpc::ProcessInfo>{proc("a", "a")});
    ASSERT_TRUE(got);
    EXPECT_GE(got->requested, later);
    EXPECT_EQ(got->find("a")->state, xmlrpc::states::RUNNING);
    // A last snapshot older than the tick is not reused either.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    table.get(Clock::now(), [](const SnapshotPtr&) {});
    EXPECT_EQ(table.calls(), 3u);
}

TEST(ProcessTable, FindsProgramsByTheNamesGetProcessInfoTakes) {
    ProcessSnapshot s;
    s.processes = std::vector<xmlrpc::ProcessInfo>{proc("web", "web"), proc("pool", "pool_00"), proc("pool", "pool_01"),
                                                   proc("grp", "api")};
    EXPECT_EQ(s.find("web")->name, "web");
    EXPECT_EQ(s.find("web:web")->name, "web");
    EXPECT_EQ(s.find("pool:pool_01")->name, "pool_01");
    EXPECT_EQ(s.find("grp:api")->group, "grp");
    // As getProcessInfo: a bare name is group and process both.
    auto missing = s.find("api");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), "supervisord fault 10 BAD_NAME: BAD_NAME: api");
    EXPECT_FALSE(s.find("pool"));
    EXPECT_FALSE(s.find("pool:*"));
}

TEST(ProcessTable, AFailureIsOneSharedErrorLoggedOnce) {
    FakeSupervisord sv;
    CapturedLog cap;
    ProcessTable table(sv.fetch(), &cap.log);
    std::vector<std::string> errors;
    auto ask = [&] {
        for (int i = 0; i < 50; ++i)
            table.get(Clock::now() - std::chrono::seconds(1), [&](const SnapshotPtr& s) {
                auto info = s->find("web");
                if (!info) errors.push_back(info.error());
            });
    };
    const std::string down = "supervisord unix:///x.sock: connect: No such file or directory";
    for (int tick = 0; tick < 3; ++tick) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        table.get(Clock::now(), [](const SnapshotPtr&) {});
        ask();
        sv.answer(hc::err(down));
    }
    EXPECT_EQ(table.calls(), 3u);
    ASSERT_EQ(errors.size(), 150u);
    for (const auto& e : errors) EXPECT_EQ(e, down);
    std::string log = cap.text();
    EXPECT_EQ(count(log, "supervisord_error"), 1) << log;
    EXPECT_EQ(count(log, down), 1) << log;
    // Another error is logged; the recovery once.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    table.get(Clock::now(), [](const SnapshotPtr&) {});
    sv.answer(hc::err("supervisord unix:///x.sock: fault 6 SHUTDOWN_STATE"));
    for (int tick = 0; tick < 2; ++tick) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        table.get(Clock::now(), [](const SnapshotPtr&) {});
        sv.answer(std::vector<xmlrpc::ProcessInfo>{proc("web", "web")});
    }
    log = cap.text();
    EXPECT_EQ(count(log, "supervisord_error"), 2) << log;
    EXPECT_EQ(count(log, "supervisord_ok"), 1) << log;
}

TEST(ProcessTable, AnAnswerAfterTheTableIsGoneIsDropped) {
    FakeSupervisord sv;
    {
        ProcessTable table(sv.fetch(), nullptr);
        table.get(Clock::now(), [](const SnapshotPtr&) { FAIL() << "served after destruction"; });
    }
    sv.answer(std::vector<xmlrpc::ProcessInfo>{});
}

TEST(ProcessTable, AFetchThatAnswersAtOnceServesTheCaller) {
    int calls = 0;
    ProcessTable table(
        [&](ProcessTable::Fetched f) {
            ++calls;
            f(hc::err("no usable supervisordUrl"));
        },
        nullptr);
    std::string got;
    table.get(Clock::now(), [&](const SnapshotPtr& s) { got = s->processes.error(); });
    EXPECT_EQ(got, "no usable supervisordUrl");
    EXPECT_EQ(calls, 1);
}
