// gRPC health checking sans I/O: HPACK (RFC 7541 Appendix C examples and
// hostile blocks), the HealthCheck protobuf codec, and the HTTP/2 call
// driven by scripted server bytes.
#include <gtest/gtest.h>

#include "grpc/frame.hpp"
#include "grpc/health.hpp"
#include "grpc/hpack.hpp"

namespace {

using namespace hc::grpc;

std::string hex(const std::string& spaced) {
    std::string out;
    std::string digits;
    for (char c : spaced)
        if (c != ' ') digits.push_back(c);
    for (size_t i = 0; i + 1 < digits.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs pairs(const HeaderList& list) {
    Pairs out;
    for (const auto& h : list) out.emplace_back(h.name, h.value);
    return out;
}

Pairs table(const HpackDecoder& d) {
    Pairs out;
    for (size_t i = 0; i < d.table_entries(); ++i) out.emplace_back(d.table_entry(i).name, d.table_entry(i).value);
    return out;
}

Pairs decode_ok(HpackDecoder& d, const std::string& hexdump) {
    auto r = d.decode(hex(hexdump));
    EXPECT_TRUE(r.ok()) << r.error();
    return r ? pairs(*r) : Pairs{};
}

TEST(Hpack, IntegerEncodingC1) {
    std::string out;
    hpack_put_int(out, 0, 5, 10);
    EXPECT_EQ(out, hex("0a"));
    out.clear();
    hpack_put_int(out, 0, 5, 1337);
    EXPECT_EQ(out, hex("1f9a0a"));
    out.clear();
    hpack_put_int(out, 0, 8, 42);
    EXPECT_EQ(out, hex("2a"));
}

TEST(Hpack, LiteralFieldsC2) {
    HpackDecoder d;
    EXPECT_EQ(decode_ok(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"),
              (Pairs{{"custom-key", "custom-header"}}));
    EXPECT_EQ(d.table_size(), 55u);
    HpackDecoder d2;
    EXPECT_EQ(decode_ok(d2, "040c 2f73 616d 706c 652f 7061 7468"), (Pairs{{":path", "/sample/path"}}));
    EXPECT_EQ(d2.table_entries(), 0u);
    EXPECT_EQ(decode_ok(d2, "1008 7061 7373 776f 7264 0673 6563 7265 74"), (Pairs{{"password", "secret"}}));
    EXPECT_EQ(d2.table_entries(), 0u);
    EXPECT_EQ(decode_ok(d2, "82"), (Pairs{{":method", "GET"}}));
}

const Pairs kReq1{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}};
const Pairs kReq2{{":method", "GET"},
                  {":scheme", "http"},
                  {":path", "/"},
                  {":authority", "www.example.com"},
                  {"cache-control", "no-cache"}};
const Pairs kReq3{{":method", "GET"},
                  {":scheme", "https"},
                  {":path", "/index.html"},
                  {":authority", "www.example.com"},
                  {"custom-key", "custom-value"}};
const Pairs kTable3{{"custom-key", "custom-value"}, {"cache-control", "no-cache"}, {":authority", "www.example.com"}};

TEST(Hpack, RequestsWithoutHuffmanC3) {
    HpackDecoder d;
    EXPECT_EQ(decode_ok(d, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"), kReq1);
    EXPECT_EQ(d.table_size(), 57u);
    EXPECT_EQ(decode_ok(d, "8286 84be 5808 6e6f 2d63 6163 6865"), kReq2);
    EXPECT_EQ(d.table_size(), 110u);
    EXPECT_EQ(decode_ok(d, "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"), kReq3);
    EXPECT_EQ(table(d), kTable3);
    EXPECT_EQ(d.table_size(), 164u);
}

TEST(Hpack, RequestsWithHuffmanC4) {
    HpackDecoder d;
    EXPECT_EQ(decode_ok(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"), kReq1);
    EXPECT_EQ(decode_ok(d, "8286 84be 5886 a8eb 1064 9cbf"), kReq2);
    EXPECT_EQ(decode_ok(d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"), kReq3);
    EXPECT_EQ(table(d), kTable3);
    EXPECT_EQ(d.table_size(), 164u);
}

const std::string kCookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const Pairs kResp1{{":status", "302"},
                   {"cache-control", "private"},
                   {"date", "Mon, 21 Oct 2013 20:13:21 GMT"},
                   {"location", "https://www.example.com"}};
const Pairs kResp2{{":status", "307"},
                   {"cache-control", "private"},
                   {"date", "Mon, 21 Oct 2013 20:13:21 GMT"},
                   {"location", "https://www.example.com"}};
const Pairs kResp3{{":status", "200"},
                   {"cache-control", "private"},
                   {"date", "Mon, 21 Oct 2013 20:13:22 GMT"},
                   {"location", "https://www.example.com"},
                   {"content-encoding", "gzip"},
                   {"set-cookie", kCookie}};
const Pairs kRespTable2{{":status", "307"},
                        {"location", "https://www.example.com"},
                        {"date", "Mon, 21 Oct 2013 20:13:21 GMT"},
                        {"cache-control", "private"}};
const Pairs kRespTable3{
    {"set-cookie", kCookie}, {"content-encoding", "gzip"}, {"date", "Mon, 21 Oct 2013 20:13:22 GMT"}};

// C.5 and C.6 run with a 256-byte table, so entries are evicted.
TEST(Hpack, ResponsesWithoutHuffmanC5) {
    HpackDecoder d(256);
    EXPECT_EQ(decode_ok(d,
                        "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 "
                        "303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 "
                        "6f6d"),
              kResp1);
    EXPECT_EQ(d.table_size(), 222u);
    EXPECT_EQ(decode_ok(d, "4803 3330 37c1 c0bf"), kResp2);
    EXPECT_EQ(table(d), kRespTable2);
    EXPECT_EQ(d.table_size(), 222u);
    EXPECT_EQ(decode_ok(d,
                        "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 "
                        "5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 "
                        "5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31"),
              kResp3);
    EXPECT_EQ(table(d), kRespTable3);
    EXPECT_EQ(d.table_size(), 215u);
}

TEST(Hpack, ResponsesWithHuffmanC6) {
    HpackDecoder d(256);
    EXPECT_EQ(decode_ok(d,
                        "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b "
                        "ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"),
              kResp1);
    EXPECT_EQ(decode_ok(d, "4883 640e ffc1 c0bf"), kResp2);
    EXPECT_EQ(table(d), kRespTable2);
    EXPECT_EQ(decode_ok(d,
                        "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad "
                        "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 "
                        "65c0 03ed 4ee5 b106 3d50 07"),
              kResp3);
    EXPECT_EQ(table(d), kRespTable3);
    EXPECT_EQ(d.table_size(), 215u);
}

TEST(Hpack, SizeUpdateEvictsAndIsBounded) {
    HpackDecoder d;
    decode_ok(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");
    EXPECT_EQ(d.table_entries(), 1u);
    EXPECT_EQ(decode_ok(d, "20 82"), (Pairs{{":method", "GET"}}));  // size 0, then a field
    EXPECT_EQ(d.table_entries(), 0u);
    // Above our SETTINGS_HEADER_TABLE_SIZE (4096): 0x3f e1 1f = 31 + 0x0fe1 = 4096 + 1.
    EXPECT_FALSE(HpackDecoder().decode(hex("3f e2 1f")).ok());
    EXPECT_TRUE(HpackDecoder().decode(hex("3f e1 1f")).ok());
    // Only at the start of a block.
    EXPECT_FALSE(HpackDecoder().decode(hex("82 20")).ok());
}

TEST(Hpack, HostileBlocksFailCleanly) {
    const char* bad[] = {
        "80",                    // index 0
        "be",                    // dynamic index 62 in an empty table
        "ff ff ff ff ff ff 01",  // integer far too large
        "ff 80",                 // integer cut short
        "04 05 2f",              // string longer than the block
        "04 81 ff",              // Huffman: 8 bits of padding
        "04 84 ff ff ff ff",     // Huffman: EOS (30 ones) inside the string
        "04 81 00",              // Huffman: padding not all ones ('0' = 00000, then 000)
        "40",                    // literal name missing
    };
    for (const char* b : bad) {
        HpackDecoder d;
        auto r = d.decode(hex(b));
        EXPECT_FALSE(r.ok()) << b;
        if (!r) {
            EXPECT_EQ(r.kind(), hc::ErrorKind::Protocol) << b;
        }
    }
}

TEST(Hpack, HeaderListIsBounded) {
    HpackDecoder d(4096, 100);
    std::string block;
    for (int i = 0; i < 3; ++i) hpack_put_literal(block, "x-a", std::string(20, 'v'));
    auto r = d.decode(block);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("larger than 100"), std::string::npos);
}

TEST(Hpack, HuffmanAllBytesRoundTripFromCanonicalCode) {
    // "www.example.com" (C.4.1) and "no-cache" (C.4.2).
    EXPECT_EQ(*huffman_decode(hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff")), "www.example.com");
    EXPECT_EQ(*huffman_decode(hex("a8eb 1064 9cbf")), "no-cache");
    EXPECT_EQ(*huffman_decode(""), "");
}

TEST(GrpcHealth, RequestMessageBytes) {
    EXPECT_EQ(encode_health_request(""), std::string("\0\0\0\0\0", 5));
    EXPECT_EQ(encode_health_request("svc"), std::string("\0\0\0\0\x05\x0a\x03svc", 10));
    std::string long_name(200, 'a');
    std::string m = encode_health_request(long_name);
    EXPECT_EQ(m.size(), 5u + 1 + 2 + 200);
    EXPECT_EQ(m.substr(5, 3), std::string("\x0a\xc8\x01", 3));
}

TEST(GrpcHealth, ResponseMessageDecoding) {
    EXPECT_EQ(*decode_health_response(std::string("\0\0\0\0\x02\x08\x01", 7)), 1);
    EXPECT_EQ(*decode_health_response(std::string("\0\0\0\0\x02\x08\x02", 7)), 2);
    EXPECT_EQ(*decode_health_response(std::string("\0\0\0\0\0", 5)), 0);  // proto3 default: UNKNOWN
    // Unknown fields (varint 2, bytes 3, fixed32 4, fixed64 5) are skipped.
    std::string pb("\x10\x07\x1a\x02hi\x25\1\2\3\4\x29\1\2\3\4\5\6\7\x08\x08\x01", 22);
    std::string msg("\0\0\0\0", 4);
    msg.push_back(static_cast<char>(pb.size()));
    EXPECT_EQ(*decode_health_response(msg + pb), 1);
    EXPECT_FALSE(decode_health_response(std::string("\1\0\0\0\x02\x08\x01", 7)).ok());  // compressed
    EXPECT_FALSE(decode_health_response(std::string("\0\0\0\0\x03\x08\x01", 7)).ok());  // short
    EXPECT_FALSE(decode_health_response(std::string("\0\0\0\0\x02\x08\x81", 7)).ok());  // cut varint
    EXPECT_FALSE(decode_health_response(std::string("\0\0\0\0\x02\x0a\x05", 7)).ok());  // bytes past end
    EXPECT_FALSE(decode_health_response(std::string("\0\0\0", 3)).ok());
}

// A scripted server.
std::string frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
    std::string out;
    put_frame(out, type, flags, stream, payload);
    return out;
}

std::string settings() { return frame(kSettings, 0, 0, std::string("\0\x03\0\0\0\x64", 6)); }
std::string response_headers() {
    std::string block;
    hpack_put_indexed(block, 8);  // :status 200
    hpack_put_literal(block, 31, "application/grpc");
    return frame(kHeaders, kEndHeaders, 1, block);
}
std::string answer(int status) {
    std::string msg("\0\0\0\0\x02\x08", 6);
    msg.push_back(static_cast<char>(status));
    return frame(kData, 0, 1, msg);
}
std::string trailers(const std::string& code, const std::string& message = "", bool only = false) {
    std::string block;
    if (only) hpack_put_indexed(block, 8);  // trailers-only: :status 200 too
    hpack_put_literal(block, "grpc-status", code);
    if (!message.empty()) hpack_put_literal(block, "grpc-message", message);
    return frame(kHeaders, kEndHeaders | kEndStream, 1, block);
}

CallOptions options() {
    CallOptions o;
    o.authority = "127.0.0.1:50051";
    o.service = "svc";
    o.user_agent = "healthcheck/test";
    o.timeout_ms = 1500;
    return o;
}

TEST(GrpcCall, RequestBytes) {
    HealthCall call(options());
    std::string out = call.take_output();
    ASSERT_EQ(out.substr(0, kClientPreface.size()), kClientPreface);
    std::string_view rest = std::string_view(out).substr(kClientPreface.size());
    FrameHeader s = parse_frame_header(rest);
    EXPECT_EQ(s.type, kSettings);
    rest.remove_prefix(kFrameHeaderSize + s.length);
    FrameHeader h = parse_frame_header(rest);
    EXPECT_EQ(h.type, kHeaders);
    EXPECT_EQ(h.stream, 1u);
    EXPECT_EQ(h.flags, kEndHeaders);
    HpackDecoder d;
    auto headers = d.decode(rest.substr(kFrameHeaderSize, h.length));
    ASSERT_TRUE(headers.ok()) << headers.error();
    EXPECT_EQ(pairs(*headers), (Pairs{{":method", "POST"},
                                      {":scheme", "http"},
                                      {":path", "/grpc.health.v1.Health/Check"},
                                      {":authority", "127.0.0.1:50051"},
                                      {"content-type", "application/grpc"},
                                      {"te", "trailers"},
                                      {"user-agent", "healthcheck/test"},
                                      {"grpc-timeout", "1500m"}}));
    rest.remove_prefix(kFrameHeaderSize + h.length);
    FrameHeader data = parse_frame_header(rest);
    EXPECT_EQ(data.type, kData);
    EXPECT_EQ(data.flags, kEndStream);
    EXPECT_EQ(rest.substr(kFrameHeaderSize), encode_health_request("svc"));
    EXPECT_FALSE(call.has_output());
}

TEST(GrpcCall, ServingFedByteByByte) {
    HealthCall call(options());
    call.take_output();
    std::string server = settings() + frame(kPing, 0, 0, "12345678") + response_headers() + answer(1) + trailers("0");
    for (char c : server) call.feed(std::string_view(&c, 1));
    ASSERT_TRUE(call.done());
    EXPECT_TRUE(call.result().serving) << call.result().detail;
    EXPECT_EQ(call.result().detail, "SERVING");
    // SETTINGS acknowledged, PING answered with the same payload.
    EXPECT_EQ(call.take_output(), frame(kSettings, kAck, 0, "") + frame(kPing, kAck, 0, "12345678"));
}

TEST(GrpcCall, NotServingAndUnknown) {
    for (int status : {0, 2, 3}) {
        HealthCall call(options());
        call.feed(settings() + response_headers() + answer(status) + trailers("0"));
        ASSERT_TRUE(call.done());
        EXPECT_FALSE(call.result().serving);
        EXPECT_EQ(call.result().health_status, status);
        EXPECT_EQ(call.result().detail, serving_name(status));
    }
}

TEST(GrpcCall, TrailersOnlyErrorWithEscapedMessage) {
    HealthCall call(options());
    std::string block;
    hpack_put_indexed(block, 8);
    hpack_put_literal(block, "grpc-status", "5");
    hpack_put_literal(block, "grpc-message", "unknown service %22svc%22%0A\x1b[31m");
    call.feed(settings() + frame(kHeaders, kEndHeaders | kEndStream, 1, block));
    ASSERT_TRUE(call.done());
    EXPECT_FALSE(call.result().serving);
    EXPECT_EQ(call.result().grpc_status, 5);
    EXPECT_EQ(call.result().detail, "grpc-status 5 NOT_FOUND: unknown service \"svc\"\\x0a\\x1b[31m");
}

TEST(GrpcCall, HeadersSplitOverContinuation) {
    HealthCall call(options());
    std::string block;
    hpack_put_indexed(block, 8);
    hpack_put_literal(block, 31, "application/grpc");
    std::string server = settings() + frame(kHeaders, 0, 1, block.substr(0, 3)) +
                         frame(kContinuation, 0, 1, block.substr(3, 4)) +
                         frame(kContinuation, kEndHeaders, 1, block.substr(7)) + answer(1) + trailers("0");
    call.feed(server);
    ASSERT_TRUE(call.done());
    EXPECT_TRUE(call.result().serving) << call.result().detail;
    // Another frame inside an open block is a protocol error.
    HealthCall broken(options());
    broken.feed(settings() + frame(kHeaders, 0, 1, block.substr(0, 3)) + frame(kPing, 0, 0, "12345678"));
    ASSERT_TRUE(broken.done());
    EXPECT_NE(broken.result().detail.find("CONTINUATION expected"), std::string::npos);
}

TEST(GrpcCall, PaddedFramesAndWindowUpdates) {
    HealthCall call(options());
    std::string block;
    hpack_put_indexed(block, 8);
    std::string padded_headers = std::string(1, '\x02') + block + "pp";
    std::string msg("\0\0\0\0\x02\x08\x01", 7);
    std::string padded_data = std::string(1, '\x03') + msg + "ppp";
    call.feed(settings() + frame(kWindowUpdate, 0, 0, std::string("\0\0\x10\0", 4)) +
              frame(kHeaders, kEndHeaders | kPadded, 1, padded_headers) + frame(kData, kPadded, 1, padded_data) +
              frame(kPriority, 0, 1, std::string(5, '\0')) + frame(0xee, 0, 0, "unknown") + trailers("0"));
    ASSERT_TRUE(call.done());
    EXPECT_TRUE(call.result().serving) << call.result().detail;
}

TEST(GrpcCall, Failures) {
    struct Case {
        std::string server;
        std::string want;  // substring of the detail
    };
    std::string big(kMaxFrameSize + 1, 'x');
    std::vector<Case> cases = {
        {"HTTP/1.1 400 Bad Request\r\n\r\n", "HTTP/1.x"},
        {response_headers(), "first frame is not SETTINGS"},
        {settings() + frame(kRstStream, 0, 1, std::string("\0\0\0\x07", 4)), "RST_STREAM REFUSED_STREAM"},
        {settings() + frame(kGoaway, 0, 0, std::string("\0\0\0\0\0\0\0\x0b", 8) + "calm"),
         "GOAWAY (ENHANCE_YOUR_CALM: calm) without processing"},
        {settings() + frame(kData, 0, 1, big), "FRAME_SIZE_ERROR"},
        {settings() + trailers("12", "", true), "UNIMPLEMENTED"},
        {settings() + trailers("0", "", true), "answer shorter than"},
        {settings() + response_headers() + answer(1) + frame(kData, kEndStream, 1, ""), "without grpc-status"},
        {settings() +
             frame(kHeaders, kEndHeaders, 1,
                   std::string("\x48\x03"
                               "404",
                               5)) +
             trailers("0"),
         "HTTP/2 status 404"},
        {settings() + frame(kHeaders, kEndHeaders, 1, "\xbe"), "COMPRESSION_ERROR"},
        {settings() + answer(1), "DATA before the response headers"},
        {settings() + frame(kPushPromise, kEndHeaders, 1, std::string("\0\0\0\x02", 4)), "PUSH_PROMISE"},
        {settings() + frame(kPing, 0, 0, "1234"), "malformed PING"},
        {settings() + frame(kSettings, 0, 0, "12345"), "malformed SETTINGS"},
        {settings() + response_headers() + trailers("x1"), "malformed grpc-status"},
    };
    for (const auto& c : cases) {
        HealthCall call(options());
        call.feed(c.server);
        ASSERT_TRUE(call.done()) << c.want;
        EXPECT_FALSE(call.result().serving);
        EXPECT_NE(call.result().detail.find(c.want), std::string::npos) << call.result().detail;
    }
}

TEST(GrpcCall, EofAndWaitingFor) {
    HealthCall call(options());
    EXPECT_EQ(call.waiting_for(), "the server's HTTP/2 SETTINGS");
    call.feed(settings());
    EXPECT_EQ(call.waiting_for(), "the response headers");
    call.feed(response_headers());
    EXPECT_EQ(call.waiting_for(), "the response trailers");
    EXPECT_FALSE(call.done());
    call.feed_eof();
    ASSERT_TRUE(call.done());
    EXPECT_NE(call.result().detail.find("closed the connection before answering"), std::string::npos);
    // Closed before any SETTINGS: not an HTTP/2 port (or TLS without grpcs://).
    HealthCall plain(options());
    plain.feed_eof();
    ASSERT_TRUE(plain.done());
    EXPECT_NE(plain.result().detail.find("not an HTTP/2 port"), std::string::npos) << plain.result().detail;
    // A graceful GOAWAY that covers our stream lets the call finish.
    HealthCall g(options());
    g.feed(settings() + frame(kGoaway, 0, 0, std::string("\0\0\0\x01\0\0\0\0", 8)) + response_headers() + answer(1) +
           trailers("0"));
    ASSERT_TRUE(g.done());
    EXPECT_TRUE(g.result().serving);
}

TEST(GrpcCall, ResponseDataIsBounded) {
    HealthCall call(options());
    std::string chunk(kMaxFrameSize, 'x');
    call.feed(settings() + response_headers());
    for (int i = 0; i < 2 && !call.done(); ++i) call.feed(frame(kData, 0, 1, chunk));
    ASSERT_TRUE(call.done());
    EXPECT_NE(call.result().detail.find("answer larger than"), std::string::npos);
}

}  // namespace
