#pragma once
// DNS A/AAAA messages, sans I/O: build a query, parse a reply. The parser
// sees bytes from the network (and from libFuzzer), so it trusts nothing:
// every read is bounds-checked and compression pointers are hop-limited.
//
// exchange() at the bottom is the I/O half. It is declared here so tests
// can aim it at an in-process responder on an ephemeral port (resolv.conf
// cannot carry a port), but it is defined in resolver.cpp so that dns.cpp
// stays pure and a fuzz target can link it alone.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/address.hpp"
#include "net/hosts.hpp"
#include "util/deadline.hpp"
#include "util/result.hpp"

namespace hc::net::dns {

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeAAAA = 28;
constexpr int kRcodeNoError = 0;
constexpr int kRcodeServFail = 2;
constexpr int kRcodeNxDomain = 3;
constexpr int kRcodeRefused = 5;

// A query for name (one trailing dot allowed) with RD set and no EDNS, so
// replies over UDP stay within 512 bytes or come back truncated.
// Returns an empty string when name is not a valid query name: empty
// label, label over 63 bytes, over 253 bytes in all, or a byte outside
// printable ASCII / a backslash (no escapes; IDNs must be punycode).
std::string build_query(uint16_t id, const std::string& name, uint16_t qtype);

struct Answer {
    // Addresses of the asked type from the answer section, in message
    // order; for A only the first 4 bytes are used.
    std::vector<std::array<uint8_t, 16>> addresses;
    bool truncated = false;  // TC: nothing parsed past the question; retry over TCP
    int rcode = 0;           // meaningful only when error is empty
    // Not a reply to our query (short, wrong id, QR=0, other question):
    // ignore it and keep waiting, as a spoofed or stale datagram may be.
    bool unrelated = false;
    std::string error;  // non-empty: message unusable (also set when unrelated)

    bool ok() const { return error.empty(); }
};

// Parses a reply to the query (expected_id, qtype). qtype must be kTypeA
// or kTypeAAAA. When expected_name is non-empty the question section must
// repeat it (case-insensitively, trailing dot optional). Records of other
// types or classes are skipped, so a CNAME chain yields the addresses at
// its end. rcode != 0 is not an error here; the caller decides.
Answer parse_response(const uint8_t* data, size_t len, uint16_t expected_id, uint16_t qtype,
                      std::string_view expected_name = {});

// --- I/O (defined in resolver.cpp) ---

// Looks up A and AAAA for name at conf.nameservers (addresses with
// ports), over UDP with a TCP retry on truncation, never past deadline.
// Each server try waits at most conf.timeout_ms; conf.attempts rounds
// over all servers. Returns IPv4 then IPv6 addresses with the given port.
// Errors read "resolve NAME: no such host" / "no address" /
// "timed out (nameserver 127.0.0.1:53)" / "server failure (nameserver ...)".
Result<std::vector<Address>> exchange(const std::string& name, uint16_t port, const ResolvConf& conf,
                                      Deadline deadline);

}  // namespace hc::net::dns
