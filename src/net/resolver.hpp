#pragma once
// Name resolution that needs nothing from the image: IP literals,
// /etc/hosts when present, "localhost" even without /etc/hosts, and DNS
// A/AAAA over UDP (TCP on truncation) to the servers in /etc/resolv.conf.
// glibc's static getaddrinfo needs NSS plugins a scratch image lacks.
#include <string>
#include <vector>

#include "net/address.hpp"
#include "util/deadline.hpp"
#include "util/result.hpp"

namespace hc::net {

struct ResolverConfig {
    std::string hosts_path = "/etc/hosts";
    std::string resolv_conf_path = "/etc/resolv.conf";
};

// Addresses for host (a name or an IP literal without brackets), IPv4 first.
Result<std::vector<Address>> resolve(const std::string& host, uint16_t port, Deadline deadline,
                                     const ResolverConfig& config = ResolverConfig{});

}  // namespace hc::net
