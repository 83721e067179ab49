#include "net/resolver.hpp"

#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "net/dns.hpp"
#include "net/hosts.hpp"
#include "net/transport.hpp"

namespace hc::net {

namespace {

constexpr size_t kMaxUdpReply = 4096;  // we send no EDNS, so 512 should do; be lenient

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }

private:
    int fd_;
};

// "<what>: <strerror>", in the same wording as every other module.
std::string sys_text(const char* what, int e = errno) { return std::string(what) + ": " + hc::errno_text(e); }

// Transaction ids must be unguessable: with the kernel's random source
// port they are what keeps an off-path attacker from spoofing replies.
uint16_t random_id() {
    uint16_t id = 0;
    if (::getrandom(&id, sizeof id, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof id)) return id;
    // No getrandom (old kernel, seccomp): weaker, but a probe must still work.
    static uint64_t state = 0x9E3779B97F4A7C15ull;
    state += static_cast<uint64_t>(Clock::now().time_since_epoch().count()) | 1;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<uint16_t>(z ^ (z >> 31));
}

// --- TCP (after a truncated UDP reply) ---
// On the same non-blocking transport and blocking helpers as HTTP and SMTP.

Status read_exact(Transport& t, uint8_t* out, size_t len, Deadline deadline) {
    size_t got = 0;
    while (got < len) {
        IoResult r = t.read(reinterpret_cast<char*>(out) + got, len - got);
        if (r.state == Io::Done) {
            got += r.bytes;
        } else if (r.state == Io::Eof) {
            return err("tcp reply cut short", ErrorKind::Protocol);
        } else if (r.state == Io::Failed) {
            return err("tcp receive: " + r.error, r.kind);
        } else if (!wait_ready(t.fd(), r.poll_events(), deadline)) {
            return err("timed out", ErrorKind::Timeout);
        }
    }
    return ok_status();
}

// One query over TCP with RFC 1035's 2-byte length framing.
Result<std::vector<uint8_t>> tcp_exchange(const Address& server, const std::string& query, Deadline deadline) {
    auto t = tcp_connect_start(server);
    if (!t) return forward(t, "tcp ");
    if (Status s = establish_blocking(**t, deadline, "connect"); !s) return forward(s, "tcp ");
    std::string framed;
    framed.push_back(static_cast<char>(query.size() >> 8));
    framed.push_back(static_cast<char>(query.size() & 0xff));
    framed += query;
    if (Status s = write_all_blocking(**t, framed, deadline); !s) return forward(s, "tcp send: ");
    uint8_t len_bytes[2];
    if (Status s = read_exact(**t, len_bytes, 2, deadline); !s) return s.failure();
    std::vector<uint8_t> reply(static_cast<size_t>(len_bytes[0] << 8 | len_bytes[1]));
    if (Status s = read_exact(**t, reply.data(), reply.size(), deadline); !s) return s.failure();
    return reply;
}

// --- UDP ---

struct Query {
    explicit Query(uint16_t type) : qtype(type) {}
    uint16_t qtype;
    uint16_t id = 0;
    std::string wire;
    bool done = false;     // NOERROR reply seen (addresses may still be empty)
    bool settled = false;  // done, or failed at the server being tried
    std::vector<std::array<uint8_t, 16>> addresses;
};

struct TryOutcome {
    bool nxdomain = false;
    std::string failure;  // last reason a query went unanswered at this server
};

bool all_settled(const std::vector<Query>& qs) {
    return std::all_of(qs.begin(), qs.end(), [](const Query& q) { return q.settled; });
}
bool all_done(const std::vector<Query>& qs) {
    return std::all_of(qs.begin(), qs.end(), [](const Query& q) { return q.done; });
}
bool any_address(const std::vector<Query>& qs) {
    return std::any_of(qs.begin(), qs.end(), [](const Query& q) { return !q.addresses.empty(); });
}

std::string rcode_text(int rcode) {
    switch (rcode) {
        case 1: return "server says format error";
        case dns::kRcodeServFail: return "server failure";
        case 4: return "server says not implemented";
        case dns::kRcodeRefused: return "query refused";
        default: return "server error rcode " + std::to_string(rcode);
    }
}

// The same query again over TCP; per-try timeout from now, within deadline.
dns::Answer tcp_retry(const Address& server, const Query& q, const std::string& qname, const ResolvConf& conf,
                      Deadline deadline) {
    dns::Answer a;
    Deadline tcp_deadline = deadline.earlier(Deadline::after_ms(conf.timeout_ms));
    Result<std::vector<uint8_t>> reply = tcp_exchange(server, q.wire, tcp_deadline);
    if (!reply) {
        a.error = reply.error();
        return a;
    }
    a = dns::parse_response(reply->data(), reply->size(), q.id, q.qtype, qname);
    if (!a.ok())
        a.error = "bad tcp reply: " + a.error;
    else if (a.truncated)
        a.error = "tcp reply truncated";
    a.unrelated = false;  // on our own connection, a mismatch is a broken server
    return a;
}

void settle(Query& q, const dns::Answer& a, TryOutcome& out) {
    q.settled = true;
    if (!a.ok()) {
        out.failure = a.error;
    } else if (a.rcode == dns::kRcodeNxDomain) {
        out.nxdomain = true;
    } else if (a.rcode == dns::kRcodeNoError) {
        q.done = true;
        q.addresses = a.addresses;
    } else {
        out.failure = rcode_text(a.rcode);
    }
}

// Matches a datagram to a pending query; anything unrelated (stale,
// spoofed, wrong id) is dropped so we keep waiting for the real reply.
void handle_datagram(const uint8_t* buf, size_t n, const Address& server, const std::string& qname,
                     std::vector<Query>& qs, const ResolvConf& conf, Deadline deadline, TryOutcome& out) {
    for (Query& q : qs) {
        if (q.settled) continue;
        dns::Answer a = dns::parse_response(buf, n, q.id, q.qtype, qname);
        if (a.unrelated) continue;
        if (!a.ok())
            a.error = "bad reply: " + a.error;
        else if (a.truncated)
            a = tcp_retry(server, q, qname, conf, deadline);
        settle(q, a, out);
        return;
    }
}

Status send_queries(int fd, const std::string& qname, std::vector<Query>& qs) {
    uint16_t used = 0;
    for (Query& q : qs) {
        if (q.settled) continue;
        do q.id = random_id();
        while (q.id == used);  // distinct ids keep replies apart even if qtype were ignored
        used = q.id;
        q.wire = dns::build_query(q.id, qname, q.qtype);
        if (::send(fd, q.wire.data(), q.wire.size(), 0) < 0) return err(sys_text("send"));
    }
    return ok_status();
}

// Sends the unanswered queries to one server and collects its replies
// until all are settled or the per-try timeout passes.
TryOutcome try_server(const Address& server, const std::string& qname, std::vector<Query>& qs, const ResolvConf& conf,
                      Deadline deadline) {
    TryOutcome out;
    Deadline try_deadline = deadline.earlier(Deadline::after_ms(conf.timeout_ms));
    for (Query& q : qs) q.settled = q.done;
    Fd fd(::socket(server.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return TryOutcome{false, sys_text("socket")};
    // A connected UDP socket gets datagrams from the server's address only.
    if (::connect(fd.get(), server.sa(), server.length) != 0) return TryOutcome{false, sys_text("connect")};
    if (Status s = send_queries(fd.get(), qname, qs); !s) return TryOutcome{false, s.error()};
    uint8_t buf[kMaxUdpReply];
    while (!all_settled(qs) && !out.nxdomain) {
        if (!wait_ready(fd.get(), POLLIN, try_deadline)) return TryOutcome{false, "timed out"};
        ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
        // ECONNREFUSED here is the ICMP port-unreachable of a dead server.
        if (n < 0) return TryOutcome{false, sys_text("receive")};
        handle_datagram(buf, static_cast<size_t>(n), server, qname, qs, conf, deadline, out);
    }
    return out;
}

std::string server_list(const std::vector<std::string>& servers) {
    std::string out = servers.size() > 1 ? "nameservers " : "nameserver ";
    for (size_t i = 0; i < servers.size(); ++i) out += (i ? ", " : "") + servers[i];
    return out;
}

// Timeouts everywhere read as one timeout naming the servers tried;
// otherwise the last real failure is the most telling.
std::string failure_text(const std::vector<std::pair<std::string, std::string>>& failures, const ResolvConf& conf) {
    std::vector<std::string> servers;
    for (auto it = failures.rbegin(); it != failures.rend(); ++it)
        if (it->second != "timed out") return it->second + " (nameserver " + it->first + ")";
    for (const auto& f : failures)
        if (std::find(servers.begin(), servers.end(), f.first) == servers.end()) servers.push_back(f.first);
    if (servers.empty())  // deadline already gone before the first try
        for (const Address& a : conf.nameservers) servers.push_back(a.str());
    return "timed out (" + server_list(servers) + ")";
}

Result<std::vector<Address>> collect(const std::vector<Query>& qs, uint16_t port, const std::string& prefix) {
    std::vector<Address> out;
    for (const Query& q : qs)
        for (const auto& bytes : q.addresses)
            out.push_back(q.qtype == dns::kTypeA ? make_v4(bytes.data(), port) : make_v6(bytes.data(), port));
    if (out.empty()) return err(prefix + "no address", ErrorKind::Resolve);
    return out;
}

bool is_localhost(const std::string& name) {
    static const std::string kSuffix = ".localhost";
    return name == "localhost" ||
           (name.size() > kSuffix.size() && name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0);
}

std::vector<Address> loopback(uint16_t port) {
    const uint8_t v4[4] = {127, 0, 0, 1};
    uint8_t v6[16] = {0};
    v6[15] = 1;
    return {make_v4(v4, port), make_v6(v6, port)};
}

}  // namespace

namespace dns {

Result<std::vector<Address>> exchange(const std::string& name, uint16_t port, const ResolvConf& conf,
                                      Deadline deadline) {
    const std::string prefix = "resolve " + name + ": ";
    std::string qname = name;
    if (!qname.empty() && qname.back() == '.') qname.pop_back();
    if (build_query(0, qname, kTypeA).empty()) return err(prefix + "invalid name", ErrorKind::Resolve);
    if (conf.nameservers.empty()) return err(prefix + "no nameserver", ErrorKind::Resolve);
    std::vector<Query> qs = {Query(kTypeA), Query(kTypeAAAA)};
    std::vector<std::pair<std::string, std::string>> failures;  // (server, reason)
    // glibc's order: each attempt goes once around all servers.
    for (int attempt = 0; attempt < std::max(1, conf.attempts); ++attempt) {
        for (const Address& server : conf.nameservers) {
            if (deadline.expired()) return err(prefix + failure_text(failures, conf), ErrorKind::Resolve);
            TryOutcome o = try_server(server, qname, qs, conf, deadline);
            if (o.nxdomain) return err(prefix + "no such host", ErrorKind::Resolve);
            if (all_done(qs)) return collect(qs, port, prefix);
            failures.emplace_back(server.str(), o.failure.empty() ? "timed out" : o.failure);
            // One family answered: don't burn the budget on a server that
            // never answers the other (some drop AAAA queries).
            if (any_address(qs)) return collect(qs, port, prefix);
        }
    }
    return err(prefix + failure_text(failures, conf), ErrorKind::Resolve);
}

}  // namespace dns

Result<std::vector<Address>> resolve(const std::string& host, uint16_t port, Deadline deadline,
                                     const ResolverConfig& config) {
    if (host.empty()) return err("resolve: empty host name", ErrorKind::Resolve);
    if (std::optional<Address> literal = parse_ip_literal(host, port)) return std::vector<Address>{*literal};
    std::string name = normalize_name(host);
    std::vector<Address> listed = load_hosts(config.hosts_path).lookup(name, port);
    if (!listed.empty()) return listed;
    // RFC 6761: localhost names are loopback; scratch images have no hosts file.
    if (is_localhost(name)) return loopback(port);
    // No "search"/"domain" expansion and no ndots: a health check should
    // probe exactly the name it was given, not whatever a suffix turns up.
    return dns::exchange(host, port, load_resolv_conf(config.resolv_conf_path), deadline);
}

}  // namespace hc::net
