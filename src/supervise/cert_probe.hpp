#pragma once
// The cert check: connect to host:port, complete a TLS handshake (verified
// unless insecureSkipVerify; SNI = host) and judge the server certificate's
// expiry. Fails when verification fails or the certificate expires within
// warnDays days; the reason names the expiry date and the days left.
#include <cstdint>
#include <memory>
#include <string>

#include "net/tls.hpp"
#include "supervise/config.hpp"
#include "supervise/loop.hpp"
#include "supervise/probes.hpp"
#include "supervise/worker.hpp"

namespace hc::supervise {

// probe_cert (declared in probes.hpp) runs the check.

// The verdict at `now` (seconds since the epoch) for a certificate shown as
// `shown`: "tls localhost:8443: certificate expires 2026-12-04 10:00:00 UTC
// (2 days left, warnDays 14)". Pure, for tests.
Outcome judge_cert(const std::string& shown, const net::PeerCertificate& cert, int warn_days, int64_t now);

// "2026-12-04 10:00:00 UTC".
std::string format_utc(int64_t epoch_seconds);

// The TLS client config of an https or cert check: one per (verification,
// CA bundle), shared by every check and probe that uses it. A CA bundle
// (~150 certificates) is parsed once, and again only when its file changes
// (inode, size or mtime), so a renewed bundle is picked up without a
// reload. Loop thread only. Errors (no CA bundle, an unreadable caFile)
// have kind Config.
Result<std::shared_ptr<net::TlsConfig>> tls_config_for(const CheckConfig& cfg);

}  // namespace hc::supervise
