#include "net/dns.hpp"

#include <cstring>

#include "util/text.hpp"

namespace hc::net::dns {

namespace {

constexpr size_t kHeaderSize = 12;
constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxNameText = 253;  // 255 on the wire
constexpr size_t kMaxNameWire = 255;
// Real messages chain a handful of pointers at most; the cap (with the
// wire-length cap) is what makes a pointer loop terminate.
constexpr int kMaxPointerHops = 32;
constexpr uint16_t kClassIn = 1;
constexpr uint16_t kFlagQr = 0x8000;
constexpr uint16_t kFlagTc = 0x0200;
constexpr uint16_t kFlagRd = 0x0100;

void put_u16(std::string& out, uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xff));
}

bool read_u16(const uint8_t* d, size_t len, size_t off, uint16_t* out) {
    if (off > len || len - off < 2) return false;
    *out = static_cast<uint16_t>(d[off] << 8 | d[off + 1]);
    return true;
}

std::string_view strip_dot(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    return name;
}

bool valid_name_byte(char c) { return c > 0x20 && c < 0x7f && c != '\\'; }

// Appends name as wire labels; false when it is not a valid query name.
bool put_name(std::string& out, std::string_view name) {
    name = strip_dot(name);
    if (name.empty() || name.size() > kMaxNameText) return false;
    size_t start = 0;
    while (start <= name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        std::string_view label = name.substr(start, dot - start);
        if (label.empty() || label.size() > kMaxLabel) return false;
        for (char c : label)
            if (!valid_name_byte(c)) return false;
        out.push_back(static_cast<char>(label.size()));
        out.append(label.data(), label.size());
        start = dot + 1;
    }
    out.push_back('\0');
    return true;
}

// Decodes the (possibly compressed) name at off as lowercase dotted text,
// with '.' and '\' inside labels escaped so "a\.b" never equals "a.b".
// *next is where the name ends in place (after its first pointer, if any).
bool read_name(const uint8_t* d, size_t len, size_t off, std::string* name, size_t* next) {
    name->clear();
    size_t pos = off;
    size_t wire = 1;  // the root label
    bool jumped = false;
    int hops = 0;
    for (;;) {
        if (pos >= len) return false;
        uint8_t b = d[pos];
        if ((b & 0xC0) == 0xC0) {
            if (len - pos < 2) return false;
            if (!jumped) *next = pos + 2;
            jumped = true;
            if (++hops > kMaxPointerHops) return false;
            pos = static_cast<size_t>(b & 0x3F) << 8 | d[pos + 1];
            continue;
        }
        if (b & 0xC0) return false;  // 0x40/0x80: obsolete extended label types
        if (b == 0) {
            if (!jumped) *next = pos + 1;
            return true;
        }
        wire += 1 + b;
        if (wire > kMaxNameWire || len - pos - 1 < b) return false;
        if (!name->empty()) name->push_back('.');
        for (size_t i = 0; i < b; ++i) {
            char c = to_lower(static_cast<char>(d[pos + 1 + i]));
            if (c == '.' || c == '\\') name->push_back('\\');
            name->push_back(c);
        }
        pos += 1 + b;
    }
}

Answer fail(Answer a, const char* why, bool unrelated) {
    a.addresses.clear();
    a.error = why;
    a.unrelated = unrelated;
    return a;
}

// Checks the question echoes ours; returns the offset past it, or 0.
size_t check_question(const uint8_t* d, size_t len, uint16_t qtype, std::string_view expected) {
    std::string qname;
    size_t pos = 0;
    uint16_t type = 0, cls = 0;
    if (!read_name(d, len, kHeaderSize, &qname, &pos)) return 0;
    if (!read_u16(d, len, pos, &type) || !read_u16(d, len, pos + 2, &cls)) return 0;
    if (type != qtype || cls != kClassIn) return 0;
    if (!expected.empty()) {
        std::string want;
        for (char c : strip_dot(expected)) want.push_back(to_lower(c));
        if (qname != want) return 0;
    }
    return pos + 4;
}

// Walks ancount records from pos, collecting class-IN records of qtype.
Answer parse_answers(const uint8_t* d, size_t len, size_t pos, uint16_t ancount, uint16_t qtype, Answer a) {
    const size_t want_len = qtype == kTypeA ? 4 : 16;
    std::string owner;
    for (uint16_t i = 0; i < ancount; ++i) {
        if (!read_name(d, len, pos, &owner, &pos)) return fail(a, "malformed record name", false);
        uint16_t type = 0, cls = 0, rdlen = 0;
        if (!read_u16(d, len, pos, &type) || !read_u16(d, len, pos + 2, &cls) || !read_u16(d, len, pos + 8, &rdlen))
            return fail(a, "record header past end of message", false);
        pos += 10;
        if (len - pos < rdlen) return fail(a, "record data past end of message", false);
        if (type == qtype && cls == kClassIn) {
            if (rdlen != want_len) return fail(a, "address record with wrong length", false);
            std::array<uint8_t, 16> addr{};
            std::memcpy(addr.data(), d + pos, rdlen);
            a.addresses.push_back(addr);
        }
        pos += rdlen;
    }
    return a;
}

}  // namespace

std::string build_query(uint16_t id, const std::string& name, uint16_t qtype) {
    std::string out;
    out.reserve(kHeaderSize + kMaxNameWire + 4);
    put_u16(out, id);
    put_u16(out, kFlagRd);
    put_u16(out, 1);  // QDCOUNT
    put_u16(out, 0);  // ANCOUNT
    put_u16(out, 0);  // NSCOUNT
    put_u16(out, 0);  // ARCOUNT
    if (!put_name(out, name)) return std::string();
    put_u16(out, qtype);
    put_u16(out, kClassIn);
    return out;
}

Answer parse_response(const uint8_t* data, size_t len, uint16_t expected_id, uint16_t qtype,
                      std::string_view expected_name) {
    Answer a;
    if (qtype != kTypeA && qtype != kTypeAAAA) return fail(a, "unsupported query type", false);
    if (data == nullptr || len < kHeaderSize) return fail(a, "short message", true);
    uint16_t id = 0, flags = 0, qdcount = 0, ancount = 0;
    read_u16(data, len, 0, &id);
    read_u16(data, len, 2, &flags);
    read_u16(data, len, 4, &qdcount);
    read_u16(data, len, 6, &ancount);
    if (id != expected_id) return fail(a, "wrong id", true);
    if (!(flags & kFlagQr)) return fail(a, "not a response", true);
    if ((flags >> 11) & 0xF) return fail(a, "unexpected opcode", true);
    a.rcode = flags & 0xF;
    a.truncated = (flags & kFlagTc) != 0;
    // Some servers drop the question from error replies (FORMERR, REFUSED).
    if (qdcount == 0 && a.rcode != kRcodeNoError) return a;
    if (qdcount != 1) return fail(a, "unexpected question count", true);
    size_t pos = check_question(data, len, qtype, expected_name);
    if (pos == 0) return fail(a, "question does not match", true);
    // A truncated message may end mid-record; the TCP retry gets it whole.
    if (a.truncated || a.rcode != kRcodeNoError) return a;
    return parse_answers(data, len, pos, ancount, qtype, a);
}

}  // namespace hc::net::dns
