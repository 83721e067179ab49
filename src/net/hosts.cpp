#include "net/hosts.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "util/file.hpp"

namespace hc::net {

namespace {

constexpr uint16_t kDnsPort = 53;
constexpr int kMaxTimeoutS = 30;  // glibc's RES_MAXRETRANS
constexpr int kMaxAttempts = 5;   // glibc's RES_MAXRETRY

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Calls fn(line) for each line of text with any comment (from one of
// comment_chars) removed.
template <class Fn>
void for_each_line(std::string_view text, std::string_view comment_chars, Fn fn) {
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        size_t hash = line.find_first_of(comment_chars);
        if (hash != std::string_view::npos) line = line.substr(0, hash);
        fn(line);
    }
}

// Whitespace-separated fields of a line.
std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

Address with_port(Address a, uint16_t port) {
    if (a.family() == AF_INET)
        reinterpret_cast<sockaddr_in*>(&a.storage)->sin_port = htons(port);
    else
        reinterpret_cast<sockaddr_in6*>(&a.storage)->sin6_port = htons(port);
    return a;
}

bool same_address(const Address& a, const Address& b) {
    return a.length == b.length && std::memcmp(&a.storage, &b.storage, a.length) == 0;
}

// "timeout:N" -> N clamped to [lo, hi]; nullopt for other options or bad N.
std::optional<int> option_value(std::string_view opt, std::string_view key, int lo, int hi) {
    if (opt.size() <= key.size() || opt.substr(0, key.size()) != key) return std::nullopt;
    std::string_view digits = opt.substr(key.size());
    if (digits.size() > 6) return hi;  // absurdly large: clamp without overflowing
    int v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return std::clamp(v, lo, hi);
}

void parse_options(const std::vector<std::string_view>& f, ResolvConf& conf) {
    for (size_t i = 1; i < f.size(); ++i) {
        if (auto t = option_value(f[i], "timeout:", 1, kMaxTimeoutS)) conf.timeout_ms = *t * 1000;
        if (auto n = option_value(f[i], "attempts:", 1, kMaxAttempts)) conf.attempts = *n;
    }
}

}  // namespace

std::string normalize_name(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    std::string out(name);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::optional<std::string> read_file_capped(const std::string& path, size_t max_bytes) {
    // One extra byte tells "longer than max"; a FIFO in place of the file
    // must not hang the probe (regular_only).
    Result<std::string> text = read_file(path, max_bytes + 1, ReadOptions{true, true});
    if (!text) return std::nullopt;
    std::string out = std::move(*text);
    if (out.size() > max_bytes) {
        // A cut line could turn "host.example.com" into "host.example.co".
        size_t nl = max_bytes == 0 ? std::string::npos : out.rfind('\n', max_bytes - 1);
        out.resize(nl == std::string::npos ? 0 : nl + 1);
    }
    return out;
}

std::vector<Address> HostsFile::lookup(std::string_view name, uint16_t port) const {
    std::string want = normalize_name(name);
    std::vector<Address> out;
    for (int family : {AF_INET, AF_INET6}) {
        for (const HostsEntry& e : entries) {
            if (e.address.family() != family || e.name != want) continue;
            Address a = with_port(e.address, port);
            bool dup = std::any_of(out.begin(), out.end(), [&](const Address& b) { return same_address(a, b); });
            if (!dup) out.push_back(a);
        }
    }
    return out;
}

HostsFile parse_hosts(std::string_view text) {
    HostsFile hosts;
    for_each_line(text, "#", [&](std::string_view line) {
        std::vector<std::string_view> f = fields(line);
        if (f.size() < 2) return;
        std::optional<Address> addr = parse_ip_literal(f[0], 0);
        if (!addr) return;
        for (size_t i = 1; i < f.size(); ++i) {
            std::string name = normalize_name(f[i]);
            if (!name.empty()) hosts.entries.push_back(HostsEntry{name, *addr});
        }
    });
    return hosts;
}

HostsFile load_hosts(const std::string& path) {
    std::optional<std::string> text = read_file_capped(path, kMaxConfigFileBytes);
    return text ? parse_hosts(*text) : HostsFile{};
}

ResolvConf parse_resolv_conf(std::string_view text) {
    ResolvConf conf;
    for_each_line(text, "#;", [&](std::string_view line) {
        std::vector<std::string_view> f = fields(line);
        if (f.empty()) return;
        if (f[0] == "nameserver" && f.size() >= 2) {
            // Scoped IPv6 ("fe80::1%eth0") fails to parse and is skipped.
            std::optional<Address> addr = parse_ip_literal(f[1], kDnsPort);
            if (addr && conf.nameservers.size() < kMaxNameservers) conf.nameservers.push_back(*addr);
        } else if (f[0] == "options") {
            parse_options(f, conf);
        }
    });
    return conf;
}

ResolvConf load_resolv_conf(const std::string& path) {
    std::optional<std::string> text = read_file_capped(path, kMaxConfigFileBytes);
    ResolvConf conf = text ? parse_resolv_conf(*text) : ResolvConf{};
    if (conf.nameservers.empty()) {
        const uint8_t loopback[4] = {127, 0, 0, 1};
        conf.nameservers.push_back(make_v4(loopback, kDnsPort));
    }
    return conf;
}

}  // namespace hc::net
