// DNS reply parser (src/net/dns). Input: byte 0 = mode (bit 0 AAAA, bit 1
// check the question name against "example.com"), rest = the UDP payload;
// the expected id is taken from the payload so the parser gets past the id
// check. Invariants: an ok answer's addresses are only produced for rcode 0
// and no truncation; errors always carry a message.
#include "net/dns.hpp"
#include "fuzz_common.hpp"

HC_FUZZ_TARGET(dns) {
    namespace dns = hc::net::dns;
    if (size < 1) return 0;
    const uint8_t mode = data[0];
    const uint8_t* msg = data + 1;
    const size_t len = size - 1;
    const uint16_t qtype = (mode & 1) ? dns::kTypeAAAA : dns::kTypeA;
    const uint16_t id = len >= 2 ? static_cast<uint16_t>(msg[0] << 8 | msg[1]) : 0;
    std::string_view name = (mode & 2) ? "Example.COM." : "";
    dns::Answer a = dns::parse_response(len ? msg : nullptr, len, id, qtype, name);
    if (a.ok()) {
        FUZZ_CHECK(!a.unrelated);
        if (!a.addresses.empty()) FUZZ_CHECK(a.rcode == 0 && !a.truncated);
        FUZZ_CHECK(a.addresses.size() <= len / 11 + 1);
    } else {
        FUZZ_CHECK(a.addresses.empty());
    }
    // A wrong id is always unrelated.
    if (len >= 12) {
        dns::Answer b = dns::parse_response(msg, len, static_cast<uint16_t>(id + 1), qtype, name);
        FUZZ_CHECK(b.unrelated && !b.ok());
    }
    // The query builder takes arbitrary names (from URLs) too.
    std::string qname(reinterpret_cast<const char*>(msg), len < 300 ? len : 300);
    std::string q = dns::build_query(0x1234, qname, qtype);
    if (!q.empty()) {
        FUZZ_CHECK(q.size() >= 12 + 2 + 4 && q.size() <= 12 + 255 + 4);
        // Our own query, echoed with QR set, is a valid empty reply.
        q[2] = static_cast<char>(q[2] | 0x80);
        dns::Answer echo =
            dns::parse_response(reinterpret_cast<const uint8_t*>(q.data()), q.size(), 0x1234, qtype, qname);
        FUZZ_CHECK(echo.ok() && echo.addresses.empty() && echo.rcode == 0);
    }
    return 0;
}
