#pragma once
// SMTP reply parsing (RFC 5321 section 4.2), kept pure so it can be unit
// tested and fuzzed: feed it lines (without CRLF), one reply at a time.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hc::smtp {

struct Reply {
    int code = 0;
    std::vector<std::string> lines;  // text after "NNN-" / "NNN ", one per line
    // "535 5.7.8 Authentication credentials invalid" (lines joined by "; "),
    // control bytes replaced and cut to a sane length: fit for a log line.
    std::string summary() const;
};

class ReplyParser {
public:
    static constexpr size_t kMaxBytes = 64 * 1024;
    static constexpr size_t kMaxLines = 100;

    enum class State { NeedMore, Complete, Error };

    // Feeds one line without its CRLF (a trailing CR is tolerated).
    State feed_line(std::string_view line);
    State state() const { return state_; }
    const Reply& reply() const { return reply_; }
    const std::string& error() const { return error_; }
    // Bytes fed so far for the current reply (for the caller's 64 KiB cap on
    // an unfinished line).
    size_t bytes() const { return bytes_; }
    void reset();

private:
    State fail(std::string message);

    Reply reply_;
    State state_ = State::NeedMore;
    std::string error_;
    size_t bytes_ = 0;
};

// EHLO keywords (upper case) with their parameters, from a 250 reply's
// lines after the first ("AUTH PLAIN LOGIN", "AUTH=LOGIN", "STARTTLS").
struct Extensions {
    bool starttls = false;
    bool auth_plain = false;
    bool auth_login = false;
    bool auth = false;  // any AUTH line at all
    std::vector<std::string> auth_mechanisms;
};
Extensions parse_ehlo(const Reply& reply);

}  // namespace hc::smtp
