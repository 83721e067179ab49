#include "grpc/frame.hpp"

namespace hc::grpc {

uint32_t get_u32(std::string_view in, size_t at) {
    auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(in[at + i])); };
    return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

void put_u32(std::string& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

FrameHeader parse_frame_header(std::string_view in) {
    FrameHeader h;
    h.length = get_u32(in, 0) >> 8;
    h.type = static_cast<uint8_t>(in[3]);
    h.flags = static_cast<uint8_t>(in[4]);
    h.stream = get_u32(in, 5) & 0x7fffffffu;
    return h;
}

void put_frame(std::string& out, uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
    auto len = static_cast<uint32_t>(payload.size());
    out.push_back(static_cast<char>((len >> 16) & 0xff));
    out.push_back(static_cast<char>((len >> 8) & 0xff));
    out.push_back(static_cast<char>(len & 0xff));
    out.push_back(static_cast<char>(type));
    out.push_back(static_cast<char>(flags));
    put_u32(out, stream & 0x7fffffffu);
    out.append(payload);
}

std::string h2_error_name(uint32_t code) {
    static const char* const names[] = {
        "NO_ERROR",
        "PROTOCOL_ERROR",
        "INTERNAL_ERROR",
        "FLOW_CONTROL_ERROR",
        "SETTINGS_TIMEOUT",
        "STREAM_CLOSED",
        "FRAME_SIZE_ERROR",
        "REFUSED_STREAM",
        "CANCEL",
        "COMPRESSION_ERROR",
        "CONNECT_ERROR",
        "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY",
        "HTTP_1_1_REQUIRED",
    };
    if (code < sizeof names / sizeof names[0]) return names[code];
    static const char hex[] = "0123456789abcdef";
    std::string out = "error 0x";
    bool started = false;
    for (int shift = 28; shift >= 0; shift -= 4) {
        unsigned digit = (code >> shift) & 0xf;
        if (digit == 0 && !started && shift > 0) continue;
        started = true;
        out.push_back(hex[digit]);
    }
    return out;
}

}  // namespace hc::grpc
