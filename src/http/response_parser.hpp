#pragma once
// Incremental, bounded HTTP/1.1 response parser. Bytes go in as they
// arrive (any split), nothing is trusted: the status line and headers are
// capped, Content-Length must be one clean number, chunk sizes are checked
// for overflow, and the body is capped (the rest is dropped, not buffered).
#include <cstddef>
#include <string>

#include "http/message.hpp"

namespace hc::http {

struct ParserLimits {
    size_t max_header_bytes = 64 * 1024;
    size_t max_body_bytes = 1024 * 1024;
    size_t max_headers = 200;
};

class ResponseParser {
public:
    enum class State { StatusLine, Headers, Body, UntilClose, ChunkSize, ChunkData, ChunkEnd, Trailers, Done, Error };

    explicit ResponseParser(const ParserLimits& limits = {}, bool head_request = false)
        : limits_(limits), head_request_(head_request) {}

    // Consumes bytes; stops early once Done or Error.
    void feed(const char* data, size_t len);
    // The peer closed the connection.
    void feed_eof();

    State state() const { return state_; }
    bool done() const { return state_ == State::Done; }
    bool failed() const { return state_ == State::Error; }
    bool headers_complete() const { return state_ > State::Headers; }
    const std::string& error() const { return error_; }
    Response& response() { return response_; }
    // Done, and the connection may carry another request: HTTP/1.1, no
    // "Connection: close", the body framed (length, chunked or none) and read
    // whole, nothing sent after it.
    bool keeps_connection() const;

private:
    void parse_lines();
    bool take_line(std::string& line);
    void on_status_line(const std::string& line);
    void on_header_line(const std::string& line);
    void on_headers_end();
    void on_chunk_size(const std::string& line);
    void on_trailer_line(const std::string& line);
    size_t consume_body(const char* data, size_t len);
    void append_body(const char* data, size_t len);
    void reserve_body(unsigned long long expected);
    void fail(std::string why);

    ParserLimits limits_;
    bool head_request_;
    State state_ = State::StatusLine;
    std::string line_buf_;
    size_t header_bytes_ = 0;
    unsigned long long remaining_ = 0;  // body or chunk bytes still expected
    bool http11_ = false;
    bool until_close_ = false;  // body delimited by the connection's end
    bool excess_ = false;       // bytes after the response
    Response response_;
    std::string error_;
};

}  // namespace hc::http
