// Supervise mode's notices (src/supervise/notifier.cpp): the mail subject
// and body lines of the original daemon for Failed / Resolved / Reminder,
// and the channel-neutral robot notice built from the same event.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "notify/robots.hpp"
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
    EXPECT_EQ(hc::supervise::mail_subject(event(NotifyEvent::Kind::Failed, "商城")), "[Supervisor] 商城 Health check failed");
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
