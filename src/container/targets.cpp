#include "container/targets.hpp"

#include "container/grpc_target.hpp"
#include "net/connect.hpp"
#include "net/resolver.hpp"

namespace hc::container {
namespace {

// A TLS 1.3 server answers a client certificate after our handshake is
// done; OpenSSL servers answer (alert or session ticket) at once, so this
// only bounds the wait for a server that sends nothing.
constexpr long kTls13VerdictMs = 500;

long ms_since(Clock::time_point start) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

}  // namespace

net::TlsOptions probe_tls_options(const Options& opt) {
    net::TlsOptions tls;
    tls.verify = opt.verify_probe;
    tls.cafile = opt.cacert;
    tls.certfile = opt.cert;
    tls.keyfile = opt.key;
    return tls;
}

Status check_target_options(const Options& opt) {
    auto parsed = is_grpc_url(opt.url) ? parse_grpc_url(opt.url) : net::parse_probe_url(opt.url);
    if (!parsed) return err("-u/--url: " + parsed.error());
    const net::Url& url = *parsed;
    if (url.connect_only() && !opt.match.empty())
        return err("-m/--match needs an HTTP target: " + url.scheme + ":// checks only connect, there is no body");
    if (url.connect_only() && !opt.report_url.empty())
        return err("-r/--report needs an HTTP target: " + url.scheme + ":// checks only connect, there is no body");
    if (url.connect_only() && (!opt.conditions.regexes.empty() || !opt.conditions.json.empty() ||
                               !opt.headers.empty() || opt.data || opt.method != "GET"))
        return err("--regex, --json-path, -H, --data and --method need an HTTP target: " + url.scheme +
                   ":// checks only connect");
    if (opt.cert.empty() != opt.key.empty()) return err("--cert and --key go together: give both or neither");
    if (opt.cert.empty()) return ok_status();
    if (!url.tls()) return err("--cert/--key need an https:// or tls:// URL");
    // Loaded once here so an unreadable, unparsable or encrypted key is a
    // usage error (exit 2, state file untouched), not a failing probe.
    // Verification is left off: a missing CA bundle stays a probe failure.
    net::TlsOptions tls;
    tls.certfile = opt.cert;
    tls.keyfile = opt.key;
    auto made = net::make_tls_config(tls);
    if (!made) return made.failure();
    return ok_status();
}

ConnectOutcome probe_connect(const Options& opt, const net::Url& url, Deadline deadline) {
    auto started = Clock::now();
    std::shared_ptr<net::TlsConfig> tls;
    if (url.tls()) {
        auto made = net::make_tls_config(probe_tls_options(opt));
        if (!made) return {false, made.error()};
        tls = *made;
    }
    auto addresses = net::resolve(url.host, url.port, deadline, net::ResolverConfig{});
    if (!addresses) return {false, addresses.error()};
    auto conn = net::connect_first(*addresses, tls, url.host, deadline);
    if (!conn) return {false, conn.error()};
    if (tls) {
        auto verdict = net::await_tls13_verdict(*conn->transport, deadline, kTls13VerdictMs);
        if (!verdict) return {false, verdict.error()};
    }
    std::string what = tls ? "TLS handshake with " : "TCP connect to ";
    return {true, what + conn->peer.str() + " in " + std::to_string(ms_since(started)) + " ms"};
}

}  // namespace hc::container
