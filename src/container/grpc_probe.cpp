#include "container/grpc_probe.hpp"

#include <poll.h>

#include "container/grpc_target.hpp"
#include "grpc/health.hpp"
#include "net/resolver.hpp"
#include "net/tls.hpp"
#include "net/transport.hpp"

namespace hc::container {
namespace {

#ifndef HC_VERSION
#define HC_VERSION "dev"
#endif

constexpr long kServerGraceMs = 500;

long ms_since(Clock::time_point start) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

// Each address gets an equal share of the time left (as http::Exchange
// does); a refused or timed-out connect moves on, a TLS failure is the
// server's answer and ends the attempt.
Result<std::unique_ptr<net::Transport>> connect(const std::vector<net::Address>& addresses,
                                                const std::shared_ptr<net::TlsConfig>& tls, const std::string& host,
                                                Deadline deadline) {
    Error last = err("no address to connect to", ErrorKind::Resolve);
    for (size_t i = 0; i < addresses.size(); ++i) {
        if (i > 0 && deadline.expired()) break;
        auto share = (deadline.at() - Clock::now()) / static_cast<long>(addresses.size() - i);
        Deadline attempt = Deadline(Clock::now() + share).earlier(deadline);
        auto tcp = net::tcp_connect_start(addresses[i]);
        if (!tcp) {
            last = tcp.failure();
            continue;
        }
        if (auto st = net::establish_blocking(**tcp, attempt, "connect " + addresses[i].str()); !st) {
            last = st.failure();
            continue;
        }
        if (!tls) return std::move(*tcp);
        auto wrapped = net::tls_wrap(std::move(*tcp), tls, host);
        if (auto st = net::establish_blocking(*wrapped, deadline, "tls handshake with " + addresses[i].str()); !st)
            return st.failure();
        return wrapped;
    }
    return last;
}

// Writes what the call has to say, reads what the server sends, until the
// call knows its answer or the deadline passes.
Status drive(grpc::HealthCall& call, net::Transport& t, Deadline deadline, Clock::time_point started) {
    char buf[16384];
    while (!call.done()) {
        if (call.has_output())
            if (auto st = net::write_all_blocking(t, call.take_output(), deadline); !st) return st;
        auto r = t.read(buf, sizeof buf);
        if (r.state == net::Io::Done) {
            call.feed(std::string_view(buf, r.bytes));
        } else if (r.state == net::Io::Eof) {
            call.feed_eof();
        } else if (r.state == net::Io::Failed) {
            return err(r.error, r.kind);
        } else if (!net::wait_ready(t.fd(), r.poll_events(), deadline)) {
            return err("timed out after " + std::to_string(ms_since(started)) + " ms waiting for " + call.waiting_for(),
                       ErrorKind::Timeout);
        }
    }
    return ok_status();
}

}  // namespace

GrpcOutcome probe_grpc(const Options& opt, Deadline deadline) {
    auto started = Clock::now();
    auto parsed = parse_grpc_url(opt.url);
    if (!parsed) return {false, parsed.error()};
    const net::Url& url = *parsed;
    bool tls = url.scheme == "grpcs";
    std::string where = url.redacted();
    if (url.target == "/" && !where.empty() && where.back() == '/') where.pop_back();  // no service named
    auto fail = [&where](const std::string& why) { return GrpcOutcome{false, "gRPC " + where + ": " + why}; };
    std::shared_ptr<net::TlsConfig> tls_config;
    if (tls) {
        net::TlsOptions o;
        o.verify = opt.verify_probe;
        o.cafile = opt.cacert;
        o.alpn = {"h2"};  // RFC 9113 3.2; gRPC servers refuse a TLS client without it
        auto made = net::make_tls_config(o);
        if (!made) return fail(made.error());
        tls_config = *made;
    }
    auto addresses = net::resolve(url.host, url.port, deadline);
    if (!addresses) return fail(addresses.error());
    auto conn = connect(*addresses, tls_config, url.host, deadline);
    if (!conn) return fail(conn.error());
    std::string alpn = (*conn)->alpn_protocol();
    if (tls && !alpn.empty() && alpn != "h2")
        return fail("the server chose " + alpn + " by ALPN, not h2: not a gRPC port");
    grpc::CallOptions call_options;
    call_options.authority = url.host_header();
    call_options.service = grpc_service(url);
    call_options.tls = tls;
    call_options.user_agent = "healthcheck/" HC_VERSION;
    // grpc-timeout tells a server (or proxy) when to give up; a little
    // after our own deadline, so a hung server is reported by us, naming
    // the step we waited for, not by a DEADLINE_EXCEEDED racing with it.
    call_options.timeout_ms = deadline.remaining_ms() + kServerGraceMs;
    grpc::HealthCall call(call_options);
    if (auto st = drive(call, **conn, deadline, started); !st) return fail(st.error());
    const auto& r = call.result();
    std::string took = " in " + std::to_string(ms_since(started)) + " ms";
    if (r.serving) return {true, "gRPC " + where + ": SERVING" + took};
    if (r.health_status >= 0) return fail(r.detail + took + " (want SERVING)");
    return fail(r.detail);
}

}  // namespace hc::container
