#include "grpc/hpack.hpp"

#include <array>

namespace hc::grpc {
namespace {

// RFC 7541 Appendix A.
struct StaticEntry {
    const char* name;
    const char* value;
};
constexpr StaticEntry kStatic[] = {
    {":authority", ""},
    {":method", "GET"},
    {":method", "POST"},
    {":path", "/"},
    {":path", "/index.html"},
    {":scheme", "http"},
    {":scheme", "https"},
    {":status", "200"},
    {":status", "204"},
    {":status", "206"},
    {":status", "304"},
    {":status", "400"},
    {":status", "404"},
    {":status", "500"},
    {"accept-charset", ""},
    {"accept-encoding", "gzip, deflate"},
    {"accept-language", ""},
    {"accept-ranges", ""},
    {"accept", ""},
    {"access-control-allow-origin", ""},
    {"age", ""},
    {"allow", ""},
    {"authorization", ""},
    {"cache-control", ""},
    {"content-disposition", ""},
    {"content-encoding", ""},
    {"content-language", ""},
    {"content-length", ""},
    {"content-location", ""},
    {"content-range", ""},
    {"content-type", ""},
    {"cookie", ""},
    {"date", ""},
    {"etag", ""},
    {"expect", ""},
    {"expires", ""},
    {"from", ""},
    {"host", ""},
    {"if-match", ""},
    {"if-modified-since", ""},
    {"if-none-match", ""},
    {"if-range", ""},
    {"if-unmodified-since", ""},
    {"last-modified", ""},
    {"link", ""},
    {"location", ""},
    {"max-forwards", ""},
    {"proxy-authenticate", ""},
    {"proxy-authorization", ""},
    {"range", ""},
    {"referer", ""},
    {"refresh", ""},
    {"retry-after", ""},
    {"server", ""},
    {"set-cookie", ""},
    {"strict-transport-security", ""},
    {"transfer-encoding", ""},
    {"user-agent", ""},
    {"vary", ""},
    {"via", ""},
    {"www-authenticate", ""},
};
constexpr uint64_t kStaticCount = sizeof kStatic / sizeof kStatic[0];
constexpr size_t kEntryOverhead = 32;  // RFC 7541 4.1

// Code length of each symbol (RFC 7541 Appendix B; 256 is EOS). The code
// is canonical (codes of one length are consecutive, in symbol order), so
// the lengths alone define it.
constexpr uint8_t kHuffLength[257] = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28,
    28, 28, 28, 6,  10, 10, 12, 13, 6,  8,  11, 10, 10, 8,  11, 8,  6,  6,  6,  5,  5,  5,  6,  6,  6,  6,  6,  6,  6,
    7,  8,  15, 6,  12, 10, 13, 6,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,
    7,  8,  7,  8,  13, 19, 13, 14, 6,  15, 5,  6,  5,  6,  5,  6,  6,  6,  5,  7,  7,  6,  6,  6,  5,  6,  7,  6,  5,
    5,  6,  7,  7,  7,  7,  7,  15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24,
    24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22,
    23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26,
    27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23,
    22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30,
};
constexpr int kHuffMaxBits = 30;
constexpr int kEos = 256;

// Canonical decoding tables: per length, the first code, how many codes
// and where their symbols start in `symbols` (sorted by length, symbol).
struct HuffTables {
    std::array<uint32_t, kHuffMaxBits + 1> first{};
    std::array<uint32_t, kHuffMaxBits + 1> count{};
    std::array<uint16_t, kHuffMaxBits + 1> offset{};
    std::array<uint16_t, 257> symbols{};
};

HuffTables build_huff_tables() {
    HuffTables t;
    for (int s = 0; s < 257; ++s) ++t.count[kHuffLength[s]];
    uint32_t code = 0;
    uint16_t at = 0;
    for (int len = 1; len <= kHuffMaxBits; ++len) {
        code = (code + (len > 1 ? t.count[len - 1] : 0)) << (len > 1 ? 1 : 0);
        t.first[len] = code;
        t.offset[len] = at;
        for (int s = 0; s < 257; ++s)
            if (kHuffLength[s] == len) t.symbols[at++] = static_cast<uint16_t>(s);
    }
    return t;
}

const HuffTables& huff_tables() {
    static const HuffTables t = build_huff_tables();
    return t;
}

// A cursor over one header block; every read is bounds-checked.
struct Reader {
    std::string_view in;
    size_t pos = 0;

    bool empty() const { return pos >= in.size(); }
    uint8_t peek() const { return static_cast<uint8_t>(in[pos]); }

    // RFC 7541 5.1. Values are capped far above anything meaningful here
    // (2^32), so the shift never overflows.
    Result<uint64_t> integer(int prefix_bits) {
        if (empty()) return err("HPACK: integer past the end of the block", ErrorKind::Protocol);
        const uint64_t mask = (1u << prefix_bits) - 1;
        uint64_t value = static_cast<uint8_t>(in[pos++]) & mask;
        if (value < mask) return value;
        for (int shift = 0;; shift += 7) {
            if (empty()) return err("HPACK: integer past the end of the block", ErrorKind::Protocol);
            if (shift > 28) return err("HPACK: integer too large", ErrorKind::Protocol);
            uint8_t b = static_cast<uint8_t>(in[pos++]);
            value += static_cast<uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
        }
        if (value > UINT32_MAX) return err("HPACK: integer too large", ErrorKind::Protocol);
        return value;
    }

    // RFC 7541 5.2.
    Result<std::string> string() {
        if (empty()) return err("HPACK: string past the end of the block", ErrorKind::Protocol);
        bool huffman = (peek() & 0x80) != 0;
        auto len = integer(7);
        if (!len) return len.failure();
        if (*len > in.size() - pos) return err("HPACK: string longer than the block", ErrorKind::Protocol);
        std::string_view raw = in.substr(pos, static_cast<size_t>(*len));
        pos += static_cast<size_t>(*len);
        if (!huffman) return std::string(raw);
        return huffman_decode(raw);
    }
};

}  // namespace

Result<std::string> huffman_decode(std::string_view in) {
    const HuffTables& t = huff_tables();
    std::string out;
    out.reserve(in.size() * 8 / 5 + 1);
    uint32_t code = 0;
    int len = 0;
    for (char byte : in) {
        for (int bit = 7; bit >= 0; --bit) {
            code = (code << 1) | ((static_cast<uint8_t>(byte) >> bit) & 1u);
            ++len;
            if (code - t.first[len] < t.count[len]) {
                int sym = t.symbols[t.offset[len] + (code - t.first[len])];
                if (sym == kEos) return err("HPACK: EOS inside a Huffman string", ErrorKind::Protocol);
                out.push_back(static_cast<char>(sym));
                code = 0;
                len = 0;
            } else if (len >= kHuffMaxBits) {
                return err("HPACK: invalid Huffman code", ErrorKind::Protocol);
            }
        }
    }
    // Padding: the most significant bits of EOS (all ones), at most 7.
    if (len > 7 || code != (1u << len) - 1) return err("HPACK: invalid Huffman padding", ErrorKind::Protocol);
    return out;
}

HpackDecoder::HpackDecoder(size_t max_table_size, size_t max_list_size)
    : capacity_(max_table_size), max_capacity_(max_table_size), max_list_size_(max_list_size) {}

Result<Header> HpackDecoder::lookup(uint64_t index) const {
    if (index == 0) return err("HPACK: index 0", ErrorKind::Protocol);
    if (index <= kStaticCount) return Header{kStatic[index - 1].name, kStatic[index - 1].value};
    uint64_t dyn = index - kStaticCount - 1;
    if (dyn >= table_.size())
        return err("HPACK: index " + std::to_string(index) + " beyond the table", ErrorKind::Protocol);
    return table_[static_cast<size_t>(dyn)];
}

void HpackDecoder::evict_to(size_t limit) {
    while (size_ > limit && !table_.empty()) {
        size_ -= table_.back().name.size() + table_.back().value.size() + kEntryOverhead;
        table_.pop_back();
    }
}

// RFC 7541 4.4: an entry larger than the table empties it and is not added.
void HpackDecoder::insert(Header h) {
    size_t entry = h.name.size() + h.value.size() + kEntryOverhead;
    if (entry > capacity_) {
        evict_to(0);
        return;
    }
    evict_to(capacity_ - entry);
    size_ += entry;
    table_.push_front(std::move(h));
}

Result<HeaderList> HpackDecoder::decode(std::string_view block) {
    Reader r{block};
    HeaderList out;
    size_t list_size = 0;
    while (!r.empty()) {
        uint8_t b = r.peek();
        if ((b & 0xe0) == 0x20) {  // 6.3 dynamic table size update
            if (!out.empty()) return err("HPACK: table size update after a header field", ErrorKind::Protocol);
            auto size = r.integer(5);
            if (!size) return size.failure();
            if (*size > max_capacity_)
                return err(
                    "HPACK: table size update to " + std::to_string(*size) + " above " + std::to_string(max_capacity_),
                    ErrorKind::Protocol);
            capacity_ = static_cast<size_t>(*size);
            evict_to(capacity_);
            continue;
        }
        Header h;
        if (b & 0x80) {  // 6.1 indexed
            auto index = r.integer(7);
            if (!index) return index.failure();
            auto found = lookup(*index);
            if (!found) return found.failure();
            h = std::move(*found);
        } else {  // 6.2.1 incremental indexing (01), 6.2.2 without (0000), 6.2.3 never (0001)
            bool indexing = (b & 0xc0) == 0x40;
            auto index = r.integer(indexing ? 6 : 4);
            if (!index) return index.failure();
            if (*index == 0) {
                auto name = r.string();
                if (!name) return name.failure();
                h.name = std::move(*name);
            } else {
                auto found = lookup(*index);
                if (!found) return found.failure();
                h.name = std::move(found->name);
            }
            auto value = r.string();
            if (!value) return value.failure();
            h.value = std::move(*value);
            if (indexing) insert(h);
        }
        list_size += h.name.size() + h.value.size() + kEntryOverhead;
        if (list_size > max_list_size_)
            return err("HPACK: header list larger than " + std::to_string(max_list_size_) + " bytes",
                       ErrorKind::Protocol);
        out.push_back(std::move(h));
    }
    return out;
}

void hpack_put_int(std::string& out, uint8_t first_byte, int prefix_bits, uint64_t value) {
    const uint64_t mask = (1u << prefix_bits) - 1;
    if (value < mask) {
        out.push_back(static_cast<char>(first_byte | value));
        return;
    }
    out.push_back(static_cast<char>(first_byte | mask));
    value -= mask;
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

void hpack_put_indexed(std::string& out, uint64_t static_index) { hpack_put_int(out, 0x80, 7, static_index); }

void hpack_put_literal(std::string& out, uint64_t static_name_index, std::string_view value) {
    hpack_put_int(out, 0x00, 4, static_name_index);
    hpack_put_int(out, 0x00, 7, value.size());
    out.append(value);
}

void hpack_put_literal(std::string& out, std::string_view name, std::string_view value) {
    out.push_back(0x00);
    hpack_put_int(out, 0x00, 7, name.size());
    out.append(name);
    hpack_put_int(out, 0x00, 7, value.size());
    out.append(value);
}

}  // namespace hc::grpc
