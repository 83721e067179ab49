// Kept HTTP connections (src/http/keep_alive): when a slot hands its idle
// connection back, and the budget over all slots. Real loopback sockets.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "http/keep_alive.hpp"
#include "net/fd.hpp"
#include "net/transport.hpp"

namespace {

using hc::http::ConnectionSlot;
using hc::http::IdleBudget;
using hc::http::IdleConnection;
using namespace std::chrono_literals;

// A listener on 127.0.0.1 and connections to it (client and server ends).
struct Loopback {
    hc::net::Fd listener{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    hc::net::Address addr;

    Loopback() {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof sin;
        EXPECT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
        EXPECT_EQ(::listen(listener.get(), 8), 0);
        ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&sin), &len);
        addr = *hc::net::parse_ip_literal("127.0.0.1", ntohs(sin.sin_port));
    }
    // A connected client transport; *server gets the accepted end.
    IdleConnection connect(hc::net::Fd* server) {
        auto t = hc::net::tcp_connect_start(addr);
        EXPECT_TRUE(t.ok());
        EXPECT_TRUE(hc::net::establish_blocking(**t, hc::Deadline::after_ms(2000), "connect").ok());
        *server = hc::net::Fd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        return IdleConnection{addr, std::move(*t), hc::Clock::now()};
    }
};

TEST(KeepAlive, SlotGivesBackAnOpenConnectionToTheSamePeer) {
    Loopback lo;
    hc::net::Fd server;
    auto budget = std::make_shared<IdleBudget>(4);
    ConnectionSlot slot(budget, 60s);
    slot.keep(lo.connect(&server));
    EXPECT_TRUE(slot.holds());
    EXPECT_EQ(budget->used(), 1u);
    auto c = slot.take({lo.addr});
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(budget->used(), 0u);
    EXPECT_FALSE(slot.take({lo.addr}).has_value());  // taken once
}

TEST(KeepAlive, SlotDropsAConnectionToAnotherAddress) {
    Loopback lo;
    hc::net::Fd server;
    ConnectionSlot slot(std::make_shared<IdleBudget>(4), 60s);
    slot.keep(lo.connect(&server));
    auto other = *hc::net::parse_ip_literal("127.0.0.2", lo.addr.port());
    EXPECT_FALSE(slot.take({other}).has_value());
    EXPECT_FALSE(slot.holds());
}

TEST(KeepAlive, SlotDropsAConnectionThePeerClosedOrWroteOn) {
    Loopback lo;
    for (bool write_first : {false, true}) {
        hc::net::Fd server;
        ConnectionSlot slot(std::make_shared<IdleBudget>(4), 60s);
        slot.keep(lo.connect(&server));
        if (write_first)
            ASSERT_EQ(::write(server.get(), "x", 1), 1);  // unasked bytes: not a clean connection
        else
            server = hc::net::Fd();  // the server closed it
        ::usleep(20 * 1000);         // loopback delivers the FIN or the byte at once; a margin anyway
        EXPECT_FALSE(slot.take({lo.addr}).has_value()) << (write_first ? "unasked data" : "closed");
    }
}

TEST(KeepAlive, TooOldIsNotKeptNorGivenBack) {
    Loopback lo;
    hc::net::Fd server;
    auto budget = std::make_shared<IdleBudget>(4);
    ConnectionSlot young(budget, 60s), old(budget, 0s);
    old.keep(lo.connect(&server));
    EXPECT_FALSE(old.holds());
    EXPECT_EQ(budget->used(), 0u);
    IdleConnection c = lo.connect(&server);
    c.opened -= 61s;
    young.keep(std::move(c));
    EXPECT_FALSE(young.holds());
}

TEST(KeepAlive, BudgetCapsIdleConnectionsOfAllSlots) {
    Loopback lo;
    hc::net::Fd s1, s2, s3;
    auto budget = std::make_shared<IdleBudget>(1);
    ConnectionSlot a(budget, 60s), b(budget, 60s);
    a.keep(lo.connect(&s1));
    b.keep(lo.connect(&s2));
    EXPECT_TRUE(a.holds());
    EXPECT_FALSE(b.holds());  // over the budget: closed
    a.clear();
    b.keep(lo.connect(&s3));
    EXPECT_TRUE(b.holds());
    EXPECT_EQ(budget->used(), 1u);
}

TEST(KeepAlive, AddressEquality) {
    auto a = *hc::net::parse_ip_literal("127.0.0.1", 80);
    EXPECT_TRUE(a == *hc::net::parse_ip_literal("127.0.0.1", 80));
    EXPECT_TRUE(a != *hc::net::parse_ip_literal("127.0.0.1", 81));
    EXPECT_TRUE(a != *hc::net::parse_ip_literal("127.0.0.2", 80));
    EXPECT_TRUE(*hc::net::parse_ip_literal("::1", 80) == *hc::net::parse_ip_literal("::1", 80));
    EXPECT_TRUE(a != *hc::net::parse_ip_literal("::ffff:127.0.0.1", 80));
}

}  // namespace
