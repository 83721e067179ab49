#include "grpc/health.hpp"

#include "grpc/frame.hpp"
#include "util/text.hpp"

namespace hc::grpc {
namespace {

constexpr uint32_t kStream = 1;
constexpr std::string_view kPath = "/grpc.health.v1.Health/Check";
// HPACK static table indexes (RFC 7541 Appendix A).
constexpr uint64_t kAuthority = 1, kMethodPost = 3, kPathName = 4, kSchemeHttp = 6, kSchemeHttps = 7, kContentType = 31,
                   kUserAgent = 58;

void put_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

// A protobuf varint at `at`; false when truncated or over 10 bytes.
bool get_varint(std::string_view in, size_t& at, uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (at >= in.size()) return false;
        auto b = static_cast<uint8_t>(in[at++]);
        v |= static_cast<uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) return true;
    }
    return false;
}

const std::string* find_header(const HeaderList& list, std::string_view name) {
    for (const auto& h : list)
        if (h.name == name) return &h.value;
    return nullptr;
}

// grpc-message is percent-encoded (gRPC over HTTP2 spec); shown bounded,
// control bytes escaped by the caller's output path and here alike.
std::string shown_message(const std::string& raw) {
    std::string decoded;
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size() && hex_value(raw[i + 1]) >= 0 && hex_value(raw[i + 2]) >= 0) {
            decoded.push_back(static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2])));
            i += 2;
        } else {
            decoded.push_back(raw[i]);
        }
    }
    std::string shown = escape_control(decoded);
    if (shown.size() > 300) shown.replace(300, std::string::npos, "...");
    return shown;
}

bool parse_status_code(const std::string& text, int& code) {
    if (text.empty() || text.size() > 9) return false;
    code = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        code = code * 10 + (c - '0');
    }
    return true;
}

}  // namespace

std::string serving_name(int status) {
    switch (status) {
        case 0: return "UNKNOWN";
        case 1: return "SERVING";
        case 2: return "NOT_SERVING";
        case 3: return "SERVICE_UNKNOWN";
    }
    return "status " + std::to_string(status);
}

std::string grpc_status_name(int code) {
    static const char* const names[] = {
        "OK",        "CANCELLED",       "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
        "NOT_FOUND", "ALREADY_EXISTS",  "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED",   "OUT_OF_RANGE",    "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
        "DATA_LOSS", "UNAUTHENTICATED",
    };
    if (code >= 0 && code < static_cast<int>(sizeof names / sizeof names[0])) return names[code];
    return "code " + std::to_string(code);
}

std::string encode_health_request(std::string_view service) {
    std::string body;
    if (!service.empty()) {    // proto3: an empty string is not sent
        body.push_back(0x0a);  // field 1, length-delimited
        put_varint(body, service.size());
        body.append(service);
    }
    std::string msg(1, '\0');
    put_u32(msg, static_cast<uint32_t>(body.size()));
    return msg + body;
}

Result<int> decode_health_response(std::string_view message) {
    if (message.size() < 5) return err("gRPC: answer shorter than its 5-byte prefix", ErrorKind::Protocol);
    if (message[0] != 0) return err("gRPC: compressed answer (none was offered)", ErrorKind::Protocol);
    uint32_t len = get_u32(message, 1);
    if (len != message.size() - 5)
        return err("gRPC: answer of " + std::to_string(message.size() - 5) + " bytes, prefix says " +
                       std::to_string(len) + " (exactly one message expected)",
                   ErrorKind::Protocol);
    std::string_view pb = message.substr(5);
    int status = 0;
    for (size_t at = 0; at < pb.size();) {
        uint64_t key = 0, v = 0;
        if (!get_varint(pb, at, key)) return err("gRPC: broken protobuf in the answer", ErrorKind::Protocol);
        switch (key & 7) {
            case 0:
                if (!get_varint(pb, at, v)) return err("gRPC: broken protobuf in the answer", ErrorKind::Protocol);
                if (key >> 3 == 1) status = static_cast<int>(static_cast<int32_t>(v));
                break;
            case 1:
                if (pb.size() - at < 8) return err("gRPC: broken protobuf in the answer", ErrorKind::Protocol);
                at += 8;
                break;
            case 2:
                if (!get_varint(pb, at, v) || v > pb.size() - at)
                    return err("gRPC: broken protobuf in the answer", ErrorKind::Protocol);
                at += static_cast<size_t>(v);
                break;
            case 5:
                if (pb.size() - at < 4) return err("gRPC: broken protobuf in the answer", ErrorKind::Protocol);
                at += 4;
                break;
            default: return err("gRPC: broken protobuf in the answer", ErrorKind::Protocol);
        }
    }
    return status;
}

HealthCall::HealthCall(const CallOptions& options) {
    out_.append(kClientPreface);
    std::string settings;
    settings.push_back(0);
    settings.push_back(static_cast<char>(kSettingsEnablePush));
    put_u32(settings, 0);
    put_frame(out_, kSettings, 0, 0, settings);

    std::string block;
    hpack_put_indexed(block, kMethodPost);
    hpack_put_indexed(block, options.tls ? kSchemeHttps : kSchemeHttp);
    hpack_put_literal(block, kPathName, kPath);
    hpack_put_literal(block, kAuthority, options.authority);
    hpack_put_literal(block, kContentType, "application/grpc");
    hpack_put_literal(block, "te", "trailers");
    if (!options.user_agent.empty()) hpack_put_literal(block, kUserAgent, options.user_agent);
    // The server may stop working on a call nobody waits for any more.
    if (options.timeout_ms > 0) hpack_put_literal(block, "grpc-timeout", std::to_string(options.timeout_ms) + "m");
    put_frame(out_, kHeaders, kEndHeaders, kStream, block);
    put_frame(out_, kData, kEndStream, kStream, encode_health_request(options.service));
}

std::string HealthCall::take_output() {
    std::string out;
    out.swap(out_);
    return out;
}

std::string HealthCall::waiting_for() const {
    if (!got_settings_) return "the server's HTTP/2 SETTINGS";
    if (blocks_ == 0) return "the response headers";
    return "the response trailers";
}

void HealthCall::fail(std::string why, ErrorKind kind) {
    if (done_) return;
    done_ = true;
    result_.serving = false;
    result_.detail = std::move(why);
    result_.kind = kind;
}

void HealthCall::feed(std::string_view bytes) {
    if (done_) return;
    in_.append(bytes);
    // Before the server's SETTINGS: an HTTP/1.x answer means h2c is not spoken.
    if (!got_settings_ && in_.size() >= 5 && in_.compare(0, 5, "HTTP/") == 0) {
        fail("the server answered in HTTP/1.x, not HTTP/2: not a gRPC port (or grpcs:// is needed)");
        return;
    }
    parse_frames();
}

void HealthCall::feed_eof() {
    if (done_) return;
    if (!goaway_.empty())
        fail("the server closed the connection after GOAWAY (" + goaway_ + ") before answering");
    else if (!got_settings_)
        fail(
            "the server closed the connection without HTTP/2 SETTINGS: not an HTTP/2 port (a TLS port needs "
            "grpcs://)");
    else
        fail("the server closed the connection before answering (waiting for " + waiting_for() + ")");
}

void HealthCall::parse_frames() {
    size_t at = 0;
    while (!done_ && in_.size() - at >= kFrameHeaderSize) {
        FrameHeader h = parse_frame_header(std::string_view(in_).substr(at));
        if (h.length > kMaxFrameSize) {
            fail("HTTP/2: frame of " + std::to_string(h.length) + " bytes, more than SETTINGS_MAX_FRAME_SIZE " +
                 std::to_string(kMaxFrameSize) + " (FRAME_SIZE_ERROR)");
            return;
        }
        if (in_.size() - at - kFrameHeaderSize < h.length) break;
        std::string_view payload = std::string_view(in_).substr(at + kFrameHeaderSize, h.length);
        at += kFrameHeaderSize + h.length;
        on_frame(h, payload);
    }
    if (!done_) in_.erase(0, at);
}

void HealthCall::on_frame(const FrameHeader& h, std::string_view payload) {
    if (!got_settings_ && h.type != kSettings) {
        fail("HTTP/2: the server's first frame is not SETTINGS: not an HTTP/2 server");
        return;
    }
    if (header_open_ && h.type != kContinuation) {
        fail("HTTP/2: frame type " + std::to_string(h.type) + " inside a header block (CONTINUATION expected)");
        return;
    }
    switch (h.type) {
        case kSettings: on_settings(h, payload); return;
        case kPing: on_ping(h, payload); return;
        case kGoaway: on_goaway(payload); return;
        case kHeaders: on_headers(h, payload); return;
        case kContinuation: on_continuation(h, payload); return;
        case kData: on_data(h, payload); return;
        case kWindowUpdate:
            if (payload.size() != 4) fail("HTTP/2: WINDOW_UPDATE of " + std::to_string(payload.size()) + " bytes");
            return;
        case kRstStream:
            if (payload.size() != 4 || h.stream == 0) {
                fail("HTTP/2: malformed RST_STREAM");
                return;
            }
            if (h.stream == kStream)
                fail("the server reset the call (RST_STREAM " + h2_error_name(get_u32(payload, 0)) + ")");
            return;
        case kPushPromise: fail("HTTP/2: PUSH_PROMISE although push is disabled"); return;
        default: return;  // PRIORITY and unknown types are ignored (RFC 9113 4.1, 5.5)
    }
}

void HealthCall::on_settings(const FrameHeader& h, std::string_view payload) {
    if (h.stream != 0 || payload.size() % 6 != 0 || ((h.flags & kAck) && !payload.empty())) {
        fail("HTTP/2: malformed SETTINGS frame");
        return;
    }
    if (h.flags & kAck) return;
    got_settings_ = true;
    if (out_.size() > kMaxPendingOutput) {
        fail("HTTP/2: SETTINGS flood (more than " + std::to_string(kMaxPendingOutput) + " bytes of answers pending)");
        return;
    }
    // Nothing the server sets changes this client: its frames are far
    // below any allowed SETTINGS_MAX_FRAME_SIZE, it never adds to the
    // server's HPACK table, and it sends nothing after the request.
    put_frame(out_, kSettings, kAck, 0, {});
}

void HealthCall::on_ping(const FrameHeader& h, std::string_view payload) {
    if (h.stream != 0 || payload.size() != 8) {
        fail("HTTP/2: malformed PING frame");
        return;
    }
    if (h.flags & kAck) return;
    // A server that pings faster than we can answer is not one to wait for.
    if (out_.size() > kMaxPendingOutput) {
        fail("HTTP/2: PING flood (more than " + std::to_string(kMaxPendingOutput) + " bytes of answers pending)");
        return;
    }
    put_frame(out_, kPing, kAck, 0, payload);
}

void HealthCall::on_goaway(std::string_view payload) {
    if (payload.size() < 8) {
        fail("HTTP/2: malformed GOAWAY frame");
        return;
    }
    uint32_t last = get_u32(payload, 0) & 0x7fffffffu;
    std::string debug = printable(payload.substr(8), 200, true);
    goaway_ = h2_error_name(get_u32(payload, 4)) + (debug.empty() ? "" : ": " + debug);
    // A last stream id below ours: the call was never processed.
    if (last < kStream) fail("the server sent GOAWAY (" + goaway_ + ") without processing the call");
}

void HealthCall::on_headers(const FrameHeader& h, std::string_view payload) {
    if (h.stream != kStream) {
        fail("HTTP/2: HEADERS on stream " + std::to_string(h.stream));
        return;
    }
    size_t skip = 0, pad = 0;
    if (h.flags & kPadded) {
        if (payload.empty()) {
            fail("HTTP/2: HEADERS padding past the frame");
            return;
        }
        pad = static_cast<uint8_t>(payload[0]);
        skip = 1;
    }
    if (h.flags & kPriorityFlag) skip += 5;
    if (skip + pad > payload.size()) {
        fail("HTTP/2: HEADERS padding past the frame");
        return;
    }
    if (blocks_ >= 2) {
        fail("HTTP/2: a third header block on the call");
        return;
    }
    block_.assign(payload.substr(skip, payload.size() - skip - pad));
    block_ends_stream_ = (h.flags & kEndStream) != 0;
    header_open_ = !(h.flags & kEndHeaders);
    if (!header_open_) on_header_block();
}

void HealthCall::on_continuation(const FrameHeader& h, std::string_view payload) {
    if (!header_open_ || h.stream != kStream) {
        fail("HTTP/2: CONTINUATION without an open header block");
        return;
    }
    if (block_.size() + payload.size() > kMaxHeaderBlock) {
        fail("HTTP/2: header block larger than " + std::to_string(kMaxHeaderBlock) + " bytes");
        return;
    }
    block_.append(payload);
    header_open_ = !(h.flags & kEndHeaders);
    if (!header_open_) on_header_block();
}

void HealthCall::on_header_block() {
    auto list = hpack_.decode(block_);
    block_.clear();
    if (!list) {
        fail(list.error() + " (COMPRESSION_ERROR)");
        return;
    }
    ++blocks_;
    if (blocks_ == 1) {
        const std::string* status = find_header(*list, ":status");
        if (!status) {
            fail("HTTP/2: response without :status");
            return;
        }
        status_ = *status;
    } else if (!block_ends_stream_) {
        fail("HTTP/2: trailers without END_STREAM");
        return;
    }
    for (auto& h : *list) headers_.push_back(std::move(h));
    if (block_ends_stream_) finish();
}

void HealthCall::on_data(const FrameHeader& h, std::string_view payload) {
    if (h.stream != kStream) {
        fail("HTTP/2: DATA on stream " + std::to_string(h.stream));
        return;
    }
    if (blocks_ != 1) {
        fail(blocks_ == 0 ? "HTTP/2: DATA before the response headers" : "HTTP/2: DATA after the trailers");
        return;
    }
    size_t skip = 0, pad = 0;
    if (h.flags & kPadded) {
        if (payload.empty() || static_cast<uint8_t>(payload[0]) >= payload.size()) {
            fail("HTTP/2: DATA padding past the frame");
            return;
        }
        pad = static_cast<uint8_t>(payload[0]);
        skip = 1;
    }
    if (data_.size() + payload.size() - skip - pad > kMaxResponseData) {
        fail("gRPC: answer larger than " + std::to_string(kMaxResponseData) + " bytes");
        return;
    }
    data_.append(payload.substr(skip, payload.size() - skip - pad));
    if (h.flags & kEndStream) finish();
}

void HealthCall::fail_status(const HeaderList& trailers, int code) {
    const std::string* message = find_header(trailers, "grpc-message");
    std::string why = "grpc-status " + std::to_string(code) + " " + grpc_status_name(code);
    if (message && !message->empty()) why += ": " + shown_message(*message);
    if (code == 12) why += " (the server has no grpc.health.v1.Health service)";
    result_.grpc_status = code;
    fail(why, ErrorKind::Other);
}

// The stream is complete: judge :status, grpc-status, then the answer.
void HealthCall::finish() {
    if (status_ != "200") {
        fail("HTTP/2 status " + printable(status_, 20) + " (want 200): not a gRPC endpoint");
        return;
    }
    const std::string* grpc_status = find_header(headers_, "grpc-status");
    if (!grpc_status) {
        fail("gRPC: the call ended without grpc-status");
        return;
    }
    int code = 0;
    if (!parse_status_code(*grpc_status, code)) {
        fail("gRPC: malformed grpc-status \"" + printable(*grpc_status, 20) + "\"");
        return;
    }
    if (code != 0) {
        fail_status(headers_, code);
        return;
    }
    result_.grpc_status = 0;
    auto status = decode_health_response(data_);
    if (!status) {
        fail(status.error());
        return;
    }
    done_ = true;
    result_.health_status = *status;
    result_.serving = *status == static_cast<int>(Serving::Serving);
    result_.detail = serving_name(*status);
    result_.kind = ErrorKind::Other;
}

}  // namespace hc::grpc
