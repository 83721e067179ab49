#pragma once
// The grpc.health.v1.Health/Check unary call over HTTP/2, sans I/O: the
// caller writes take_output() to the connection (h2c or TLS with ALPN h2)
// and feeds what it reads; done() tells when the answer is known. One
// stream (id 1), no server push, flow control never needed (the request
// is tiny and the answer is capped below the initial window).
#include <cstdint>
#include <string>
#include <string_view>

#include "grpc/frame.hpp"
#include "grpc/hpack.hpp"
#include "util/result.hpp"

namespace hc::grpc {

// HealthCheckResponse.ServingStatus.
enum class Serving : int { Unknown = 0, Serving = 1, NotServing = 2, ServiceUnknown = 3 };
// "SERVING", "NOT_SERVING", ... or "status N" for values outside the enum.
std::string serving_name(int status);
// "NOT_FOUND", "UNIMPLEMENTED", ... (gRPC status codes 0-16).
std::string grpc_status_name(int code);

// Service names longer than this are refused (the request stays one
// small frame whatever the server's SETTINGS).
constexpr size_t kMaxServiceName = 1024;
// The most response message bytes (DATA payloads) taken: far below the
// 65535-byte initial window, so no WINDOW_UPDATE is ever due.
constexpr size_t kMaxResponseData = 16 * 1024;
// Header block (HEADERS + CONTINUATION) bytes before decoding.
constexpr size_t kMaxHeaderBlock = 64 * 1024;
// Acknowledgements (SETTINGS, PING) not yet taken by the caller.
constexpr size_t kMaxPendingOutput = 64 * 1024;

// protobuf HealthCheckRequest{service = 1}: the gRPC message (5-byte
// prefix: uncompressed, length) around it.
std::string encode_health_request(std::string_view service);
// One gRPC message (prefix included) holding a HealthCheckResponse: its
// status field (0 when absent, as proto3 says).
Result<int> decode_health_response(std::string_view message);

struct CallOptions {
    std::string authority;  // host[:port], the :authority pseudo-header
    std::string service;    // "" = the server as a whole
    bool tls = false;       // :scheme https
    std::string user_agent;
    long timeout_ms = 0;  // sent as grpc-timeout when > 0
};

struct CallResult {
    bool serving = false;
    int health_status = -1;  // the answer's status, -1 when none came
    int grpc_status = -1;    // grpc-status, -1 when none came
    std::string detail;      // "SERVING", "NOT_SERVING", or why the call failed
    ErrorKind kind = ErrorKind::Other;
};

class HealthCall {
public:
    explicit HealthCall(const CallOptions& options);

    // Bytes due to the server (preface, SETTINGS, the request, then ACKs).
    std::string take_output();
    bool has_output() const { return !out_.empty(); }
    void feed(std::string_view bytes);
    // The server closed the connection.
    void feed_eof();
    bool done() const { return done_; }
    const CallResult& result() const { return result_; }
    // What the call waits for, for timeout messages ("the response headers").
    std::string waiting_for() const;

private:
    void parse_frames();
    void on_frame(const FrameHeader& h, std::string_view payload);
    void on_settings(const FrameHeader& h, std::string_view payload);
    void on_ping(const FrameHeader& h, std::string_view payload);
    void on_goaway(std::string_view payload);
    void on_headers(const FrameHeader& h, std::string_view payload);
    void on_continuation(const FrameHeader& h, std::string_view payload);
    void on_data(const FrameHeader& h, std::string_view payload);
    void on_header_block();
    void finish();
    void fail(std::string why, ErrorKind kind = ErrorKind::Protocol);
    void fail_status(const HeaderList& trailers, int code);

    std::string out_;
    std::string in_;
    HpackDecoder hpack_;
    bool got_settings_ = false;
    bool header_open_ = false;  // CONTINUATION due
    bool block_ends_stream_ = false;
    std::string block_;
    int blocks_ = 0;      // header blocks received on the stream
    std::string status_;  // :status
    HeaderList headers_;  // response headers, then trailers appended
    std::string data_;
    std::string goaway_;  // set when the server sent GOAWAY
    bool done_ = false;
    CallResult result_;
};

}  // namespace hc::grpc
