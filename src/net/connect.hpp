#pragma once
// Blocking connect for connect-only probes (container tcp:// and tls://):
// each address in turn gets an equal share of the time left (as
// http::Exchange does), so one black-holed address can not eat the whole
// budget; then the TLS handshake when a config is given.
#include <memory>
#include <string>
#include <vector>

#include "net/address.hpp"
#include "net/tls.hpp"
#include "net/transport.hpp"
#include "util/deadline.hpp"
#include "util/result.hpp"

namespace hc::net {

struct Connected {
    std::unique_ptr<Transport> transport;  // established (TCP up, handshake done)
    Address peer;
};

// A refused or timed-out TCP connect moves on to the next address; a TLS
// failure is the server's answer and ends the attempt. `host` is the SNI
// and verification name (see tls_wrap).
Result<Connected> connect_first(const std::vector<Address>& addresses, std::shared_ptr<TlsConfig> tls,
                                const std::string& host, Deadline deadline);

}  // namespace hc::net
