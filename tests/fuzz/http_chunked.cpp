// Chunked transfer decoding in src/http/response_parser: the input is the
// body that follows a fixed "Transfer-Encoding: chunked" header block.
//
// Input: byte 0 = flags (bit 1 tiny limits, bit 2 skip EOF), byte 1 = split
// seed, rest = chunked body. Invariants: as for http_response (splits do not
// matter), plus: a complete, untruncated body equals what a strict reference
// decoder makes of the same bytes whenever the reference accepts them.
#include "fuzz_common.hpp"
#include "http/response_parser.hpp"

namespace fuzz_http_chunked {

using hc::http::ParserLimits;
using hc::http::ResponseParser;

const char kHead[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

inline ParserLimits limits_for(uint8_t flags) {
    ParserLimits l;
    if (flags & 2) {
        l.max_header_bytes = 256;
        l.max_body_bytes = 64;
    }
    return l;
}

struct Outcome {
    ResponseParser::State state;
    std::string error, body;
    bool truncated;
};

inline Outcome run(const std::string& wire, uint8_t flags, uint8_t seed, bool split) {
    ResponseParser p(limits_for(flags));
    if (!split) {
        p.feed(wire.data(), wire.size());
    } else {
        hc_fuzz::Rng rng(seed);
        size_t off = 0;
        while (off < wire.size()) {
            size_t n = 1 + rng.below(7);
            if (n > wire.size() - off) n = wire.size() - off;
            p.feed(wire.data() + off, n);
            off += n;
        }
    }
    if (!(flags & 4) && !p.done() && !p.failed()) p.feed_eof();
    return Outcome{p.state(), p.error(), p.response().body, p.response().body_truncated};
}

// Strict RFC 9112 7.1 decoder: hex size, optional ";ext", CRLF, data, CRLF;
// last chunk "0", then trailer lines, then CRLF. Returns false on anything
// else (including lone LF), so it only judges the inputs it understands.
inline bool reference(std::string_view in, std::string& out) {
    size_t pos = 0;
    auto line = [&](std::string_view& l) {
        size_t crlf = in.find("\r\n", pos);
        if (crlf == std::string_view::npos) return false;
        l = in.substr(pos, crlf - pos);
        pos = crlf + 2;
        return l.size() < 1000 && l.find('\n') == std::string_view::npos;
    };
    for (;;) {
        std::string_view l;
        if (!line(l)) return false;
        l = l.substr(0, l.find(';'));
        if (l.empty() || l.size() > 8) return false;
        size_t n = 0;
        for (char c : l) {
            int d = (c >= '0' && c <= '9')   ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
            if (d < 0) return false;
            n = n * 16 + static_cast<size_t>(d);
        }
        if (n == 0) break;
        if (in.size() - pos < n + 2 || in.substr(pos + n, 2) != "\r\n") return false;
        out.append(in.substr(pos, n));
        pos += n + 2;
    }
    for (;;) {
        std::string_view l;
        if (!line(l)) return false;
        if (l.empty()) return true;
    }
}

}  // namespace fuzz_http_chunked

HC_FUZZ_TARGET(http_chunked) {
    using namespace fuzz_http_chunked;
    if (size < 2) return 0;
    const uint8_t flags = data[0], seed = data[1];
    std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
    std::string wire = std::string(kHead) + std::string(body);
    Outcome a = run(wire, flags, seed, false);
    Outcome b = run(wire, flags, seed, true);
    FUZZ_CHECK(a.state == b.state);
    FUZZ_CHECK(a.error == b.error);
    FUZZ_CHECK(a.body == b.body);
    FUZZ_CHECK(a.truncated == b.truncated);
    FUZZ_CHECK(a.body.size() <= limits_for(flags).max_body_bytes);
    std::string ref;
    if (reference(body, ref)) {
        // Valid input within the limits must be accepted, and decoded alike.
        if (!(flags & 2) && body.size() < 32 * 1024) FUZZ_CHECK(a.state == ResponseParser::State::Done);
        if (a.state == ResponseParser::State::Done && !a.truncated) FUZZ_CHECK(a.body == ref);
    }
    return 0;
}
