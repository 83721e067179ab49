// Incremental HTTP/1.1 response parser (src/http/response_parser) and
// request serialisation (src/http/message).
#include <gtest/gtest.h>

#include <string>

#include "http/message.hpp"
#include "http/response_parser.hpp"

namespace {

using hc::http::ParserLimits;
using hc::http::ResponseParser;
using State = hc::http::ResponseParser::State;

// Feeds everything at once, then EOF if not done.
ResponseParser parse(const std::string& wire, ParserLimits limits = {}, bool head = false, bool eof = true) {
    ResponseParser p(limits, head);
    p.feed(wire.data(), wire.size());
    if (eof && !p.done() && !p.failed()) p.feed_eof();
    return p;
}

const std::string kSample =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "X-Empty:\r\n"
    "X-Spaces:   padded value  \r\n"
    "Content-Length: 11\r\n"
    "\r\n"
    "hello world";

void expect_sample(ResponseParser& p, const std::string& how) {
    ASSERT_TRUE(p.done()) << how << ": " << p.error();
    auto& r = p.response();
    EXPECT_EQ(r.status, 200) << how;
    EXPECT_EQ(r.reason, "OK") << how;
    EXPECT_EQ(r.body, "hello world") << how;
    ASSERT_NE(r.header("content-type"), nullptr) << how;
    EXPECT_EQ(*r.header("CONTENT-TYPE"), "text/plain") << how;
    ASSERT_NE(r.header("X-Empty"), nullptr) << how;
    EXPECT_EQ(*r.header("X-Empty"), "") << how;
    EXPECT_EQ(*r.header("x-spaces"), "padded value") << how;
    EXPECT_FALSE(r.body_truncated) << how;
}

TEST(ResponseParser, Whole) {
    ResponseParser p;
    p.feed(kSample.data(), kSample.size());
    expect_sample(p, "whole");  // done by Content-Length, no EOF needed
}

TEST(ResponseParser, ByteByByte) {
    ResponseParser p;
    for (size_t i = 0; i < kSample.size(); ++i) {
        EXPECT_FALSE(p.done()) << "done early at byte " << i;
        p.feed(&kSample[i], 1);
        ASSERT_FALSE(p.failed()) << "at byte " << i << ": " << p.error();
    }
    expect_sample(p, "byte by byte");
}

TEST(ResponseParser, EveryTwoPieceSplit) {
    for (size_t cut = 0; cut <= kSample.size(); ++cut) {
        ResponseParser p;
        p.feed(kSample.data(), cut);
        p.feed(kSample.data() + cut, kSample.size() - cut);
        expect_sample(p, "split at " + std::to_string(cut));
    }
}

const std::string kChunked =
    "HTTP/1.1 200 OK\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Trailer: X-T\r\n"
    "\r\n"
    "5;name=value\r\nhello\r\n"
    "1\r\n \r\n"
    "A\r\n0123456789\r\n"
    "0;last\r\n"
    "X-T: trailer\r\n"
    "\r\n";

TEST(ResponseParser, ChunkedEverySplitAndByteByByte) {
    for (size_t cut = 0; cut <= kChunked.size(); ++cut) {
        ResponseParser p;
        p.feed(kChunked.data(), cut);
        p.feed(kChunked.data() + cut, kChunked.size() - cut);
        ASSERT_TRUE(p.done()) << "split at " << cut << ": " << p.error();
        EXPECT_EQ(p.response().body, "hello 0123456789") << cut;
    }
    ResponseParser p;
    for (char c : kChunked) p.feed(&c, 1);
    ASSERT_TRUE(p.done()) << p.error();
    EXPECT_EQ(p.response().body, "hello 0123456789");
}

TEST(ResponseParser, ChunkedWithoutTrailers) {
    auto p = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", {}, false, false);
    ASSERT_TRUE(p.done()) << p.error();
    EXPECT_EQ(p.response().body, "abc");
}

TEST(ResponseParser, ChunkedUpperHexAndCaseOfCoding) {
    auto p = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", {}, false,
                   false);
    ASSERT_TRUE(p.done()) << p.error();
    EXPECT_EQ(p.response().body, "0123456789");
}

TEST(ResponseParser, ChunkedWinsOverContentLength) {
    auto p = parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                   {}, false, false);
    ASSERT_TRUE(p.done()) << p.error();
    EXPECT_EQ(p.response().body, "ok");
}

TEST(ResponseParser, ChunkedErrors) {
    const char* bad[] = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",  // no CRLF after data
    };
    for (const char* w : bad) {
        auto p = parse(w, {}, false, false);
        EXPECT_TRUE(p.failed()) << w;
    }
    auto p = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", {}, false, false);
    EXPECT_NE(p.error().find("invalid chunk size"), std::string::npos) << p.error();
}

TEST(ResponseParser, ChunkedTruncatedByEof) {
    auto p = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
    EXPECT_TRUE(p.failed());
    EXPECT_NE(p.error().find("chunked"), std::string::npos) << p.error();
    auto q = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    EXPECT_TRUE(q.failed());
}

TEST(ResponseParser, ChunkSizeLineCap) {
    std::string w = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + std::string(5000, 'e');
    auto p = parse(w, {}, false, false);
    EXPECT_TRUE(p.failed());
}

TEST(ResponseParser, InterimResponses) {
    auto p = parse(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        {}, false, false);
    ASSERT_TRUE(p.done()) << p.error();
    EXPECT_EQ(p.response().status, 200);
    EXPECT_EQ(p.response().body, "ok");
    EXPECT_EQ(p.response().header("Link"), nullptr);  // interim headers dropped
}

TEST(ResponseParser, NoBodyStatuses) {
    for (const char* w : {"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                          "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"}) {
        auto p = parse(w, {}, false, false);
        ASSERT_TRUE(p.done()) << w;
        EXPECT_EQ(p.response().body, "");
    }
}

TEST(ResponseParser, HeadRequest) {
    auto p = parse("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", {}, true, false);
    ASSERT_TRUE(p.done());
    EXPECT_EQ(p.response().body, "");
    auto q = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", {}, true, false);
    ASSERT_TRUE(q.done());
}

TEST(ResponseParser, UntilClose) {
    ResponseParser p;
    std::string w = "HTTP/1.0 200 OK\r\n\r\nsome body";
    p.feed(w.data(), w.size());
    EXPECT_FALSE(p.done());
    p.feed_eof();
    ASSERT_TRUE(p.done());
    EXPECT_EQ(p.response().body, "some body");
}

TEST(ResponseParser, ContentLengthVariants) {
    auto ok = parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", {}, false, false);
    ASSERT_TRUE(ok.done()) << ok.error();
    auto same = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", {}, false, false);
    ASSERT_TRUE(same.done()) << same.error();
    auto zero = parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", {}, false, false);
    ASSERT_TRUE(zero.done());
    EXPECT_EQ(zero.response().body, "");
    EXPECT_EQ(zero.state(), State::Done);
}

TEST(ResponseParser, ContentLengthErrors) {
    const char* bad[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nxx",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nxx",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 1,\r\n\r\nx",
    };
    for (const char* w : bad) {
        auto p = parse(w, {}, false, false);
        EXPECT_TRUE(p.failed()) << w;
        EXPECT_NE(p.error().find("Content-Length"), std::string::npos) << p.error();
    }
}

TEST(ResponseParser, ShortBodyAtEof) {
    auto p = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    ASSERT_TRUE(p.failed());
    EXPECT_NE(p.error().find("3 of 10"), std::string::npos) << p.error();
}

TEST(ResponseParser, ExtraBytesAfterBodyIgnored) {
    auto p = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", {}, false, false);
    ASSERT_TRUE(p.done());
    EXPECT_EQ(p.response().body, "ok");
}

TEST(ResponseParser, StatusLines) {
    EXPECT_TRUE(parse("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").done());  // empty reason
    EXPECT_TRUE(parse("HTTP/1.0 404 Not Found\r\n\r\n").done());
    EXPECT_TRUE(parse("HTTP/1.1 200 OK\nContent-Length: 0\n\n").done());  // bare LF
    EXPECT_EQ(parse("HTTP/1.1 599 Odd\r\n\r\n").response().status, 599);
    for (const char* w :
         {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "http/1.1 200 OK\r\n\r\n",
          "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n", "\x00\xff garbage\r\n\r\n", "SSH-2.0-OpenSSH\r\n"}) {
        auto p = parse(w);
        EXPECT_TRUE(p.failed()) << w;
    }
    EXPECT_NE(parse("SSH-2.0-OpenSSH\r\n").error().find("not an HTTP response"), std::string::npos);
}

TEST(ResponseParser, EofStates) {
    EXPECT_EQ(parse("").error(), "connection closed before any response");
    EXPECT_NE(parse("HTTP/1.1 2").error().find("status line"), std::string::npos);
    EXPECT_NE(parse("HTTP/1.1 200 OK\r\nX-A: 1\r\n").error().find("headers"), std::string::npos);
}

TEST(ResponseParser, ObsFoldRejected) {
    auto p = parse("HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\nContent-Length: 0\r\n\r\n");
    ASSERT_TRUE(p.failed());
    EXPECT_NE(p.error().find("folded"), std::string::npos) << p.error();
}

TEST(ResponseParser, MalformedHeaders) {
    for (const char* w : {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "HTTP/1.1 200 OK\r\nBad\x01: x\r\n\r\n"}) {
        EXPECT_TRUE(parse(w).failed()) << w;
    }
}

TEST(ResponseParser, HeaderCap) {
    ParserLimits lim;
    lim.max_header_bytes = 1024;
    // One long line.
    auto p = parse("HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n", lim, false, false);
    ASSERT_TRUE(p.failed());
    EXPECT_NE(p.error().find("headers exceed 1 KiB"), std::string::npos) << p.error();
    // Many short lines adding up.
    std::string w = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 100; ++i) w += "X-H" + std::to_string(i) + ": 0123456789\r\n";
    auto q = parse(w + "\r\n", lim, false, false);
    EXPECT_TRUE(q.failed());
    // Fed byte by byte, the cap still holds (no unbounded buffering).
    ResponseParser r(lim);
    std::string big = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(5000, 'a');
    for (char c : big) r.feed(&c, 1);
    EXPECT_TRUE(r.failed());
    // Just under the cap is fine.
    auto ok = parse("HTTP/1.1 200 OK\r\nX-Big: " + std::string(900, 'a') + "\r\nContent-Length: 0\r\n\r\n", lim);
    EXPECT_TRUE(ok.done()) << ok.error();
}

TEST(ResponseParser, DefaultHeaderCapIs64KiB) {
    auto p = parse("HTTP/1.1 200 OK\r\nX-Big: " + std::string(70000, 'a') + "\r\n\r\n", {}, false, false);
    ASSERT_TRUE(p.failed());
    EXPECT_NE(p.error().find("64 KiB"), std::string::npos) << p.error();
}

TEST(ResponseParser, TooManyHeaders) {
    ParserLimits lim;
    lim.max_headers = 5;
    std::string w = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 6; ++i) w += "X-" + std::to_string(i) + ": v\r\n";
    EXPECT_TRUE(parse(w + "\r\n", lim).failed());
}

TEST(ResponseParser, BodyCap) {
    ParserLimits lim;
    lim.max_body_bytes = 10;
    auto p = parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'), lim, false, false);
    ASSERT_TRUE(p.done()) << p.error();
    EXPECT_TRUE(p.response().body_truncated);
    EXPECT_EQ(p.response().body, std::string(10, 'x'));
    // Done at the cap even before the rest arrives (nothing more is buffered).
    auto q = parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(11, 'x'), lim, false, false);
    ASSERT_TRUE(q.done());
    EXPECT_TRUE(q.response().body_truncated);
    auto c =
        parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n" + std::string(20, 'y') + "\r\n0\r\n\r\n",
              lim, false, false);
    ASSERT_TRUE(c.done());
    EXPECT_TRUE(c.response().body_truncated);
    EXPECT_EQ(c.response().body.size(), 10u);
    auto u = parse("HTTP/1.0 200 OK\r\n\r\n" + std::string(50, 'z'), lim, false, false);
    ASSERT_TRUE(u.done());
    EXPECT_TRUE(u.response().body_truncated);
    // Exactly the cap is not truncated.
    auto e = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + std::string(10, 'x'), lim, false, false);
    ASSERT_TRUE(e.done());
    EXPECT_FALSE(e.response().body_truncated);
}

TEST(SerializeRequest, Basics) {
    hc::http::Request r;
    r.url = *hc::net::parse_url("http://user:pw@h:8080/p?q=1");
    std::string w = *hc::http::serialize_request(r, "ua/1");
    EXPECT_EQ(w.rfind("GET /p?q=1 HTTP/1.1\r\n", 0), 0u) << w;
    EXPECT_NE(w.find("\r\nHost: h:8080\r\n"), std::string::npos) << w;
    EXPECT_NE(w.find("\r\nUser-Agent: ua/1\r\n"), std::string::npos) << w;
    EXPECT_NE(w.find("\r\nAuthorization: Basic dXNlcjpwdw==\r\n"), std::string::npos) << w;
    EXPECT_NE(w.find("\r\nConnection: close\r\n"), std::string::npos) << w;
    EXPECT_EQ(w.find("Content-Length"), std::string::npos) << w;
    EXPECT_EQ(w.substr(w.size() - 4), "\r\n\r\n");
}

TEST(SerializeRequest, PostHeadersReplaced) {
    hc::http::Request r;
    r.method = "POST";
    r.url = *hc::net::parse_url("http://h/report");
    r.body = "{}";
    r.headers = {{"User-Agent", "node-1"}, {"Referer", "abc"}, {"X-Tab", "a\tb"}, {"Content-Length", "99"}};
    std::string w = *hc::http::serialize_request(r, "ua/1");
    EXPECT_NE(w.find("\r\nUser-Agent: node-1\r\n"), std::string::npos) << w;
    EXPECT_EQ(w.find("ua/1"), std::string::npos) << w;
    EXPECT_NE(w.find("\r\nReferer: abc\r\n"), std::string::npos) << w;
    EXPECT_NE(w.find("\r\nX-Tab: a\tb\r\n"), std::string::npos) << w;  // HTAB is allowed in a value
    EXPECT_NE(w.find("\r\nContent-Length: 2\r\n\r\n{}"), std::string::npos) << w;
    EXPECT_EQ(w.find("99"), std::string::npos) << w;
}

// A header that would inject lines is refused: nothing to send, and the
// error names the header but never shows its value.
TEST(SerializeRequest, InjectionRefused) {
    struct Case {
        hc::http::Headers headers;
        std::string ua, expected;
    } cases[] = {
        {{{"X-Bad", "secret\r\nInjected: 1"}},
         "ua/1",
         "refusing to send the header X-Bad: control characters in its value"},
        {{{"X-Esc", "secret\x1b[2J"}}, "ua/1", "refusing to send the header X-Esc: control characters in its value"},
        {{{"X-Nul", std::string("secret\0x", 8)}},
         "ua/1",
         "refusing to send the header X-Nul: control characters in its value"},
        {{{"X-Bad\r\nInjected", "1"}},
         "ua/1",
         "refusing to send the header [X-Bad\\x0d\\x0aInjected]: not a valid header name"},
        {{{"Bad Name", "1"}}, "ua/1", "refusing to send the header [Bad Name]: not a valid header name"},
        {{{"X-Colon:", "1"}}, "ua/1", "refusing to send the header [X-Colon:]: not a valid header name"},
        {{}, "ua\r\nInjected: 1", "refusing to send the header User-Agent: control characters in its value"},
    };
    for (const auto& c : cases) {
        hc::http::Request r;
        r.url = *hc::net::parse_url("http://h/p");
        r.headers = c.headers;
        auto w = hc::http::serialize_request(r, c.ua);
        ASSERT_FALSE(w.ok()) << *w;
        EXPECT_EQ(w.error(), c.expected);
        EXPECT_EQ(w.error().find("secret"), std::string::npos);
    }
    hc::http::Request r;
    r.url = *hc::net::parse_url("http://h/p");
    r.method = "GET /x HTTP/1.1\r\nX:";
    EXPECT_FALSE(hc::http::serialize_request(r, "ua/1").ok());
    EXPECT_TRUE(hc::http::valid_header_value("a\tb c"));
    EXPECT_FALSE(hc::http::valid_header_value("a\x7f"));
    EXPECT_FALSE(hc::http::valid_header_name(""));
}

// keeps_connection: only a whole, framed HTTP/1.1 response without
// "Connection: close" and nothing after it leaves the connection reusable.
TEST(ResponseParser, KeepsConnection) {
    const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    struct Case {
        std::string wire;
        bool head;
        bool keeps;
    } cases[] = {
        {ok, false, true},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, true},
        {"HTTP/1.1 204 No Content\r\n\r\n", false, true},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true, true},  // HEAD: no body follows
        {"HTTP/1.1 100 Continue\r\n\r\n" + ok, false, true},
        {"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, false},
        {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", false, false},
        {"HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 2\r\n\r\nok", false, false},
        {"HTTP/1.1 200 OK\r\n\r\nuntil close", false, false},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx", false, false},
        {ok + "HTTP/1.1 200 OK\r\n", false, false},                        // unasked bytes after the response
        {"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nok", false, false},  // not whole
    };
    for (const auto& c : cases) {
        ResponseParser p = parse(c.wire, {}, c.head, false);
        EXPECT_EQ(p.keeps_connection(), c.keeps) << c.wire;
    }
    ParserLimits small;
    small.max_body_bytes = 1;  // truncated: the rest of the body is still on the wire
    EXPECT_FALSE(parse(ok, small, false, false).keeps_connection());
}

TEST(SerializeRequest, KeepAliveLeavesOutConnectionClose) {
    hc::http::Request r;
    r.url = *hc::net::parse_url("http://h/p");
    r.headers = {{"Connection", "close"}};  // a configured header does not override the choice
    std::string w = *hc::http::serialize_request(r, "ua/1", true);
    EXPECT_EQ(w.find("Connection"), std::string::npos) << w;
    w = *hc::http::serialize_request(r, "ua/1", false);
    EXPECT_NE(w.find("\r\nConnection: close\r\n"), std::string::npos) << w;
}

}  // namespace
