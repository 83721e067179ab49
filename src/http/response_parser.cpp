#include "http/response_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "util/text.hpp"

namespace hc::http {
namespace {

bool is_token_char(unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// HTTP's optional whitespace (RFC 9110 5.6.3) is space and tab only.
std::string trim_ows(std::string_view s) { return std::string(trim_view(s, " \t")); }

// Parses a decimal Content-Length; a list "5, 5" is accepted only when all
// values agree (RFC 9110 8.6), anything else is a framing error.
bool parse_content_length(std::string_view v, unsigned long long& out) {
    bool have = false;
    unsigned long long value = 0;
    size_t pos = 0;
    while (pos <= v.size()) {
        auto comma = v.find(',', pos);
        auto item = trim_ows(v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
        if (item.empty() || item.size() > 18) return false;
        unsigned long long n = 0;
        for (char c : item) {
            if (c < '0' || c > '9') return false;
            n = n * 10 + static_cast<unsigned>(c - '0');
        }
        if (have && n != value) return false;
        value = n;
        have = true;
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    out = value;
    return have;
}

bool contains_token(const std::string& value, std::string_view token) {
    size_t pos = 0;
    while (pos <= value.size()) {
        auto comma = value.find(',', pos);
        auto item =
            trim_ows(std::string_view(value).substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        if (iequals(item, token)) return true;
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return false;
}

}  // namespace

void ResponseParser::fail(std::string why) {
    if (state_ == State::Error) return;
    state_ = State::Error;
    error_ = std::move(why);
}

void ResponseParser::feed(const char* data, size_t len) {
    while (len > 0 && state_ != State::Done && state_ != State::Error) {
        if (state_ == State::Body || state_ == State::UntilClose || state_ == State::ChunkData) {
            size_t used = consume_body(data, len);
            data += used;
            len -= used;
            continue;
        }
        // Line-oriented states: take bytes up to and including the next LF.
        const char* lf = static_cast<const char*>(std::memchr(data, '\n', len));
        size_t take = lf ? static_cast<size_t>(lf - data) + 1 : len;
        size_t cap = state_ == State::ChunkSize || state_ == State::ChunkEnd ? 1024 : limits_.max_header_bytes;
        if (line_buf_.size() + take > cap) {
            fail(state_ == State::ChunkSize
                     ? "chunk size line too long"
                     : "response headers exceed " + std::to_string(limits_.max_header_bytes / 1024) + " KiB");
            return;
        }
        line_buf_.append(data, take);
        data += take;
        len -= take;
        if (lf) parse_lines();
    }
    if (len > 0 && state_ == State::Done) excess_ = true;
}

bool ResponseParser::keeps_connection() const {
    if (!done() || !http11_ || until_close_ || excess_ || response_.body_truncated) return false;
    const std::string* connection = response_.header("Connection");
    return !connection || !contains_token(*connection, "close");
}

bool ResponseParser::take_line(std::string& line) {
    if (line_buf_.empty() || line_buf_.back() != '\n') return false;
    line.assign(line_buf_, 0, line_buf_.size() - 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    line_buf_.clear();
    return true;
}

void ResponseParser::parse_lines() {
    std::string line;
    if (!take_line(line)) return;
    if (state_ == State::StatusLine || state_ == State::Headers || state_ == State::Trailers) {
        header_bytes_ += line.size() + 2;
        if (header_bytes_ > limits_.max_header_bytes) {
            fail("response headers exceed " + std::to_string(limits_.max_header_bytes / 1024) + " KiB");
            return;
        }
    }
    switch (state_) {
        case State::StatusLine: on_status_line(line); break;
        case State::Headers: on_header_line(line); break;
        case State::ChunkSize: on_chunk_size(line); break;
        case State::ChunkEnd:
            if (!line.empty())
                fail("malformed chunked body: missing CRLF after chunk data");
            else
                state_ = State::ChunkSize;
            break;
        case State::Trailers: on_trailer_line(line); break;
        default: break;
    }
}

void ResponseParser::on_status_line(const std::string& line) {
    // "HTTP/1.1 200 OK"; the reason phrase may be empty.
    if (line.size() < 12 || line.compare(0, 7, "HTTP/1.") != 0 || line[8] != ' ' ||
        !std::isdigit(static_cast<unsigned char>(line[9])) || !std::isdigit(static_cast<unsigned char>(line[10])) ||
        !std::isdigit(static_cast<unsigned char>(line[11])) || (line.size() > 12 && line[12] != ' ')) {
        std::string shown = line.substr(0, 40);
        for (auto& c : shown)
            if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
        fail("not an HTTP response (got \"" + shown + "\")");
        return;
    }
    response_.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    http11_ = line[7] == '1';
    if (response_.status < 100) {
        fail("invalid HTTP status " + std::to_string(response_.status));
        return;
    }
    response_.reason = line.size() > 13 ? line.substr(13) : "";
    response_.headers.clear();
    state_ = State::Headers;
}

void ResponseParser::on_header_line(const std::string& line) {
    if (line.empty()) {
        on_headers_end();
        return;
    }
    if (line[0] == ' ' || line[0] == '\t') {
        fail("obsolete folded header line in response");
        return;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
        fail("malformed header line in response");
        return;
    }
    for (size_t i = 0; i < colon; ++i)
        if (!is_token_char(static_cast<unsigned char>(line[i]))) {
            fail("invalid character in response header name");
            return;
        }
    if (response_.headers.size() >= limits_.max_headers) {
        fail("too many response headers");
        return;
    }
    response_.headers.emplace_back(line.substr(0, colon), trim_ows(std::string_view(line).substr(colon + 1)));
}

void ResponseParser::on_headers_end() {
    int s = response_.status;
    if (s >= 100 && s < 200) {  // interim response (100 Continue): the real one follows
        state_ = State::StatusLine;
        return;
    }
    if (head_request_ || s == 204 || s == 304) {
        state_ = State::Done;
        return;
    }
    if (const auto* te = response_.header("Transfer-Encoding")) {
        // Chunked wins over Content-Length (RFC 9112 6.3); other codings are read until close.
        state_ = contains_token(*te, "chunked") ? State::ChunkSize : State::UntilClose;
        until_close_ = state_ == State::UntilClose;
        reserve_body(limits_.max_body_bytes);
        return;
    }
    const std::string* length = nullptr;
    for (const auto& h : response_.headers) {
        if (!iequals(h.first, "Content-Length")) continue;
        unsigned long long n = 0;
        if (!parse_content_length(h.second, n)) {
            fail("invalid Content-Length \"" + h.second.substr(0, 40) + "\"");
            return;
        }
        if (length) {
            unsigned long long prev = 0;
            parse_content_length(*length, prev);
            if (prev != n) {
                fail("conflicting Content-Length headers");
                return;
            }
        }
        length = &h.second;
        remaining_ = n;
    }
    if (!length) {
        reserve_body(limits_.max_body_bytes);
        state_ = State::UntilClose;
        until_close_ = true;
        return;
    }
    reserve_body(remaining_);
    state_ = remaining_ == 0 ? State::Done : State::Body;
}

void ResponseParser::on_chunk_size(const std::string& line) {
    auto end = line.find(';');  // chunk extensions are ignored
    auto digits = trim_ows(std::string_view(line).substr(0, end));
    if (digits.empty() || digits.size() > 15) {
        fail("invalid chunk size \"" + digits.substr(0, 20) + "\"");
        return;
    }
    unsigned long long n = 0;
    for (char c : digits) {
        int d = hex_value(c);
        if (d < 0) {
            fail("invalid chunk size \"" + digits.substr(0, 20) + "\"");
            return;
        }
        n = n * 16 + static_cast<unsigned>(d);
    }
    remaining_ = n;
    state_ = n == 0 ? State::Trailers : State::ChunkData;
}

void ResponseParser::on_trailer_line(const std::string& line) {
    if (line.empty()) state_ = State::Done;
}

// One allocation up to the cap: growing by doubling would briefly hold the
// old and the new buffer (~2 MiB at a 1 MiB cap). Big reservations come
// from mmap, so untouched pages cost no resident memory.
void ResponseParser::reserve_body(unsigned long long expected) {
    response_.body.reserve(static_cast<size_t>(std::min<unsigned long long>(expected, limits_.max_body_bytes)));
}

void ResponseParser::append_body(const char* data, size_t len) {
    size_t room = limits_.max_body_bytes - response_.body.size();
    if (len > room) {
        response_.body_truncated = true;
        len = room;
    }
    response_.body.append(data, len);
}

size_t ResponseParser::consume_body(const char* data, size_t len) {
    if (state_ == State::UntilClose) {
        append_body(data, len);
        if (response_.body_truncated) state_ = State::Done;
        return len;
    }
    size_t take = remaining_ < len ? static_cast<size_t>(remaining_) : len;
    append_body(data, take);
    remaining_ -= take;
    if (response_.body_truncated) {
        // Enough to judge the check; the rest is never buffered.
        state_ = State::Done;
        return len;
    }
    if (remaining_ == 0) state_ = state_ == State::Body ? State::Done : State::ChunkEnd;
    return take;
}

void ResponseParser::feed_eof() {
    switch (state_) {
        case State::UntilClose: state_ = State::Done; break;
        case State::Done:
        case State::Error: break;
        case State::StatusLine:
            fail(response_.status == 0 && line_buf_.empty() ? "connection closed before any response"
                                                            : "connection closed in the status line");
            break;
        case State::Headers: fail("connection closed in the response headers"); break;
        case State::Body:
            fail("connection closed after " + std::to_string(response_.body.size()) + " of " +
                 std::to_string(response_.body.size() + remaining_) + " body bytes");
            break;
        default: fail("connection closed in the chunked body"); break;
    }
}

}  // namespace hc::http
