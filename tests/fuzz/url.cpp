// URL parser and redirect resolution (src/net/url).
//
// Input: "BASE\nLOCATION" (without a newline, the whole input is both the
// URL to parse and a Location against a fixed base). Invariants: a parsed or
// resolved URL has a non-zero port, an http(s) scheme, a target starting
// with '/' and free of spaces and control bytes (it goes on the request
// line verbatim), and its redacted() form (the display form: no userinfo,
// query values as ***) parses back to the same scheme, host, port and path,
// masks every query value, and is stable (redacting it again changes nothing).
// parse_probe_url (container -u) keeps the same invariants for tcp://, tls://
// and unix:// too, agrees with parse_url on every http(s) URL, and its
// tcp/tls URLs carry no path, query or userinfo.
#include "net/url.hpp"
#include "fuzz_common.hpp"

namespace fuzz_url {

using hc::net::Url;

inline bool clean(const std::string& s) {
    for (unsigned char c : s)
        if (c <= ' ' || c == 0x7f) return false;
    return true;
}

inline std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// Every item of the display form's query is "", "***", "key=" or "key=***".
inline bool query_masked(std::string_view shown) {
    auto q = shown.find('?');
    if (q == std::string_view::npos) return true;
    std::string_view query = shown.substr(q + 1);
    for (size_t start = 0;;) {
        auto amp = query.find('&', start);
        auto item = query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        auto eq = item.find('=');
        auto value = eq == std::string_view::npos ? item : item.substr(eq + 1);
        if (!value.empty() && value != "***") return false;
        if (amp == std::string_view::npos) return true;
        start = amp + 1;
    }
}

inline void check(const Url& u) {
    FUZZ_CHECK(u.scheme == "http" || u.scheme == "https");
    FUZZ_CHECK(u.port != 0);
    FUZZ_CHECK(!u.host.empty());
    FUZZ_CHECK(!u.target.empty() && u.target[0] == '/');
    FUZZ_CHECK(clean(u.target));
    FUZZ_CHECK(clean(u.host));
    std::string shown = u.redacted();
    auto again = hc::net::parse_url(shown);
    FUZZ_CHECK(again.ok());
    if (again) {
        FUZZ_CHECK(again->scheme == u.scheme);
        FUZZ_CHECK(again->host == u.host);
        FUZZ_CHECK(again->port == u.port);
        FUZZ_CHECK(path_of(again->target) == path_of(u.target));
        FUZZ_CHECK(again->userinfo.empty());
        FUZZ_CHECK(again->redacted() == shown);
    }
    FUZZ_CHECK(query_masked(shown));
    (void)u.host_header();
}

inline void check_probe(const Url& u) {
    FUZZ_CHECK(u.scheme == "http" || u.scheme == "https" || u.scheme == "tcp" || u.scheme == "tls" ||
               u.scheme == "unix");
    FUZZ_CHECK(u.port != 0);
    FUZZ_CHECK(!u.host.empty());
    FUZZ_CHECK(!u.target.empty() && u.target[0] == '/');
    FUZZ_CHECK(clean(u.target) && clean(u.host) && clean(u.socket_path));
    if (u.scheme == "unix") {
        FUZZ_CHECK(!u.socket_path.empty() && u.socket_path[0] == '/');
        FUZZ_CHECK(u.socket_path.find_first_of(":?#") == std::string::npos);
    } else {
        FUZZ_CHECK(u.socket_path.empty());
    }
    if (u.connect_only()) FUZZ_CHECK(u.target == "/" && u.userinfo.empty());
    std::string shown = u.redacted();
    auto again = hc::net::parse_probe_url(shown);
    FUZZ_CHECK(again.ok());
    if (again) {
        FUZZ_CHECK(again->scheme == u.scheme);
        FUZZ_CHECK(again->host == u.host);
        FUZZ_CHECK(again->port == u.port);
        FUZZ_CHECK(again->socket_path == u.socket_path);
        FUZZ_CHECK(path_of(again->target) == path_of(u.target));
        FUZZ_CHECK(again->userinfo.empty());
        FUZZ_CHECK(again->redacted() == shown);
    }
    FUZZ_CHECK(query_masked(shown));
}

}  // namespace fuzz_url

HC_FUZZ_TARGET(url) {
    using namespace fuzz_url;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto nl = in.find('\n');
    std::string_view base_text = nl == std::string_view::npos ? in : in.substr(0, nl);
    std::string_view location = nl == std::string_view::npos ? in : in.substr(nl + 1);

    auto parsed = hc::net::parse_url(base_text);
    if (parsed) check(*parsed);
    if (!parsed) FUZZ_CHECK(!parsed.error().empty());

    auto probe = hc::net::parse_probe_url(base_text);
    if (probe) check_probe(*probe);
    if (!probe) FUZZ_CHECK(!probe.error().empty());
    if (parsed) FUZZ_CHECK(probe && probe->redacted() == parsed->redacted());

    auto base = parsed ? *parsed : *hc::net::parse_url("http://user:pw@example.com:8080/a/b/c?q=1");
    auto resolved = hc::net::resolve_location(base, location);
    if (resolved) {
        check(*resolved);
        // Credentials never follow a redirect unless the Location names its own.
        if (location.find('@') == std::string_view::npos) FUZZ_CHECK(resolved->userinfo.empty());
    }

    // percent_encode / percent_decode round trip.
    std::string raw(in);
    std::string enc = hc::net::percent_encode(raw);
    FUZZ_CHECK(hc::net::percent_decode(enc) == raw);
    (void)hc::net::percent_decode(raw);
    return 0;
}
