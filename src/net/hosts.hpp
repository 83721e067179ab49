#pragma once
// The two resolver files of a system image, /etc/hosts and
// /etc/resolv.conf, parsed without glibc's NSS. Both are optional in a
// scratch container; a missing or unreadable file reads as empty.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/address.hpp"

namespace hc::net {

// Files larger than this are read only up to it (last partial line dropped),
// so a runaway file cannot stall or bloat a health check.
constexpr size_t kMaxConfigFileBytes = 1 << 20;

struct HostsEntry {
    std::string name;  // lowercase, no trailing dot
    Address address;   // port 0
};

struct HostsFile {
    std::vector<HostsEntry> entries;  // file order

    // All addresses listed for name (case-insensitive, trailing dot
    // optional), IPv4 first then IPv6, file order within each, no
    // duplicates, with the given port. Empty when the name is not listed.
    std::vector<Address> lookup(std::string_view name, uint16_t port) const;
};

// "ADDRESS NAME [ALIAS...]" lines; '#' starts a comment; lines whose
// address is not an IPv4/IPv6 literal (e.g. with a %zone) are skipped.
HostsFile parse_hosts(std::string_view text);
HostsFile load_hosts(const std::string& path);

struct ResolvConf {
    std::vector<Address> nameservers;  // at most kMaxNameservers, port 53 from files
    int timeout_ms = 1000;             // per try; glibc's default is 5 s, too long inside a probe budget
    int attempts = 2;                  // rounds over all nameservers
};

constexpr size_t kMaxNameservers = 3;  // glibc's MAXNS

// Reads "nameserver ADDR" (IP literal; first 3 kept) and "options
// timeout:N attempts:N" (N clamped to glibc's 1..30 and 1..5); everything
// else (search, domain, ndots, rotate, ...) is ignored. No fallback:
// nameservers may come back empty.
ResolvConf parse_resolv_conf(std::string_view text);
// Like glibc: a missing file, or one without a usable nameserver line,
// means 127.0.0.1:53.
ResolvConf load_resolv_conf(const std::string& path);

// Lowercase ASCII with one trailing dot removed: the form names are compared in.
std::string normalize_name(std::string_view name);

// Contents of a regular file, at most max_bytes (cut back to the last
// newline when the file is longer); nullopt when it cannot be read.
std::optional<std::string> read_file_capped(const std::string& path, size_t max_bytes);

}  // namespace hc::net
