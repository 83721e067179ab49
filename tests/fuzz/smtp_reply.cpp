// SMTP reply parser (src/smtp/reply): the input is split into lines on LF
// and fed one reply after another, as the client does. Invariants: a
// complete reply has a 2xx-5xx code and 1..kMaxLines lines, summary() stays
// printable and bounded, and parse_ehlo() copes with any reply.
#include "fuzz_common.hpp"
#include "smtp/reply.hpp"
#include "util/text.hpp"

HC_FUZZ_TARGET(smtp_reply) {
    using hc::smtp::ReplyParser;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    ReplyParser p;
    for (const auto& line : hc_fuzz::split(in, '\n')) {
        auto st = p.feed_line(line);
        FUZZ_CHECK(st == p.state());
        if (st == ReplyParser::State::Complete) {
            const auto& r = p.reply();
            FUZZ_CHECK(r.code >= 200 && r.code <= 559);
            FUZZ_CHECK(!r.lines.empty() && r.lines.size() <= ReplyParser::kMaxLines);
            std::string s = r.summary();
            FUZZ_CHECK(s.size() <= 3 + 1 + 512 + 3);
            for (unsigned char c : s) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
            auto ext = hc::smtp::parse_ehlo(r);
            if (ext.auth_plain || ext.auth_login) FUZZ_CHECK(ext.auth);
            p.reset();
        } else if (st == ReplyParser::State::Error) {
            FUZZ_CHECK(!p.error().empty());
            for (unsigned char c : p.error()) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
            p.reset();
        } else {
            FUZZ_CHECK(p.bytes() <= ReplyParser::kMaxBytes);
        }
    }
    std::string pr = hc::printable(in, 64, true);
    FUZZ_CHECK(pr.size() <= 64 + 3);
    return 0;
}
