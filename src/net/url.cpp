#include "net/url.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <sys/un.h>

#include "util/text.hpp"

namespace hc::net {
namespace {

bool valid_host_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'; }

// The messages below name the part that is wrong but never echo the URL
// nor a piece of it: without an '@', "http://user:pass/" puts the password
// where the port goes.
Result<uint16_t> parse_port(std::string_view s) {
    if (s.empty() || s.size() > 5) return err("invalid port in URL (want 1-65535)");
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return err("invalid port in URL (want 1-65535)");
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535) return err("port out of range in URL (want 1-65535)");
    return static_cast<uint16_t>(v);
}

// Splits "host[:port]" or "[v6][:port]" into url.host / url.port.
Status parse_authority_host(std::string_view hp, Url& url) {
    std::string_view host, port;
    if (!hp.empty() && hp[0] == '[') {
        auto close = hp.find(']');
        if (close == std::string_view::npos) return err("unterminated [IPv6] in URL");
        host = hp.substr(1, close - 1);
        auto rest = hp.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') return err("unexpected text after ] in URL");
            port = rest.substr(1);
            if (port.empty()) return err("empty port in URL");
        }
        if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
            return err("invalid IPv6 address in URL");
    } else {
        auto colon = hp.rfind(':');
        host = hp.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = hp.substr(colon + 1);
            if (port.empty()) return err("empty port in URL");
        }
        if (host.empty()) return err("missing host in URL");
        if (!std::all_of(host.begin(), host.end(), valid_host_char)) return err("invalid host in URL");
    }
    url.host = to_lower(host);
    url.port = url.tls() ? 443 : 80;
    if (!port.empty()) {
        auto p = parse_port(port);
        if (!p) return Error{p.error()};
        url.port = *p;
    }
    return ok_status();
}

// A scheme short and plain enough to name in an error ("ftp"); anything
// else might be part of a mistyped secret.
bool nameable_scheme(std::string_view s) {
    if (s.empty() || s.size() > 10) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

// Removes "." and ".." segments (RFC 3986 5.2.4) from an absolute path.
std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> out;
    size_t i = 1;
    bool trailing_slash = false;
    while (i <= path.size()) {
        auto next = path.find('/', i);
        if (next == std::string_view::npos) next = path.size();
        auto seg = path.substr(i, next - i);
        trailing_slash = (seg == "." || seg == "..") || next < path.size();
        if (seg == "..") {
            if (!out.empty()) out.pop_back();
        } else if (seg != ".") {
            out.push_back(seg);
        }
        i = next + 1;
    }
    std::string result;
    for (auto seg : out) {
        result += '/';
        result += seg;
    }
    if (result.empty() || (trailing_slash && result.back() != '/')) result += '/';
    return result;
}

bool has_space_or_control(std::string_view text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return true;
    return false;
}

// True when "host:port" / "[v6]:port" names a port (tcp/tls have no default).
bool has_port(std::string_view authority) {
    auto colon = authority.rfind(':');
    auto close = authority.rfind(']');
    return colon != std::string_view::npos && (close == std::string_view::npos || colon > close);
}

// "/run/app.sock[:/path?query]" after "unix://".
Result<Url> parse_unix_url(std::string_view rest, Url url) {
    if (rest.empty() || rest[0] != '/') return err("unix:// URLs need an absolute socket path (unix:///run/app.sock)");
    auto colon = rest.find(':');
    auto socket = rest.substr(0, colon);
    if (socket.find_first_of("?#") != std::string_view::npos)
        return err(
            "the socket path of a unix:// URL can not hold ? or #; the request path goes after ':' "
            "(unix:///run/app.sock:/health?x=1)");
    if (socket.size() >= sizeof(sockaddr_un{}.sun_path)) return err("unix socket path too long (at most 107 bytes)");
    std::string_view target = colon == std::string_view::npos ? "/" : rest.substr(colon + 1);
    target = target.substr(0, target.find('#'));
    if (target.empty()) target = "/";
    if (target[0] != '/')
        return err("the request path after ':' in a unix:// URL must start with / (unix:///run/app.sock:/health)");
    url.socket_path = std::string(socket);
    url.host = "localhost";
    url.port = 80;
    url.target = std::string(target);
    return url;
}

}  // namespace

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

std::string percent_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string bracket_host(std::string_view host) {
    if (host.find(':') == std::string_view::npos) return std::string(host);
    return "[" + std::string(host) + "]";
}

std::string Url::host_header() const {
    std::string h = bracket_host(host);
    if (!default_port()) h += ":" + std::to_string(port);
    return h;
}

std::string mask_query(std::string_view query) {
    std::string out;
    size_t start = 0;
    for (;;) {
        auto amp = query.find('&', start);
        auto item = query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        auto eq = item.find('=');
        if (eq == std::string_view::npos)
            out += item.empty() ? "" : "***";
        else
            out += std::string(item.substr(0, eq + 1)) + (eq + 1 == item.size() ? "" : "***");
        if (amp == std::string_view::npos) return out;
        out += '&';
        start = amp + 1;
    }
}

std::string redacted_target(std::string_view target) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return std::string(target);
    return std::string(target.substr(0, q + 1)) + mask_query(target.substr(q + 1));
}

std::string Url::redacted() const {
    if (scheme == "unix") return "unix://" + socket_path + ":" + redacted_target(target);
    // The port is part of every tcp/tls URL, default or not.
    if (connect_only()) return scheme + "://" + bracket_host(host) + ":" + std::to_string(port);
    return scheme + "://" + host_header() + redacted_target(target);
}

bool is_http_url(std::string_view text) {
    auto sep = text.find("://");
    if (sep == std::string_view::npos) return false;
    std::string scheme = to_lower(text.substr(0, sep));
    return scheme == "http" || scheme == "https";
}

std::string redact_url_text(std::string_view text) {
    auto url = parse_probe_url(text);
    return url ? url->redacted() : "(unparsable URL)";
}

Result<Url> parse_url(std::string_view text) {
    Url url;
    auto sep = text.find("://");
    if (sep == std::string_view::npos) return err("URL must start with http:// or https://");
    url.scheme = to_lower(text.substr(0, sep));
    if (url.scheme != "http" && url.scheme != "https")
        return err(nameable_scheme(url.scheme) ? "unsupported URL scheme \"" + url.scheme + "\" (only http and https)"
                                               : std::string("URL must start with http:// or https://"));
    if (has_space_or_control(text)) return err("URL contains a space or control character");
    auto rest = text.substr(sep + 3);
    auto path_start = rest.find_first_of("/?#");
    auto authority = rest.substr(0, path_start);
    auto at = authority.rfind('@');
    if (at != std::string_view::npos) {
        url.userinfo = percent_decode(authority.substr(0, at));
        authority = authority.substr(at + 1);
    }
    auto st = parse_authority_host(authority, url);
    if (!st) return Error{st.error()};
    std::string_view target = path_start == std::string_view::npos ? "" : rest.substr(path_start);
    target = target.substr(0, target.find('#'));  // fragments never go on the wire
    url.target = target.empty() || target[0] != '/' ? "/" + std::string(target) : std::string(target);
    return url;
}

Result<Url> parse_probe_url(std::string_view text) {
    auto sep = text.find("://");
    std::string scheme = sep == std::string_view::npos ? "" : to_lower(text.substr(0, sep));
    if (scheme == "http" || scheme == "https") return parse_url(text);
    if (scheme != "tcp" && scheme != "tls" && scheme != "unix")
        return err(nameable_scheme(scheme)
                       ? "unsupported URL scheme \"" + scheme + "\" (want http, https, tcp, tls or unix)"
                       : std::string("URL must start with http://, https://, tcp://, tls:// or unix://"));
    if (has_space_or_control(text)) return err("URL contains a space or control character");
    Url url;
    url.scheme = scheme;
    auto rest = text.substr(sep + 3);
    if (scheme == "unix") return parse_unix_url(rest, std::move(url));
    auto end = rest.find_first_of("/?#");
    auto authority = rest.substr(0, end);
    // Only a lone trailing "/" is tolerated: a path or query would promise
    // a request that a connect check never sends.
    if (end != std::string_view::npos && rest.substr(end) != "/")
        return err(scheme + ":// URLs take no path or query (" + scheme + "://host:port)");
    if (authority.find('@') != std::string_view::npos) return err(scheme + ":// URLs take no user:password@");
    if (!has_port(authority)) return err(scheme + ":// URLs need a port (" + scheme + "://host:port)");
    auto st = parse_authority_host(authority, url);
    if (!st) return Error{st.error()};
    url.target = "/";
    return url;
}

// Servers put raw spaces or UTF-8 in Location; like curl, percent-encode
// them so they never reach the request line unescaped.
static std::string encode_unsafe(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (c <= 0x20 || c >= 0x7f) {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

Result<Url> resolve_location(const Url& base, std::string_view raw_location) {
    std::string encoded = encode_unsafe(raw_location);
    std::string_view location = encoded;
    if (location.empty()) return err("redirect without a Location");
    auto scheme_end = location.find("://");
    auto first_special = location.find_first_of("/?#");
    if (scheme_end != std::string_view::npos && scheme_end < first_special) return parse_url(location);
    if (location.substr(0, 2) == "//") return parse_url(base.scheme + ":" + std::string(location));
    Url url = base;
    url.userinfo.clear();  // credentials are not sent along a redirect
    location = location.substr(0, location.find('#'));
    if (location.empty()) return url;
    if (location[0] == '/') {
        auto q = location.find('?');
        url.target = remove_dot_segments(location.substr(0, q)) +
                     (q == std::string_view::npos ? "" : std::string(location.substr(q)));
    } else if (location[0] == '?') {
        url.target = base.target.substr(0, base.target.find('?')) + std::string(location);
    } else {
        auto base_path = base.target.substr(0, base.target.find('?'));
        auto dir = base_path.substr(0, base_path.rfind('/') + 1);
        auto q = location.find('?');
        url.target = remove_dot_segments(dir + std::string(location.substr(0, q))) +
                     (q == std::string_view::npos ? "" : std::string(location.substr(q)));
    }
    return url;
}

}  // namespace hc::net
