// Error kinds: set where the error happens (tcp, resolver, tls, exchange,
// connect task) and what the decisions read (next address on Connect; a
// LocalResource error is a check_error, not a failure). All on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>

#include "http/exchange.hpp"
#include "net/resolver.hpp"
#include "net/tls.hpp"
#include "net/transport.hpp"
#include "supervise/probes.hpp"
#include "supervise/tasks.hpp"
#include "util/result.hpp"

namespace {

using hc::Deadline;
using hc::ErrorKind;

hc::net::Address loopback(uint16_t port) {
    const uint8_t v4[4] = {127, 0, 0, 1};
    return hc::net::make_v4(v4, port);
}

int listen_loopback(uint16_t* port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd, 4), 0);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    *port = ntohs(a.sin_port);
    return fd;
}

// A loopback port with nothing listening: bound, then closed.
uint16_t closed_port() {
    uint16_t port = 0;
    ::close(listen_loopback(&port));
    return port;
}

// Accepts one connection, reads the request head, writes `reply`, then
// waits for the client to close.
class OneShotServer {
public:
    explicit OneShotServer(std::string reply) : reply_(std::move(reply)) {
        fd_ = listen_loopback(&port_);
        thread_ = std::thread([this] { serve(); });
    }
    ~OneShotServer() {
        ::shutdown(fd_, SHUT_RDWR);
        thread_.join();
        ::close(fd_);
    }
    uint16_t port() const { return port_; }

private:
    void serve() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return;
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string got;
        char buf[4096];
        while (got.find("\r\n\r\n") == std::string::npos) {
            pollfd q{c, POLLIN, 0};
            if (::poll(&q, 1, 5000) <= 0) break;
            ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) break;
            got.append(buf, static_cast<size_t>(n));
            if (got.size() > 5 && static_cast<unsigned char>(got[0]) == 0x16) break;  // a TLS ClientHello
        }
        ::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
        pollfd q{c, POLLIN, 0};
        ::poll(&q, 1, 5000);
        ::close(c);
    }

    std::string reply_;
    int fd_ = -1;
    uint16_t port_ = 0;
    std::thread thread_;
};

// Runs an exchange to completion the way the supervise loop does.
void drive(hc::http::Exchange& ex) {
    while (!ex.finished()) {
        pollfd p{ex.fd(), ex.wait_events(), 0};
        int rc = ::poll(&p, ex.fd() >= 0 ? 1 : 0, ex.timer().remaining_ms());
        if (rc == 0)
            ex.on_timeout();
        else
            ex.step();
    }
}

hc::http::Request get(const std::string& url) {
    hc::http::Request req;
    req.url = *hc::net::parse_url(url);
    return req;
}

// In a child process with the fd limit at the lowest free descriptor, so
// the next socket() fails with EMFILE; returns what `body` reports.
int in_child_without_fds(int (*body)()) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int lowest = ::dup(0);
        ::close(lowest);
        rlimit lim{static_cast<rlim_t>(lowest), static_cast<rlim_t>(lowest)};
        ::setrlimit(RLIMIT_NOFILE, &lim);
        ::_exit(body());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

}  // namespace

TEST(ErrorKind, DefaultIsOtherAndWrapKeepsTheKind) {
    hc::Status plain = hc::err("something");
    EXPECT_EQ(plain.kind(), ErrorKind::Other);
    hc::Status refused = hc::err("connect 127.0.0.1:1: Connection refused", ErrorKind::Connect);
    hc::Error wrapped = refused.wrap("supervisord unix:///x: ");
    EXPECT_EQ(wrapped.kind, ErrorKind::Connect);
    EXPECT_EQ(wrapped.message, "supervisord unix:///x: connect 127.0.0.1:1: Connection refused");
    hc::Result<int> forwarded = hc::forward(refused, "probe: ");
    EXPECT_EQ(forwarded.kind(), ErrorKind::Connect);
    EXPECT_EQ(forwarded.error(), "probe: connect 127.0.0.1:1: Connection refused");
    EXPECT_EQ(hc::forward(hc::err("x", ErrorKind::Tls), "y: ").kind, ErrorKind::Tls);
}

TEST(ErrorKind, ErrnoFormatterUsesTheOsWording) {
    EXPECT_EQ(hc::errno_text(ECONNREFUSED), "Connection refused");
    hc::Error e = hc::sys_err("connect 127.0.0.1:1", ECONNREFUSED, ErrorKind::Connect);
    EXPECT_EQ(e.message, "connect 127.0.0.1:1: Connection refused");
    EXPECT_EQ(e.kind, ErrorKind::Connect);
}

TEST(ErrorKind, ErrnoKindNamesLocalShortages) {
    for (int e : {EMFILE, ENFILE, ENOBUFS, ENOMEM})
        EXPECT_EQ(hc::errno_kind(e, ErrorKind::Connect), ErrorKind::LocalResource) << e;
    EXPECT_EQ(hc::errno_kind(ECONNREFUSED, ErrorKind::Connect), ErrorKind::Connect);
    EXPECT_EQ(hc::errno_kind(ETIMEDOUT, ErrorKind::Other), ErrorKind::Timeout);
    EXPECT_EQ(hc::errno_kind(ETIMEDOUT, ErrorKind::Connect), ErrorKind::Connect);  // still moves on
}

TEST(ErrorKind, RefusedConnectIsConnect) {
    auto t = hc::net::tcp_connect_start(loopback(closed_port()));
    ASSERT_TRUE(t.ok()) << t.error();
    hc::Status s = hc::net::establish_blocking(**t, Deadline::after_ms(3000), "connect");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.kind(), ErrorKind::Connect) << s.error();
    EXPECT_NE(s.error().find("Connection refused"), std::string::npos) << s.error();
}

TEST(ErrorKind, SocketFailingWithEmfileIsLocalResource) {
    int rc = in_child_without_fds([] {
        auto t = hc::net::tcp_connect_start(loopback(1));
        if (t.ok()) return 1;
        if (t.kind() != ErrorKind::LocalResource) return 2;
        if (t.error() != "socket: " + hc::errno_text(EMFILE)) return 3;
        return 0;
    });
    EXPECT_EQ(rc, 0) << "1: socket() worked, 2: wrong kind, 3: wrong text";
}

TEST(ErrorKind, ConnectTaskUnderEmfileIsACheckErrorNotAFailure) {
    // UBSan's vptr check probes memory through a pipe on a type-cache miss;
    // with no descriptor left that probe fails and it reports a false
    // "invalid vptr". One ConnectTask built here fills the cache the forked
    // child inherits (no effect on a build without UBSan).
    {
        hc::supervise::ConnectTask warm({}, Deadline::after_ms(10), [](const hc::Status&) {});
        warm.complete();
    }  // destroyed here too: the destructor's check is cached as well
    int rc = in_child_without_fds([] {
        hc::Status result = hc::ok_status();
        hc::supervise::ConnectTask task({loopback(1)}, Deadline::after_ms(3000),
                                        [&result](const hc::Status& s) { result = s; });
        if (!task.finished()) return 1;
        task.complete();
        if (result.kind() != ErrorKind::LocalResource) return 2;
        auto o = hc::supervise::judge_connect_error("tcp 127.0.0.1:1", result.failure());
        return o.kind == hc::supervise::Outcome::Kind::Error ? 0 : 3;
    });
    EXPECT_EQ(rc, 0) << "1: not finished, 2: wrong kind, 3: counted as a failure";
}

TEST(ErrorKind, JudgeCountsEveryOtherKindAsAFailure) {
    using hc::supervise::judge_connect_error;
    using hc::supervise::Outcome;
    EXPECT_EQ(judge_connect_error("s", hc::err("socket: x", ErrorKind::LocalResource)).kind, Outcome::Kind::Error);
    for (ErrorKind k : {ErrorKind::Connect, ErrorKind::Timeout, ErrorKind::Tls, ErrorKind::Protocol, ErrorKind::Resolve,
                        ErrorKind::Other}) {
        EXPECT_EQ(judge_connect_error("s", hc::err("socket: a message that reads local", k)).kind, Outcome::Kind::Fail)
            << hc::to_string(k);
    }
}

TEST(ErrorKind, ConnectTaskTimeoutIsTimeout) {
    uint16_t port = 0;
    int listener = listen_loopback(&port);
    hc::Status result = hc::ok_status();
    hc::supervise::ConnectTask task({loopback(port)}, Deadline::after_ms(0),
                                    [&result](const hc::Status& s) { result = s; });
    ASSERT_FALSE(task.finished());
    task.on_timeout();  // the loop's call once the (already passed) deadline is due
    ASSERT_TRUE(task.finished());
    task.complete();
    EXPECT_EQ(result.kind(), ErrorKind::Timeout) << result.error();
    ::close(listener);
}

TEST(ErrorKind, ExchangeResponseTimeoutIsTimeout) {
    uint16_t port = 0;
    int listener = listen_loopback(&port);  // the kernel accepts; nobody answers
    hc::http::Exchange ex(get("http://127.0.0.1:" + std::to_string(port) + "/"), {loopback(port)}, {},
                          Deadline::after_ms(300));
    drive(ex);
    EXPECT_EQ(ex.state(), hc::http::Exchange::State::Failed);
    EXPECT_EQ(ex.error_kind(), ErrorKind::Timeout) << ex.error();
    ::close(listener);
}

TEST(ErrorKind, ExchangeTriesTheNextAddressAfterARefusedConnect) {
    OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    hc::http::Exchange ex(get("http://svc.test/"), {loopback(closed_port()), loopback(server.port())}, {},
                          Deadline::after_ms(5000));
    drive(ex);
    ASSERT_EQ(ex.state(), hc::http::Exchange::State::Done) << ex.error();
    EXPECT_EQ(ex.response().status, 200);
}

TEST(ErrorKind, ExchangeRefusedEverywhereIsConnect) {
    hc::http::Exchange ex(get("http://svc.test/"), {loopback(closed_port()), loopback(closed_port())}, {},
                          Deadline::after_ms(5000));
    drive(ex);
    ASSERT_EQ(ex.state(), hc::http::Exchange::State::Failed);
    EXPECT_EQ(ex.error_kind(), ErrorKind::Connect) << ex.error();
    EXPECT_NE(ex.error().find("Connection refused"), std::string::npos) << ex.error();
}

TEST(ErrorKind, TlsFailureIsTheServersAnswerAndDoesNotMoveOn) {
    // The first address speaks plain HTTP on a TLS URL; the second would
    // answer 200 to anything. A TLS failure must not move on to it.
    OneShotServer plain("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    OneShotServer second("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    hc::net::TlsOptions tls;
    auto config = hc::net::make_tls_config(tls);
    ASSERT_TRUE(config.ok()) << config.error();
    hc::http::ExchangeOptions opts;
    opts.tls = *config;
    hc::http::Exchange ex(get("https://svc.test/"), {loopback(plain.port()), loopback(second.port())}, opts,
                          Deadline::after_ms(5000));
    drive(ex);
    ASSERT_EQ(ex.state(), hc::http::Exchange::State::Failed);
    EXPECT_EQ(ex.error_kind(), ErrorKind::Tls) << ex.error();
    EXPECT_EQ(ex.error().find(std::to_string(second.port())), std::string::npos) << ex.error();
}

TEST(ErrorKind, ResolveFailureIsResolve) {
    auto r = hc::net::resolve("", 80, Deadline::after_ms(100), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.kind(), ErrorKind::Resolve);
}
