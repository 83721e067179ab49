// Supervise mode's notices (src/supervise/notifier.cpp): the mail subject
// and body lines of the original daemon for Failed / Resolved / Reminder,
// and the channel-neutral robot notice built from the same event; the
// delivery lanes (src/supervise/delivery.cpp): bounded per-target queues,
// each with its own retry schedule.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "notify/robots.hpp"
#include "supervise/delivery.hpp"
#include "supervise/notifier.hpp"

namespace hc::supervise {
// Defined in notifier.cpp (not in its header).
notify::Notice robot_notice(const NotifyEvent& e);
}  // namespace hc::supervise

namespace {

using hc::supervise::NotifyEvent;

class Notifier : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("TZ", "CST-8", 1);  // POSIX TZ, no zoneinfo needed
        ::tzset();
    }
    void TearDown() override {
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
};

NotifyEvent event(NotifyEvent::Kind kind, const std::string& program = "web") {
    NotifyEvent e;
    e.check = "web-http";
    e.program = program;
    e.type = "http";
    e.kind = kind;
    e.action = kind == NotifyEvent::Kind::Failed ? "restart" : "none";
    e.message = "HTTP 500 from http://localhost:8080/";
    e.when = 1700000000;  // 2023-11-15 06:13:20 in CST-8
    return e;
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

std::string hostname() {
    char buf[256] = {0};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

std::string platform() {
    utsname u{};
    ::uname(&u);
    return std::string(u.sysname) + "-" + u.release + "-" + u.machine;
}

void expect_body(const NotifyEvent& e, const std::string& action) {
    std::string body = hc::supervise::mail_body(e);
    ASSERT_FALSE(body.empty());
    EXPECT_EQ(body.back(), '\n');
    EXPECT_EQ(body.find('\r'), std::string::npos);
    auto l = lines(body);
    ASSERT_EQ(l.size(), 8u) << body;
    EXPECT_EQ(l[0], "DateTime: 2023-11-15 06:13:20");
    EXPECT_EQ(l[1], "Program: " + e.program);
    // The first non-loopback IPv4 address, or empty in a namespace without one.
    ASSERT_EQ(l[2].rfind("IP: ", 0), 0u) << l[2];
    std::string ip = l[2].substr(4);
    if (!ip.empty()) {
        in_addr a{};
        EXPECT_EQ(inet_pton(AF_INET, ip.c_str(), &a), 1) << ip;
        EXPECT_NE(ip.rfind("127.", 0), 0u) << ip;
    }
    EXPECT_EQ(l[3], "Hostname: " + hostname());
    EXPECT_EQ(l[4], "Platform: " + platform());
    EXPECT_EQ(l[5], "Action: " + action);
    EXPECT_EQ(l[6], "Msg: HTTP 500 from http://localhost:8080/");
    EXPECT_EQ(l[7], "Check: web-http (http)");
}

TEST_F(Notifier, SubjectPerKind) {
    EXPECT_EQ(hc::supervise::mail_subject(event(NotifyEvent::Kind::Failed)), "[Supervisor] web Health check failed");
    EXPECT_EQ(hc::supervise::mail_subject(event(NotifyEvent::Kind::Resolved)),
              "[Supervisor] web Health check successful");
    EXPECT_EQ(hc::supervise::mail_subject(event(NotifyEvent::Kind::Reminder)),
              "[Supervisor] web Health check still failing");
    EXPECT_EQ(hc::supervise::mail_subject(event(NotifyEvent::Kind::Failed, "商城")),
              "[Supervisor] 商城 Health check failed");
    EXPECT_EQ(hc::supervise::mail_subject(event(NotifyEvent::Kind::Failed, "grp:member")),
              "[Supervisor] grp:member Health check failed");
}

TEST_F(Notifier, BodyFailed) { expect_body(event(NotifyEvent::Kind::Failed), "restart"); }
TEST_F(Notifier, BodyResolved) { expect_body(event(NotifyEvent::Kind::Resolved), "none"); }
TEST_F(Notifier, BodyReminder) { expect_body(event(NotifyEvent::Kind::Reminder), "none"); }

TEST_F(Notifier, BodyNonAsciiProgram) {
    auto e = event(NotifyEvent::Kind::Failed, "商城");
    e.message = "内存 1200 MB > 1024 MB";
    auto l = lines(hc::supervise::mail_body(e));
    ASSERT_EQ(l.size(), 8u);
    EXPECT_EQ(l[1], "Program: 商城");
    EXPECT_EQ(l[6], "Msg: 内存 1200 MB > 1024 MB");
}

TEST_F(Notifier, BodyDateFollowsTz) {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    auto l = lines(hc::supervise::mail_body(event(NotifyEvent::Kind::Failed)));
    ASSERT_FALSE(l.empty());
    EXPECT_EQ(l[0], "DateTime: 2023-11-14 22:13:20");
}

TEST_F(Notifier, RobotNotice) {
    struct Case {
        NotifyEvent::Kind kind;
        const char* title;
        const char* state;
    } cases[] = {{NotifyEvent::Kind::Failed, "[web]健康检查失败", "failed"},
                 {NotifyEvent::Kind::Resolved, "[web]已恢复", "resolved"},
                 {NotifyEvent::Kind::Reminder, "[web]仍未恢复", "reminder"}};
    for (const auto& c : cases) {
        auto e = event(c.kind);
        auto n = hc::supervise::robot_notice(e);
        EXPECT_EQ(n.title, c.title);
        EXPECT_EQ(n.state, c.state);
        EXPECT_EQ(n.program, "web");
        EXPECT_EQ(n.check, "web-http");
        EXPECT_EQ(n.message, e.message);
        EXPECT_EQ(n.host, hostname());
        EXPECT_EQ(n.time, 1700000000);
        EXPECT_EQ(n.text, std::string(c.title) + "\r\n\r\n检查: web-http (http)\r\n\r\n动作: " + e.action +
                              "\r\n\r\n原因: HTTP 500 from http://localhost:8080/\r\n\r\n主机: " + hostname() +
                              "\r\n\r\n时间: 2023-11-15 06:13:20");
    }
}

}  // namespace

// ---- delivery lanes (src/supervise/delivery.cpp) ----

namespace {

using hc::supervise::DeliveryJob;
using hc::supervise::Lane;
using hc::supervise::LaneQueue;
using hc::supervise::TryResult;

// A job that records its number in `out` when tried.
DeliveryJob numbered(int n, std::vector<int>& out, TryResult result = TryResult::finished()) {
    return [n, &out, result] {
        out.push_back(n);
        return result;
    };
}

TEST(LaneQueue, FullQueueDropsOldestPending) {
    LaneQueue q(100);
    std::vector<int> tried;
    size_t drops = 0;
    for (int i = 1; i <= 150; ++i) drops += q.push(numbered(i, tried)) ? 1 : 0;
    EXPECT_EQ(drops, 50u);
    EXPECT_EQ(q.dropped(), 50u);
    EXPECT_EQ(q.pending(), 100u);
    while (q.due(0)) {
        auto job = q.take();
        q.finish(job, job(), 0);
    }
    ASSERT_EQ(tried.size(), 100u);
    EXPECT_EQ(tried.front(), 51);  // the 50 oldest went
    EXPECT_EQ(tried.back(), 150);
}

TEST(LaneQueue, TheNoticeInFlightIsNeverDropped) {
    LaneQueue q(2);
    std::vector<int> tried;
    q.push(numbered(1, tried, TryResult::retry_after(1000)));
    auto first = q.take();
    for (int i = 2; i <= 5; ++i) q.push(numbered(i, tried));
    EXPECT_EQ(q.pending(), 2u);  // 4 and 5; 2 and 3 dropped, 1 in flight
    EXPECT_EQ(q.dropped(), 2u);
    EXPECT_FALSE(q.due(0));  // one at a time per target
    q.finish(first, first(), 0);
    EXPECT_EQ(q.pending(), 3u);  // the retried one is back at the front
}

// Fake clock: a failed try waits its own pause; the next notice of the
// same target waits behind it (order kept); success lets the next go at once.
TEST(LaneQueue, RetryScheduleWithFakeClock) {
    LaneQueue q(10);
    std::vector<int> tried;
    int tries_of_1 = 0;
    q.push([&]() -> TryResult {
        tried.push_back(1);
        return ++tries_of_1 < 3 ? TryResult::retry_after(1000L * tries_of_1) : TryResult::finished();
    });
    q.push(numbered(2, tried));
    int64_t now = 5000;
    auto step = [&] {
        auto job = q.take();
        q.finish(job, job(), now);
    };
    ASSERT_TRUE(q.due(now));
    step();  // try 1 of notice 1 fails: next in 1 s
    EXPECT_EQ(q.next_try_ms(), 6000);
    EXPECT_FALSE(q.due(5999));
    now = 6000;
    ASSERT_TRUE(q.due(now));
    step();  // try 2 fails: next in 2 s
    EXPECT_FALSE(q.due(7999));
    now = 8000;
    step();  // try 3 succeeds (or gives up): notice 2 at once
    EXPECT_TRUE(q.due(8000));
    step();
    EXPECT_EQ(tried, (std::vector<int>{1, 1, 1, 2}));
    EXPECT_EQ(q.pending(), 0u);
    EXPECT_FALSE(q.due(1000000));
}

// Two lanes with real threads: one target's try hangs (as a black-holed
// robot does for its 10 s deadline); the other target's notice goes at once.
TEST(Lane, DeadTargetDoesNotDelayAnother) {
    std::mutex mu;
    std::condition_variable cv;
    bool release = false, live_done = false;
    Lane dead(100, nullptr), live(100, nullptr);
    dead.post([&] {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait_for(lock, std::chrono::seconds(10), [&] { return release; });
        return TryResult::retry_after(60000);
    });
    auto t0 = std::chrono::steady_clock::now();
    live.post([&] {
        std::lock_guard<std::mutex> lock(mu);
        live_done = true;
        cv.notify_all();
        return TryResult::finished();
    });
    {
        std::unique_lock<std::mutex> lock(mu);
        EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return live_done; }));
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    {
        std::lock_guard<std::mutex> lock(mu);
        release = true;
    }
    cv.notify_all();
    dead.request_stop();
    live.request_stop();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    EXPECT_TRUE(dead.join_until(deadline));
    EXPECT_TRUE(live.join_until(deadline));
}

// A flood while the target hangs: bounded pending, the drop reported at
// once and the rest after the try; stop gives up on a hanging try in time.
TEST(Lane, FloodIsBoundedAndDropsAreReported) {
    std::mutex mu;
    std::condition_variable cv;
    bool started = false, release = false;
    std::vector<std::pair<uint64_t, uint64_t>> reports;
    Lane lane(100, [&](uint64_t newly, uint64_t total) {
        std::lock_guard<std::mutex> lock(mu);
        reports.emplace_back(newly, total);
        cv.notify_all();
    });
    lane.post([&] {
        std::unique_lock<std::mutex> lock(mu);
        started = true;
        cv.notify_all();
        cv.wait_for(lock, std::chrono::seconds(10), [&] { return release; });
        return TryResult::finished();
    });
    {
        std::unique_lock<std::mutex> lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return started; }));
    }
    for (int i = 0; i < 1000; ++i) lane.post([] { return TryResult::finished(); });
    EXPECT_EQ(lane.pending(), 100u);
    {
        std::unique_lock<std::mutex> lock(mu);
        ASSERT_EQ(reports.size(), 1u);
        EXPECT_EQ(reports[0], std::make_pair(uint64_t{1}, uint64_t{1}));
        release = true;
        cv.notify_all();
        // After the try: the other 899 in one report.
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return reports.size() == 2; }));
        EXPECT_EQ(reports[1], std::make_pair(uint64_t{899}, uint64_t{900}));
    }
    lane.request_stop();
    EXPECT_TRUE(lane.join_until(std::chrono::steady_clock::now() + std::chrono::seconds(5)));
}

TEST(Lane, StopGivesUpOnAHangingTry) {
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    Lane lane(100, nullptr);
    lane.post([&] {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait_for(lock, std::chrono::seconds(10), [&] { return release; });
        return TryResult::finished();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    lane.request_stop();
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(lane.join_until(t0 + std::chrono::milliseconds(200)));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    {
        std::lock_guard<std::mutex> lock(mu);
        release = true;
    }
    cv.notify_all();
    EXPECT_TRUE(lane.join_until(std::chrono::steady_clock::now() + std::chrono::seconds(5)));
}

}  // namespace
