#pragma once
// http/https URL parsing: scheme, userinfo (for Basic auth), host (name,
// IPv4 or [IPv6]), port, and the request target (path + query). Probe URLs
// (container -u) also take tcp://, tls:// and unix:// (parse_probe_url).
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace hc::net {

struct Url {
    std::string scheme;    // "http" or "https"; probe URLs also "tcp", "tls", "unix"
    std::string userinfo;  // "user:pass", percent-decoded; empty when absent
    std::string host;      // without brackets; lower-case for names
    uint16_t port = 0;
    std::string target;  // path + query, always starts with '/'
    // unix:// only: the socket file; host is then "localhost" (the Host
    // header curl --unix-socket sends) and port 80.
    std::string socket_path;

    bool tls() const { return scheme == "https" || scheme == "tls"; }
    // tcp:// and tls://: a connect (and handshake) check, no HTTP.
    bool connect_only() const { return scheme == "tcp" || scheme == "tls"; }
    bool default_port() const { return port == (tls() ? 443 : 80); }
    // Value of the Host header: host[:port], IPv6 in brackets.
    std::string host_header() const;
    // The URL for display (logs, notices, output lines): no userinfo, and
    // every query value replaced by *** ("?access_token=***&sign=***"), keys
    // kept so operators recognise the URL. The request itself uses the
    // fields, never this text.
    std::string redacted() const;
};

// Parse errors never contain the URL text: it may carry credentials or
// tokens. Callers add which option or key the URL came from.
Result<Url> parse_url(std::string_view text);

// A container probe target: http(s) as parse_url, and
//   tcp://host:port   pass when the TCP connect succeeds
//   tls://host:port   pass when connect and TLS handshake succeed
//   unix:///path/to.sock[:/request/path?query]   HTTP over a unix socket
// The socket path runs to the first ':' (nginx's "http://unix:/sock:/uri"
// rule); the request path after it defaults to "/". tcp/tls need a port
// and take no path, query or userinfo.
Result<Url> parse_probe_url(std::string_view text);

// True when text starts with http:// or https://, in any case.
bool is_http_url(std::string_view text);

// text as a URL safe to print: redacted() when it parses, else "(unparsable
// URL)", since an unparsable text can not be split into safe parts.
std::string redact_url_text(std::string_view text);

// "a=1&b&c=" -> "a=***&***&c=": values masked, keys kept; an item without
// "=" may itself be a token, so it is masked whole.
std::string mask_query(std::string_view query);
// A host as written in a URL or "host:port": an IPv6 literal (any ':')
// in brackets, "::1" -> "[::1]"; names and IPv4 unchanged.
std::string bracket_host(std::string_view host);
// A request target (path and query) with mask_query() applied to its query:
// the display form of a path given apart from its URL.
std::string redacted_target(std::string_view target);

// Resolves a Location header against the URL it came from (RFC 3986 5.2,
// for the forms servers send: absolute, scheme-relative, absolute-path,
// relative-path, query-only).
Result<Url> resolve_location(const Url& base, std::string_view location);

std::string percent_decode(std::string_view s);
// Encodes everything except RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);

}  // namespace hc::net
