// HTTP/1.1 response parser (src/http/response_parser): status line, headers,
// Content-Length / chunked / until-close bodies, fed in random splits.
//
// Input: byte 0 = flags (bit 0 HEAD request, bit 1 tiny limits, bit 2 skip
// EOF), byte 1 = split seed, rest = the bytes from the wire.
// Invariant: any split of the same bytes gives exactly the same result as
// feeding them in one piece (state, error, status, headers, body).
#include "fuzz_common.hpp"
#include "http/response_parser.hpp"

namespace fuzz_http_response {

using hc::http::ParserLimits;
using hc::http::ResponseParser;

struct Outcome {
    ResponseParser::State state;
    std::string error;
    hc::http::Response response;
};

inline ParserLimits limits_for(uint8_t flags) {
    ParserLimits l;
    if (flags & 2) {
        l.max_header_bytes = 256;
        l.max_body_bytes = 64;
        l.max_headers = 4;
    }
    return l;
}

// splits: 0 = one piece, 1 = one byte at a time, else random pieces.
inline Outcome run(const uint8_t* wire, size_t len, uint8_t flags, uint8_t seed, int mode) {
    ResponseParser p(limits_for(flags), (flags & 1) != 0);
    const char* d = reinterpret_cast<const char*>(wire);
    if (mode == 0) {
        p.feed(d, len);
    } else {
        hc_fuzz::Rng rng(seed);
        size_t off = 0;
        while (off < len) {
            size_t n = mode == 1 ? 1 : 1 + rng.below(rng.below(4) == 0 ? 64 : 8);
            if (n > len - off) n = len - off;
            p.feed(d + off, n);
            off += n;
        }
    }
    // Feeding nothing must be harmless.
    p.feed(d, 0);
    if (!(flags & 4) && !p.done() && !p.failed()) p.feed_eof();
    return Outcome{p.state(), p.error(), p.response()};
}

inline void check(const Outcome& o, const ParserLimits& l) {
    FUZZ_CHECK(o.response.body.size() <= l.max_body_bytes);
    FUZZ_CHECK(o.response.headers.size() <= l.max_headers);
    FUZZ_CHECK(o.state != ResponseParser::State::Error || !o.error.empty());
    FUZZ_CHECK(o.state == ResponseParser::State::Error || o.error.empty());
    if (o.state == ResponseParser::State::Done) {
        FUZZ_CHECK(o.response.status >= 100 && o.response.status <= 999);
    }
}

inline void same(const Outcome& a, const Outcome& b) {
    FUZZ_CHECK(a.state == b.state);
    FUZZ_CHECK(a.error == b.error);
    FUZZ_CHECK(a.response.status == b.response.status);
    FUZZ_CHECK(a.response.reason == b.response.reason);
    FUZZ_CHECK(a.response.headers == b.response.headers);
    FUZZ_CHECK(a.response.body == b.response.body);
    FUZZ_CHECK(a.response.body_truncated == b.response.body_truncated);
}

}  // namespace fuzz_http_response

HC_FUZZ_TARGET(http_response) {
    using namespace fuzz_http_response;
    if (size < 2) return 0;
    const uint8_t flags = data[0], seed = data[1];
    data += 2;
    size -= 2;
    Outcome whole = run(data, size, flags, seed, 0);
    check(whole, limits_for(flags));
    same(whole, run(data, size, flags, seed, 2));
    if (size <= 4096) same(whole, run(data, size, flags, seed, 1));
    // Lookups must not care about what the headers hold.
    (void)whole.response.header("content-length");
    (void)whole.response.header("");
    return 0;
}
