// DNS message codec: query bytes and hostile/handcrafted replies.
#include <gtest/gtest.h>

#include <random>

#include "net/dns.hpp"

namespace {

using hc::net::dns::Answer;
using hc::net::dns::build_query;
using hc::net::dns::kTypeA;
using hc::net::dns::kTypeAAAA;
using hc::net::dns::parse_response;

using Bytes = std::vector<uint8_t>;

Bytes to_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

void put16(Bytes& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}

// Our query turned into a reply header: flags and ANCOUNT set, question kept.
Bytes reply_to(const std::string& query, uint16_t flags, uint16_t ancount) {
    Bytes b = to_bytes(query);
    b[2] = static_cast<uint8_t>(flags >> 8);
    b[3] = static_cast<uint8_t>(flags);
    b[6] = static_cast<uint8_t>(ancount >> 8);
    b[7] = static_cast<uint8_t>(ancount);
    return b;
}

void record(Bytes& b, const Bytes& owner, uint16_t type, const Bytes& rdata, uint16_t cls = 1) {
    b.insert(b.end(), owner.begin(), owner.end());
    put16(b, type);
    put16(b, cls);
    b.insert(b.end(), {0, 0, 0x0e, 0x10});  // TTL 3600
    put16(b, static_cast<uint16_t>(rdata.size()));
    b.insert(b.end(), rdata.begin(), rdata.end());
}

Answer parse(const Bytes& b, uint16_t id, uint16_t qtype, std::string_view name = {}) {
    return parse_response(b.data(), b.size(), id, qtype, name);
}

const Bytes kPtrQuestion = {0xC0, 0x0C};  // points at the question name
const uint16_t kReply = 0x8180;           // QR RD RA, NOERROR

TEST(DnsQuery, ExactBytesForA) {
    Bytes want = {0x12, 0x34, 0x01, 0x00, 0,   1, 0,   0,   0,   0, 0, 0, 7, 'e', 'x',
                  'a',  'm',  'p',  'l',  'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
    EXPECT_EQ(to_bytes(build_query(0x1234, "example.com", kTypeA)), want);
}

TEST(DnsQuery, AaaaAndTrailingDot) {
    std::string q = build_query(7, "Example.COM.", kTypeAAAA);
    ASSERT_EQ(q.size(), 29u);
    EXPECT_EQ(q.substr(12, 13), std::string("\7Example\3COM\0", 13));
    EXPECT_EQ(static_cast<uint8_t>(q[26]), 28);
}

TEST(DnsQuery, RejectsInvalidNames) {
    std::string l63(63, 'a'), l64(64, 'a');
    EXPECT_EQ(build_query(1, "", kTypeA), "");
    EXPECT_EQ(build_query(1, ".", kTypeA), "");
    EXPECT_EQ(build_query(1, "a..b", kTypeA), "");
    EXPECT_EQ(build_query(1, ".a", kTypeA), "");
    EXPECT_EQ(build_query(1, "a.b..", kTypeA), "");
    EXPECT_EQ(build_query(1, l64 + ".com", kTypeA), "");
    EXPECT_EQ(build_query(1, "a b.com", kTypeA), "");
    EXPECT_EQ(build_query(1, "a\\.b", kTypeA), "");
    EXPECT_NE(build_query(1, l63 + ".com", kTypeA), "");
    std::string n253 = l63 + "." + l63 + "." + l63 + "." + std::string(61, 'b');
    ASSERT_EQ(n253.size(), 253u);
    EXPECT_NE(build_query(1, n253, kTypeA), "");
    EXPECT_NE(build_query(1, n253 + ".", kTypeA), "");
    EXPECT_EQ(build_query(1, n253 + "b", kTypeA), "");
}

TEST(DnsParse, SingleARecordWithCompression) {
    Bytes b = reply_to(build_query(0xBEEF, "example.com", kTypeA), kReply, 1);
    record(b, kPtrQuestion, kTypeA, {93, 184, 216, 34});
    Answer a = parse(b, 0xBEEF, kTypeA, "EXAMPLE.com.");
    ASSERT_TRUE(a.ok()) << a.error;
    EXPECT_FALSE(a.truncated);
    EXPECT_EQ(a.rcode, 0);
    ASSERT_EQ(a.addresses.size(), 1u);
    EXPECT_EQ(Bytes(a.addresses[0].begin(), a.addresses[0].begin() + 4), Bytes({93, 184, 216, 34}));
}

TEST(DnsParse, AaaaRecord) {
    Bytes b = reply_to(build_query(9, "v6.test", kTypeAAAA), kReply, 1);
    Bytes v6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    record(b, kPtrQuestion, kTypeAAAA, v6);
    Answer a = parse(b, 9, kTypeAAAA, "v6.test");
    ASSERT_TRUE(a.ok()) << a.error;
    ASSERT_EQ(a.addresses.size(), 1u);
    EXPECT_EQ(Bytes(a.addresses[0].begin(), a.addresses[0].end()), v6);
}

TEST(DnsParse, CnameChainCollectsAddressesAndSkipsOtherTypes) {
    // www.example.com CNAME edge.cdn.example.com (suffix compressed onto the
    // question), then two A records owned by the CNAME target, one AAAA and
    // one CH-class A that must both be skipped.
    Bytes b = reply_to(build_query(5, "www.example.com", kTypeA), kReply, 5);
    size_t cname_rdata = b.size() + 12;  // owner(2) type class ttl rdlen(10)
    record(b, kPtrQuestion, 5, {4, 'e', 'd', 'g', 'e', 3, 'c', 'd', 'n', 0xC0, 16});
    Bytes target = {0xC0, static_cast<uint8_t>(cname_rdata)};
    record(b, target, kTypeA, {10, 0, 0, 1});
    record(b, target, kTypeAAAA, Bytes(16, 0xAB));
    record(b, target, kTypeA, {10, 0, 0, 9}, /*cls=*/3);
    record(b, target, kTypeA, {10, 0, 0, 2});
    Answer a = parse(b, 5, kTypeA, "www.example.com");
    ASSERT_TRUE(a.ok()) << a.error;
    ASSERT_EQ(a.addresses.size(), 2u);
    EXPECT_EQ(a.addresses[0][3], 1);
    EXPECT_EQ(a.addresses[1][3], 2);
}

TEST(DnsParse, TruncatedFlagStopsAfterQuestion) {
    Bytes b = reply_to(build_query(3, "big.test", kTypeA), kReply | 0x0200, 40);
    b.insert(b.end(), {0xC0, 0x0C, 0, 1});  // a record cut short
    Answer a = parse(b, 3, kTypeA, "big.test");
    EXPECT_TRUE(a.ok()) << a.error;
    EXPECT_TRUE(a.truncated);
    EXPECT_TRUE(a.addresses.empty());
}

TEST(DnsParse, NxDomainIsRcodeNotError) {
    Bytes b = reply_to(build_query(3, "nope.test", kTypeA), kReply | 3, 0);
    Answer a = parse(b, 3, kTypeA, "nope.test");
    EXPECT_TRUE(a.ok()) << a.error;
    EXPECT_EQ(a.rcode, 3);
    EXPECT_TRUE(a.addresses.empty());
}

TEST(DnsParse, ErrorReplyWithoutQuestionAccepted) {
    Bytes b = {0, 3, 0x81, 0x85, 0, 0, 0, 0, 0, 0, 0, 0};  // REFUSED, QDCOUNT 0
    Answer a = parse(b, 3, kTypeA, "x.test");
    EXPECT_TRUE(a.ok()) << a.error;
    EXPECT_EQ(a.rcode, 5);
}

TEST(DnsParse, UnrelatedReplies) {
    std::string q = build_query(0x1111, "a.test", kTypeA);
    Bytes good = reply_to(q, kReply, 1);
    record(good, kPtrQuestion, kTypeA, {1, 2, 3, 4});
    EXPECT_TRUE(parse(good, 0x1111, kTypeA, "a.test").ok());

    Answer wrong_id = parse(good, 0x1112, kTypeA, "a.test");
    EXPECT_TRUE(wrong_id.unrelated);
    EXPECT_FALSE(wrong_id.ok());
    EXPECT_TRUE(wrong_id.addresses.empty());

    Bytes query_echo = reply_to(q, 0x0100, 1);  // QR=0
    record(query_echo, kPtrQuestion, kTypeA, {1, 2, 3, 4});
    EXPECT_TRUE(parse(query_echo, 0x1111, kTypeA, "a.test").unrelated);

    EXPECT_TRUE(parse(good, 0x1111, kTypeA, "b.test").unrelated);     // other name
    EXPECT_TRUE(parse(good, 0x1111, kTypeAAAA, "a.test").unrelated);  // other type

    Bytes two_questions = good;
    two_questions[5] = 2;
    EXPECT_TRUE(parse(two_questions, 0x1111, kTypeA).unrelated);
}

TEST(DnsParse, ShortAndEmptyInput) {
    EXPECT_TRUE(parse_response(nullptr, 0, 0, kTypeA).unrelated);
    Bytes b = reply_to(build_query(0x4242, "short.test", kTypeA), kReply, 2);
    record(b, kPtrQuestion, kTypeA, {1, 1, 1, 1});
    record(b, kPtrQuestion, kTypeA, {2, 2, 2, 2});
    ASSERT_TRUE(parse(b, 0x4242, kTypeA).ok());
    for (size_t len = 0; len < b.size(); ++len) {
        Bytes cut(b.begin(), b.begin() + static_cast<long>(len));
        Answer a = parse(cut, 0x4242, kTypeA);
        EXPECT_FALSE(a.ok()) << "prefix " << len;
        EXPECT_TRUE(a.addresses.empty()) << "prefix " << len;
    }
}

TEST(DnsParse, PointerLoopsTerminate) {
    std::string q = build_query(1, "loop.test", kTypeA);
    Bytes self = reply_to(q, kReply, 1);
    uint8_t at = static_cast<uint8_t>(self.size());
    record(self, {0xC0, at}, kTypeA, {1, 2, 3, 4});  // owner points at itself
    Answer a = parse(self, 1, kTypeA);
    EXPECT_FALSE(a.ok());
    EXPECT_FALSE(a.unrelated);

    Bytes grow = reply_to(q, kReply, 1);  // "x" then a pointer back to "x": x.x.x...
    at = static_cast<uint8_t>(grow.size());
    record(grow, {1, 'x', 0xC0, at}, kTypeA, {1, 2, 3, 4});
    EXPECT_FALSE(parse(grow, 1, kTypeA).ok());

    Bytes pair = reply_to(q, kReply, 1);  // two pointers pointing at each other
    at = static_cast<uint8_t>(pair.size());
    record(pair, {0xC0, static_cast<uint8_t>(at + 2), 0xC0, at}, kTypeA, {1, 2, 3, 4});
    EXPECT_FALSE(parse(pair, 1, kTypeA).ok());

    Bytes outside = reply_to(q, kReply, 1);  // pointer past the end
    record(outside, {0xFF, 0xFF}, kTypeA, {1, 2, 3, 4});
    EXPECT_FALSE(parse(outside, 1, kTypeA).ok());

    Bytes ext_label = reply_to(q, kReply, 1);  // 0x40 label type
    record(ext_label, {0x41, 'a', 0}, kTypeA, {1, 2, 3, 4});
    EXPECT_FALSE(parse(ext_label, 1, kTypeA).ok());
}

TEST(DnsParse, BadRdlength) {
    std::string q4 = build_query(2, "len.test", kTypeA);
    Bytes five = reply_to(q4, kReply, 1);
    record(five, kPtrQuestion, kTypeA, {1, 2, 3, 4, 5});
    EXPECT_FALSE(parse(five, 2, kTypeA).ok());

    Bytes aaaa4 = reply_to(build_query(2, "len.test", kTypeAAAA), kReply, 1);
    record(aaaa4, kPtrQuestion, kTypeAAAA, {1, 2, 3, 4});
    EXPECT_FALSE(parse(aaaa4, 2, kTypeAAAA).ok());

    Bytes past_end = reply_to(q4, kReply, 1);
    record(past_end, kPtrQuestion, kTypeA, {1, 2, 3, 4});
    past_end[past_end.size() - 5] = 0x40;  // rdlength 64 with 4 bytes left
    EXPECT_FALSE(parse(past_end, 2, kTypeA).ok());

    Bytes more_records_claimed = reply_to(q4, kReply, 3);
    record(more_records_claimed, kPtrQuestion, kTypeA, {1, 2, 3, 4});
    EXPECT_FALSE(parse(more_records_claimed, 2, kTypeA).ok());
}

TEST(DnsParse, RejectsUnsupportedQtype) {
    Bytes b = reply_to(build_query(2, "mx.test", 15), kReply, 0);
    EXPECT_FALSE(parse(b, 2, 15).ok());
}

// A cheap stand-in for the fuzzer: random mutations must never crash
// (run under -fsanitize=address,undefined to make that meaningful).
TEST(DnsParse, RandomMutationsAreSafe) {
    Bytes base = reply_to(build_query(0x7777, "fuzz.example.com", kTypeA), kReply, 3);
    uint8_t cname_rdata = static_cast<uint8_t>(base.size() + 12);
    record(base, kPtrQuestion, 5, {3, 'c', 'd', 'n', 0xC0, 17});
    record(base, {0xC0, cname_rdata}, kTypeA, {9, 9, 9, 9});
    record(base, {0xC0, 0x0C}, kTypeA, {8, 8, 8, 8});
    ASSERT_TRUE(parse(base, 0x7777, kTypeA).ok());
    std::mt19937 rng(12345);
    for (int i = 0; i < 20000; ++i) {
        Bytes m = base;
        int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            size_t pos = rng() % m.size();
            switch (rng() % 3) {
                case 0: m[pos] = static_cast<uint8_t>(rng()); break;
                case 1: m.resize(pos + 1); break;
                default: m.insert(m.begin() + static_cast<long>(pos), static_cast<uint8_t>(rng()));
            }
        }
        Answer a = parse(m, 0x7777, (i & 1) ? kTypeA : kTypeAAAA);
        EXPECT_LE(a.addresses.size(), m.size() / 11);
    }
}

}  // namespace
