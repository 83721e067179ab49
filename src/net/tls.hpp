#pragma once
// TLS client streams on mbedTLS (3.6, built from Debian's source by
// default; 2.28 and Alpine's 3.6 with MBEDTLS=system). TLS 1.2 is the
// minimum in every build. A TlsConfig is made once and shared by
// connections; the CA bundle is read only when verification is on, so a
// plain http check never pays for parsing it.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/transport.hpp"
#include "util/result.hpp"

namespace hc::net {

struct TlsOptions {
    bool verify = false;
    std::string cafile;  // empty: $SSL_CERT_FILE, then the usual system paths
    // Protocols offered by ALPN, e.g. {"h2"}; none when empty.
    std::vector<std::string> alpn;
    // A client certificate (mTLS), PEM or DER; both or neither. The key
    // must be unencrypted. Errors name the files, never their content.
    std::string certfile;
    std::string keyfile;
};

class TlsConfig;

// Returns the CA bundle path to use, or an error naming what was tried.
Result<std::string> find_ca_bundle(const std::string& explicit_file);

// Errors about the client certificate or key files have kind Config.
Result<std::shared_ptr<TlsConfig>> make_tls_config(const TlsOptions& options);

// "mbedTLS 3.6.6": the library linked in (for --version; security updates).
std::string tls_library_version();

// Wraps a connecting TCP transport; establish() then also does the
// handshake with SNI = host (unless host is an IP literal).
std::unique_ptr<Transport> tls_wrap(std::unique_ptr<Transport> tcp, std::shared_ptr<TlsConfig> config,
                                    const std::string& host);

// For tls:// probes, after establish(): a TLS 1.3 client finishes its
// handshake before the server has checked the client certificate, so a
// refusal (alert certificate_required, bad_certificate...) comes after it.
// Waits for the server's first record, at most grace_ms (and the
// deadline): an alert fails; any record (a session ticket, data), a close
// or silence passes. Returns at once for TLS 1.2, whose handshake already
// includes the server's verdict, and for a transport that is not TLS.
Status await_tls13_verdict(Transport& t, Deadline deadline, long grace_ms);

// The server's certificate (the leaf) after a completed handshake of a
// tls_wrap()ped transport: validity in seconds since the epoch (UTC) and the
// subject ("CN=example.com, O=..."), which is the server's text: escape it
// before printing. Verified only when the TlsConfig verifies.
struct PeerCertificate {
    int64_t not_before = 0, not_after = 0;
    std::string subject;
};
Result<PeerCertificate> peer_certificate(const Transport& t);

}  // namespace hc::net
