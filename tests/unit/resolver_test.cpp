// hosts/resolv.conf parsing, resolve() without network, and the DNS
// exchange against an in-process UDP+TCP responder on 127.0.0.1.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

#include "net/dns.hpp"
#include "net/hosts.hpp"
#include "net/resolver.hpp"

namespace {

using hc::Deadline;
using hc::net::Address;
using hc::net::ResolvConf;
using hc::net::ResolverConfig;

std::vector<std::string> strs(const std::vector<Address>& v) {
    std::vector<std::string> out;
    for (const Address& a : v) out.push_back(a.str());
    return out;
}

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/hc_resolver_test.XXXXXX";
        path_ = ::mkdtemp(tmpl) ? tmpl : "";
    }
    ~TempDir() {
        for (const std::string& f : files_) std::remove(f.c_str());
        ::rmdir(path_.c_str());
    }
    std::string write(const std::string& name, const std::string& text) {
        std::string p = path_ + "/" + name;
        std::ofstream(p, std::ios::binary) << text;
        files_.push_back(p);
        return p;
    }
    std::string missing() const { return path_ + "/does-not-exist"; }

private:
    std::string path_;
    std::vector<std::string> files_;
};

// --- hosts ---

TEST(Hosts, ParsesCommentsAliasesAndFamilies) {
    hc::net::HostsFile h = hc::net::parse_hosts(
        "# comment line\n"
        "127.0.0.1\tlocalhost\n"
        "10.0.0.5   db.internal   DB  # trailing comment\r\n"
        "fd00::5 db.internal\n"
        "10.0.0.6 db.internal.\n"
        "10.0.0.5 db.internal\n"  // duplicate
        "not-an-ip foo\n"
        "fe80::1%eth0 scoped\n"
        "10.0.0.7\n"
        "   \n"
        "#10.0.0.8 db.internal\n");
    EXPECT_EQ(strs(h.lookup("db.internal", 5432)),
              (std::vector<std::string>{"10.0.0.5:5432", "10.0.0.6:5432", "[fd00::5]:5432"}));
    EXPECT_EQ(strs(h.lookup("DB.Internal.", 1)), (std::vector<std::string>{"10.0.0.5:1", "10.0.0.6:1", "[fd00::5]:1"}));
    EXPECT_EQ(strs(h.lookup("db", 80)), (std::vector<std::string>{"10.0.0.5:80"}));
    EXPECT_TRUE(h.lookup("foo", 80).empty());
    EXPECT_TRUE(h.lookup("scoped", 80).empty());
    EXPECT_TRUE(h.lookup("db.internal.example", 80).empty());
}

TEST(Hosts, MissingFileHasNoEntries) {
    TempDir dir;
    EXPECT_TRUE(hc::net::load_hosts(dir.missing()).entries.empty());
    EXPECT_TRUE(hc::net::load_hosts("/").entries.empty());  // a directory
}

TEST(Hosts, ReadingStopsAtOneMebibyte) {
    TempDir dir;
    std::string filler;
    while (filler.size() < hc::net::kMaxConfigFileBytes) filler += "# padding padding padding\n";
    std::string path = dir.write("hosts", "10.1.1.1 early\n" + filler + "10.2.2.2 late\n");
    hc::net::HostsFile h = hc::net::load_hosts(path);
    EXPECT_EQ(h.lookup("early", 1).size(), 1u);
    EXPECT_TRUE(h.lookup("late", 1).empty());

    std::optional<std::string> text = hc::net::read_file_capped(path, 20);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "10.1.1.1 early\n");  // the cut line is dropped, not half-kept
}

// --- resolv.conf ---

TEST(ResolvConf, NameserversAndOptions) {
    ResolvConf c = hc::net::parse_resolv_conf(
        "# generated\n"
        "search corp.example\n"
        "nameserver 10.0.0.53\n"
        "; another comment\n"
        "nameserver   2001:db8::53  # v6\n"
        "nameserver bogus\n"
        "nameserver fe80::1%eth0\n"
        "nameserver 10.0.0.54\n"
        "nameserver 10.0.0.55\n"
        "options ndots:5 timeout:3 attempts:4 rotate\n");
    EXPECT_EQ(strs(c.nameservers), (std::vector<std::string>{"10.0.0.53:53", "[2001:db8::53]:53", "10.0.0.54:53"}));
    EXPECT_EQ(c.timeout_ms, 3000);
    EXPECT_EQ(c.attempts, 4);
}

TEST(ResolvConf, DefaultsAndClamping) {
    ResolvConf d = hc::net::parse_resolv_conf("nameserver 1.1.1.1\n");
    EXPECT_EQ(d.timeout_ms, 1000);
    EXPECT_EQ(d.attempts, 2);
    ResolvConf c =
        hc::net::parse_resolv_conf("options timeout:99 attempts:0\noptions timeout:x attempts:99999999999\n");
    EXPECT_TRUE(c.nameservers.empty());
    EXPECT_EQ(c.timeout_ms, 30000);
    EXPECT_EQ(c.attempts, 5);
}

TEST(ResolvConf, LoadFallsBackToLoopbackLikeGlibc) {
    TempDir dir;
    EXPECT_EQ(strs(hc::net::load_resolv_conf(dir.missing()).nameservers), (std::vector<std::string>{"127.0.0.1:53"}));
    std::string none = dir.write("resolv.conf", "search example.com\noptions timeout:2\n");
    ResolvConf c = hc::net::load_resolv_conf(none);
    EXPECT_EQ(strs(c.nameservers), (std::vector<std::string>{"127.0.0.1:53"}));
    EXPECT_EQ(c.timeout_ms, 2000);
    std::string some = dir.write("resolv2.conf", "nameserver 192.0.2.1\n");
    EXPECT_EQ(strs(hc::net::load_resolv_conf(some).nameservers), (std::vector<std::string>{"192.0.2.1:53"}));
}

// --- resolve() without the network ---

struct ResolveFixture : ::testing::Test {
    TempDir dir;
    ResolverConfig config;
    void SetUp() override {
        config.hosts_path = dir.missing();
        // Reaching DNS in these tests would be a bug; the loopback server
        // is never sent anything because the tests stop earlier.
        config.resolv_conf_path = dir.write("resolv.conf", "nameserver 127.0.0.1\n");
    }
};

TEST_F(ResolveFixture, IpLiterals) {
    auto v4 = hc::net::resolve("192.0.2.7", 443, Deadline::after_ms(1000), config);
    ASSERT_TRUE(v4.ok()) << v4.error();
    EXPECT_EQ(strs(*v4), (std::vector<std::string>{"192.0.2.7:443"}));
    auto v6 = hc::net::resolve("2001:db8::7", 443, Deadline::after_ms(1000), config);
    ASSERT_TRUE(v6.ok()) << v6.error();
    EXPECT_EQ(strs(*v6), (std::vector<std::string>{"[2001:db8::7]:443"}));
}

TEST_F(ResolveFixture, HostsFileWins) {
    config.hosts_path = dir.write("hosts", "fd00::1 app.svc\n10.9.9.9 app.svc\n127.0.0.2 localhost\n");
    auto r = hc::net::resolve("APP.svc.", 8080, Deadline::after_ms(1000), config);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(strs(*r), (std::vector<std::string>{"10.9.9.9:8080", "[fd00::1]:8080"}));
    auto l = hc::net::resolve("localhost", 1, Deadline::after_ms(1000), config);
    ASSERT_TRUE(l.ok()) << l.error();
    EXPECT_EQ(strs(*l), (std::vector<std::string>{"127.0.0.2:1"}));
}

TEST_F(ResolveFixture, LocalhostWithoutHostsFile) {
    for (const char* name : {"localhost", "LocalHost.", "api.localhost"}) {
        auto r = hc::net::resolve(name, 9000, Deadline::after_ms(1000), config);
        ASSERT_TRUE(r.ok()) << name << ": " << r.error();
        EXPECT_EQ(strs(*r), (std::vector<std::string>{"127.0.0.1:9000", "[::1]:9000"})) << name;
    }
}

TEST_F(ResolveFixture, InvalidNamesFailBeforeDns) {
    auto r = hc::net::resolve("bad..name", 80, Deadline::after_ms(1000), config);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "resolve bad..name: invalid name");
    auto e = hc::net::resolve("", 80, Deadline::after_ms(1000), config);
    EXPECT_FALSE(e.ok());
}

TEST_F(ResolveFixture, ExpiredDeadlineSendsNothing) {
    auto r = hc::net::resolve("example.com", 80, Deadline::after_ms(0), config);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "resolve example.com: timed out (nameserver 127.0.0.1:53)");
}

// --- DNS exchange against an in-process responder ---

struct Reply {
    std::string bytes;
    bool from_other_port = false;  // sent from a socket the client did not query
};
using Handler = std::function<std::vector<Reply>(const std::string& query, bool tcp)>;

uint16_t qtype_of(const std::string& q) {
    size_t n = q.size();
    return static_cast<uint16_t>(static_cast<uint8_t>(q[n - 4]) << 8 | static_cast<uint8_t>(q[n - 3]));
}

// A reply to query with the given flag bits (TC 0x0200, rcode) and
// whichever of the literals match the queried type.
std::string make_reply(const std::string& query, uint16_t extra_flags, const std::vector<std::string>& literals) {
    std::string r = query;
    uint16_t flags = 0x8180 | extra_flags;
    r[2] = static_cast<char>(flags >> 8);
    r[3] = static_cast<char>(flags);
    uint16_t qtype = qtype_of(query);
    int count = 0;
    for (const std::string& lit : literals) {
        uint8_t buf[16];
        int family = qtype == hc::net::dns::kTypeA ? AF_INET : AF_INET6;
        if (inet_pton(family, lit.c_str(), buf) != 1) continue;
        size_t len = family == AF_INET ? 4 : 16;
        r += std::string("\xC0\x0C", 2);
        r += static_cast<char>(qtype >> 8);
        r += static_cast<char>(qtype);
        r += std::string("\0\1\0\0\0\x3c\0", 7);
        r += static_cast<char>(len);
        r.append(reinterpret_cast<const char*>(buf), len);
        ++count;
    }
    r[7] = static_cast<char>(count);
    return r;
}

std::string with_wrong_id(std::string reply) {
    reply[0] = static_cast<char>(reply[0] ^ 0x5a);
    return reply;
}

Address bound_address(int fd) {
    Address a;
    a.length = sizeof(a.storage);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a.storage), &a.length);
    return a;
}

// UDP and TCP on one 127.0.0.1 port, answering through handler on a thread.
class Responder {
public:
    explicit Responder(Handler handler) : handler_(std::move(handler)) {
        for (int i = 0; i < 20 && !bind_pair(); ++i) close_all();
        other_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        thread_ = std::thread([this] { run(); });
    }
    ~Responder() {
        stop_ = true;
        thread_.join();
        close_all();
        if (other_ >= 0) ::close(other_);
    }
    Address address() const { return bound_address(udp_); }
    int udp_queries() const { return udp_count_; }
    int tcp_queries() const { return tcp_count_; }

private:
    bool bind_pair() {
        udp_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        tcp_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(udp_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) return false;
        sin.sin_port = htons(bound_address(udp_).port());
        if (::bind(tcp_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) return false;
        return ::listen(tcp_, 4) == 0;
    }
    void close_all() {
        if (udp_ >= 0) ::close(udp_);
        if (tcp_ >= 0) ::close(tcp_);
        udp_ = tcp_ = -1;
    }
    void run() {
        while (!stop_) {
            pollfd p[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
            if (::poll(p, 2, 20) <= 0) continue;
            if (p[0].revents & POLLIN) serve_udp();
            if (p[1].revents & POLLIN) serve_tcp();
        }
    }
    void serve_udp() {
        char buf[1024];
        sockaddr_storage from{};
        socklen_t from_len = sizeof from;
        ssize_t n = ::recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n <= 0) return;
        ++udp_count_;
        for (const Reply& r : handler_(std::string(buf, static_cast<size_t>(n)), false))
            ::sendto(r.from_other_port ? other_ : udp_, r.bytes.data(), r.bytes.size(), 0,
                     reinterpret_cast<sockaddr*>(&from), from_len);
    }
    void serve_tcp() {
        int c = ::accept(tcp_, nullptr, nullptr);
        if (c < 0) return;
        timeval tv{1, 0};
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        uint8_t len[2];
        if (::recv(c, len, 2, MSG_WAITALL) == 2) {
            std::string q(static_cast<size_t>(len[0] << 8 | len[1]), '\0');
            if (::recv(c, &q[0], q.size(), MSG_WAITALL) == static_cast<ssize_t>(q.size())) {
                ++tcp_count_;
                for (const Reply& r : handler_(q, true)) {
                    std::string framed = {static_cast<char>(r.bytes.size() >> 8), static_cast<char>(r.bytes.size())};
                    framed += r.bytes;
                    ::send(c, framed.data(), framed.size(), MSG_NOSIGNAL);
                }
            }
        }
        ::close(c);
    }

    Handler handler_;
    int udp_ = -1, tcp_ = -1, other_ = -1;
    std::atomic<bool> stop_{false};
    std::atomic<int> udp_count_{0}, tcp_count_{0};
    std::thread thread_;
};

ResolvConf conf_for(std::vector<Address> servers, int timeout_ms = 1000, int attempts = 2) {
    ResolvConf c;
    c.nameservers = std::move(servers);
    c.timeout_ms = timeout_ms;
    c.attempts = attempts;
    return c;
}

long long ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

const std::vector<std::string> kBoth = {"10.1.2.3", "10.1.2.4", "2001:db8::1"};

TEST(DnsExchange, NormalAnswerIpv4First) {
    Responder srv([](const std::string& q, bool) { return std::vector<Reply>{{make_reply(q, 0, kBoth)}}; });
    auto r = hc::net::dns::exchange("svc.test.", 8080, conf_for({srv.address()}), Deadline::after_ms(2000));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(strs(*r), (std::vector<std::string>{"10.1.2.3:8080", "10.1.2.4:8080", "[2001:db8::1]:8080"}));
    EXPECT_EQ(srv.udp_queries(), 2);
}

TEST(DnsExchange, SilenceHonoursDeadline) {
    Responder srv([](const std::string&, bool) { return std::vector<Reply>{}; });
    auto start = std::chrono::steady_clock::now();
    auto r = hc::net::dns::exchange("quiet.test", 80, conf_for({srv.address()}, 1000, 2), Deadline::after_ms(300));
    long long took = ms_since(start);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "resolve quiet.test: timed out (nameserver " + srv.address().str() + ")");
    EXPECT_GE(took, 295);
    EXPECT_LE(took, 400);
}

TEST(DnsExchange, SilentServerThenNextServer) {
    Responder quiet([](const std::string&, bool) { return std::vector<Reply>{}; });
    Responder good([](const std::string& q, bool) { return std::vector<Reply>{{make_reply(q, 0, kBoth)}}; });
    auto start = std::chrono::steady_clock::now();
    auto r = hc::net::dns::exchange("svc.test", 1, conf_for({quiet.address(), good.address()}, 200),
                                    Deadline::after_ms(3000));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->size(), 3u);
    EXPECT_GE(ms_since(start), 195);
    EXPECT_LE(ms_since(start), 600);
}

TEST(DnsExchange, WrongIdAndForeignSourceIgnored) {
    Responder srv([](const std::string& q, bool) {
        std::string good = make_reply(q, 0, kBoth);
        return std::vector<Reply>{{with_wrong_id(make_reply(q, 0, {"6.6.6.6", "2001:db8::666"}))},
                                  {make_reply(q, 0, {"7.7.7.7", "2001:db8::777"}), true},
                                  {good}};
    });
    auto r = hc::net::dns::exchange("svc.test", 53, conf_for({srv.address()}), Deadline::after_ms(2000));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(strs(*r), (std::vector<std::string>{"10.1.2.3:53", "10.1.2.4:53", "[2001:db8::1]:53"}));
}

TEST(DnsExchange, TruncationRetriesOverTcp) {
    Responder srv([](const std::string& q, bool tcp) {
        if (!tcp) return std::vector<Reply>{{make_reply(q, 0x0200, {})}};
        return std::vector<Reply>{{make_reply(q, 0, kBoth)}};
    });
    auto r = hc::net::dns::exchange("big.test", 443, conf_for({srv.address()}), Deadline::after_ms(2000));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->size(), 3u);
    EXPECT_EQ(srv.tcp_queries(), 2);
}

// The TCP retry runs on the shared transport helpers (net/transport.hpp):
// a server that closes without answering is named as such, within the deadline.
TEST(DnsExchange, TcpRetryCutShort) {
    Responder srv([](const std::string& q, bool tcp) {
        if (!tcp) return std::vector<Reply>{{make_reply(q, 0x0200, {})}};
        return std::vector<Reply>{};
    });
    auto start = std::chrono::steady_clock::now();
    auto r = hc::net::dns::exchange("big.test", 443, conf_for({srv.address()}, 1000, 1), Deadline::after_ms(3000));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("tcp reply cut short"), std::string::npos) << r.error();
    EXPECT_LE(ms_since(start), 2000);
}

TEST(DnsExchange, NxDomainNoAddressServFail) {
    Responder nx([](const std::string& q, bool) { return std::vector<Reply>{{make_reply(q, 3, {})}}; });
    auto r = hc::net::dns::exchange("gone.test", 1, conf_for({nx.address()}), Deadline::after_ms(2000));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "resolve gone.test: no such host");

    Responder empty([](const std::string& q, bool) { return std::vector<Reply>{{make_reply(q, 0, {})}}; });
    r = hc::net::dns::exchange("empty.test", 1, conf_for({empty.address()}), Deadline::after_ms(2000));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "resolve empty.test: no address");

    Responder fail([](const std::string& q, bool) { return std::vector<Reply>{{make_reply(q, 2, {})}}; });
    r = hc::net::dns::exchange("sf.test", 1, conf_for({fail.address()}, 1000, 1), Deadline::after_ms(2000));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "resolve sf.test: server failure (nameserver " + fail.address().str() + ")");
}

TEST(DnsExchange, MissingAaaaDoesNotBurnTheBudget) {
    Responder srv([](const std::string& q, bool) {
        if (qtype_of(q) == hc::net::dns::kTypeAAAA) return std::vector<Reply>{};
        return std::vector<Reply>{{make_reply(q, 0, kBoth)}};
    });
    auto start = std::chrono::steady_clock::now();
    auto r = hc::net::dns::exchange("v4only.test", 1, conf_for({srv.address()}, 200), Deadline::after_ms(5000));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(strs(*r), (std::vector<std::string>{"10.1.2.3:1", "10.1.2.4:1"}));
    EXPECT_LE(ms_since(start), 600);
}

TEST(DnsExchange, ClosedPortFailsFast) {
    Address dead;
    {
        int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
        dead = bound_address(fd);
        ::close(fd);
    }
    auto start = std::chrono::steady_clock::now();
    auto r = hc::net::dns::exchange("x.test", 1, conf_for({dead}, 1000, 1), Deadline::after_ms(3000));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("Connection refused (nameserver " + dead.str() + ")"), std::string::npos) << r.error();
    EXPECT_LE(ms_since(start), 500);
}

}  // namespace
