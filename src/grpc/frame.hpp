#pragma once
// HTTP/2 framing (RFC 9113 section 4 and 6) for a single client stream:
// frame header codec, frame builders and names for error codes. Pure
// functions over bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hc::grpc {

constexpr std::string_view kClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr size_t kFrameHeaderSize = 9;
// SETTINGS_MAX_FRAME_SIZE's default, which the client never raises: a
// larger frame from the server is a FRAME_SIZE_ERROR.
constexpr uint32_t kMaxFrameSize = 16384;

enum FrameType : uint8_t {
    kData = 0,
    kHeaders = 1,
    kPriority = 2,
    kRstStream = 3,
    kSettings = 4,
    kPushPromise = 5,
    kPing = 6,
    kGoaway = 7,
    kWindowUpdate = 8,
    kContinuation = 9,
};

enum FrameFlag : uint8_t {
    kEndStream = 0x1,  // DATA, HEADERS
    kAck = 0x1,        // SETTINGS, PING
    kEndHeaders = 0x4,
    kPadded = 0x8,
    kPriorityFlag = 0x20,
};

enum SettingId : uint16_t {
    kSettingsHeaderTableSize = 1,
    kSettingsEnablePush = 2,
    kSettingsMaxConcurrentStreams = 3,
    kSettingsInitialWindowSize = 4,
    kSettingsMaxFrameSize = 5,
    kSettingsMaxHeaderListSize = 6,
};

struct FrameHeader {
    uint32_t length = 0;  // 24 bits
    uint8_t type = 0;
    uint8_t flags = 0;
    uint32_t stream = 0;  // 31 bits, reserved bit cleared
};

// Reads the 9-byte header at the start of `in` (which must hold 9 bytes).
FrameHeader parse_frame_header(std::string_view in);
// Appends a frame: header + payload.
void put_frame(std::string& out, uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload);
void put_u32(std::string& out, uint32_t v);
uint32_t get_u32(std::string_view in, size_t at);

// "PROTOCOL_ERROR", ... or "error 0x1f" for codes outside RFC 9113 7.
std::string h2_error_name(uint32_t code);

}  // namespace hc::grpc
