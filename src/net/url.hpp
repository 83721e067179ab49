#pragma once
// http/https URL parsing: scheme, userinfo (for Basic auth), host (name,
// IPv4 or [IPv6]), port, and the request target (path + query).
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace hc::net {

struct Url {
    std::string scheme;    // "http" or "https"
    std::string userinfo;  // "user:pass", percent-decoded; empty when absent
    std::string host;      // without brackets; lower-case for names
    uint16_t port = 0;
    std::string target;    // path + query, always starts with '/'

    bool tls() const { return scheme == "https"; }
    bool default_port() const { return port == (tls() ? 443 : 80); }
    // Value of the Host header: host[:port], IPv6 in brackets.
    std::string host_header() const;
    // The URL without userinfo, safe to print in logs.
    std::string redacted() const;
};

Result<Url> parse_url(std::string_view text);

// Resolves a Location header against the URL it came from (RFC 3986 5.2,
// for the forms servers send: absolute, scheme-relative, absolute-path,
// relative-path, query-only).
Result<Url> resolve_location(const Url& base, std::string_view location);

std::string percent_decode(std::string_view s);
// Encodes everything except RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);

}  // namespace hc::net
