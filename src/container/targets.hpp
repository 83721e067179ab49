#pragma once
// Container probe targets beyond plain http(s): tcp:// and tls:// connect
// checks, unix:// HTTP (the request itself goes through http::Client), and
// the client certificate (--cert/--key) for https:// and tls://.
#include <string>

#include "container/cli.hpp"
#include "net/tls.hpp"
#include "net/url.hpp"
#include "util/deadline.hpp"
#include "util/result.hpp"

namespace hc::container {

// Usage errors (exit 2) for options a target can not honour (-m or -r with
// tcp://, --cert without --key, --cert with a plain-text target), and a
// client certificate or key that can not be loaded: the message names the
// file, never its content.
// Called by run() after parse_cli (which stays free of TLS, for the argv
// fuzz target).
Status check_target_options(const Options& opt);

// TLS settings of the probe (https:// and tls://): --verify, --cacert,
// --cert, --key.
net::TlsOptions probe_tls_options(const Options& opt);

struct ConnectOutcome {
    bool passed = false;
    std::string detail;  // for the output line and notices
};

// tcp://: pass when a TCP connect succeeds; tls://: when connect and TLS
// handshake succeed (and, in TLS 1.3, the server does not refuse the
// client certificate right after it).
ConnectOutcome probe_connect(const Options& opt, const net::Url& url, Deadline deadline);

}  // namespace hc::container
