#pragma once
// HPACK (RFC 7541) for one gRPC call: a decoder for whatever a server
// sends (static and dynamic table, Huffman strings, table size updates),
// bounded and never trusting the input, and the few encoders the request
// needs (indexed fields and literals without indexing, no Huffman). Pure
// functions over bytes; the HTTP/2 framing is in grpc/frame, the call in
// grpc/health.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace hc::grpc {

struct Header {
    std::string name;
    std::string value;
};
using HeaderList = std::vector<Header>;

// The dynamic table size we let a server use: HTTP/2's default
// SETTINGS_HEADER_TABLE_SIZE, which the client never raises.
constexpr size_t kHpackTableSize = 4096;
// Decoded header list bound (RFC 7541 sizes: name + value + 32 per field).
constexpr size_t kHpackMaxListSize = 64 * 1024;

class HpackDecoder {
public:
    explicit HpackDecoder(size_t max_table_size = kHpackTableSize, size_t max_list_size = kHpackMaxListSize);

    // Decodes one complete header block (HEADERS + CONTINUATION payloads).
    // An error is a COMPRESSION_ERROR: the table may be out of step with
    // the server's, so the connection must not be used further.
    Result<HeaderList> decode(std::string_view block);

    size_t table_size() const { return size_; }  // RFC 7541 4.1 size
    size_t table_entries() const { return table_.size(); }
    // Entry i of the dynamic table (0 = newest), for tests.
    const Header& table_entry(size_t i) const { return table_[i]; }

private:
    Result<Header> lookup(uint64_t index) const;
    void insert(Header h);
    void evict_to(size_t limit);

    std::deque<Header> table_;  // newest first
    size_t size_ = 0;
    size_t capacity_;      // current maximum (changed by size updates)
    size_t max_capacity_;  // what the protocol allows (our SETTINGS)
    size_t max_list_size_;
};

// Decodes a Huffman-coded string (RFC 7541 5.2, Appendix B): padding must
// be fewer than 8 one bits and EOS must not appear.
Result<std::string> huffman_decode(std::string_view in);

// Encoders for the request (RFC 7541 5.1, 6.1, 6.2.2).
void hpack_put_int(std::string& out, uint8_t first_byte, int prefix_bits, uint64_t value);
void hpack_put_indexed(std::string& out, uint64_t static_index);
// Literal without indexing, name from the static table.
void hpack_put_literal(std::string& out, uint64_t static_name_index, std::string_view value);
// Literal without indexing, new name (lower case).
void hpack_put_literal(std::string& out, std::string_view name, std::string_view value);

}  // namespace hc::grpc
