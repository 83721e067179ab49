// gRPC health call over HTTP/2 (src/grpc): byte 0 picks the mode.
//   even: the rest is what a server sends, fed to a HealthCall in pieces
//         split at pseudo-random points (HTTP/2 frames, HPACK blocks,
//         the health answer), then EOF;
//   odd:  the rest is a list of HPACK header blocks, each preceded by a
//         length byte, decoded in order by one decoder (the dynamic table
//         carried across blocks).
// Invariants: a finished call has a detail without raw control bytes;
// SERVING only with grpc-status 0 and health status 1; the decoder's table
// stays within its size; the output stays bounded.
#include "fuzz_common.hpp"
#include "grpc/health.hpp"
#include "grpc/hpack.hpp"

namespace {

void check_printable(const std::string& s) {
    for (unsigned char c : s) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
}

void run_call(const uint8_t* data, size_t size, uint64_t seed) {
    hc::grpc::CallOptions o;
    o.authority = "127.0.0.1:50051";
    o.service = "svc";
    hc::grpc::HealthCall call(o);
    hc_fuzz::Rng rng(seed);
    size_t out_total = call.take_output().size();
    for (size_t at = 0; at < size && !call.done();) {
        size_t n = 1 + rng.below(size - at < 64 ? size - at : 64);
        if (n > size - at) n = size - at;
        call.feed(std::string_view(reinterpret_cast<const char*>(data + at), n));
        out_total += call.take_output().size();
        at += n;
    }
    // Acknowledgements never exceed what came in (9-byte frames answered
    // by frames at most as long).
    FUZZ_CHECK(out_total <= 1024 + size);
    call.feed_eof();
    FUZZ_CHECK(call.done());
    const auto& r = call.result();
    FUZZ_CHECK(!r.detail.empty());
    check_printable(r.detail);
    if (r.serving) FUZZ_CHECK(r.grpc_status == 0 && r.health_status == 1 && r.detail == "SERVING");
}

void run_hpack(const uint8_t* data, size_t size) {
    hc::grpc::HpackDecoder d;
    for (size_t at = 0; at < size;) {
        size_t n = data[at++];
        if (n > size - at) n = size - at;
        auto r = d.decode(std::string_view(reinterpret_cast<const char*>(data + at), n));
        at += n;
        FUZZ_CHECK(d.table_size() <= hc::grpc::kHpackTableSize);
        if (!r) {
            FUZZ_CHECK(!r.error().empty());
            return;  // the connection would be closed
        }
        size_t list = 0;
        for (const auto& h : *r) list += h.name.size() + h.value.size() + 32;
        FUZZ_CHECK(list <= hc::grpc::kHpackMaxListSize);
    }
}

}  // namespace

HC_FUZZ_TARGET(grpc_h2) {
    if (size < 1) return 0;
    if (data[0] & 1)
        run_hpack(data + 1, size - 1);
    else
        run_call(data + 1, size - 1, data[0]);
    return 0;
}
