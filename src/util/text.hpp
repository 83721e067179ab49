#pragma once
// Small string and time helpers shared by both modes.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace hc {

// Strips leading and trailing bytes found in `chars` (default: space, tab,
// CR, LF); the view form allocates nothing.
std::string_view trim_view(std::string_view s, std::string_view chars = " \t\r\n");
std::string trim(std::string_view s);
// ASCII lower case (the C locale's tolower, without a locale lookup).
inline char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
std::string to_lower(std::string_view s);
// A bounded rendering of untrusted text for a message: at most max bytes,
// then "..."; control bytes and DEL become '?', and so do bytes >= 0x80
// unless keep_utf8 (a server's localised reply may be UTF-8).
std::string printable(std::string_view s, size_t max, bool keep_utf8 = false);
// "a, b,,c" -> {"a", "b", "c"}: parts trimmed, empty ones dropped.
std::vector<std::string> split_list(std::string_view s, char sep = ',');
// 0-15 for a hex digit (either case), -1 for anything else.
int hex_value(char c);
// Text safe for a terminal or a one-line log: control bytes (C0, DEL) become
// \xHH (ESC can not move the cursor or recolour, CR/LF can not forge a
// line), a backslash becomes \\; UTF-8 and other bytes >= 0x80 are kept.
std::string escape_control(std::string_view s);
// True when s holds a C0 control byte or DEL (CR/LF included): such a value
// must never reach a protocol line (SMTP command, HTTP header).
bool has_control(std::string_view s);
// "yyyy-MM-dd HH:mm:ss" in local time per TZ (POSIX TZ strings such as
// CST-8 need no zoneinfo files, which a scratch image lacks).
std::string format_local_time(std::time_t t);
// The container id Docker sets as hostname: first line of /etc/hostname,
// else $HOSTNAME, else "".
std::string container_id();
std::string env_or(const char* name, const std::string& fallback);
// Wall-clock milliseconds since the epoch (robot signing timestamps).
int64_t unix_time_ms();

// Builds text with << like std::ostringstream. iostreams would pull about
// 100 KB of locale code into the static binary for this one job.
class TextBuilder {
public:
    TextBuilder& operator<<(std::string_view s) {
        out_.append(s);
        return *this;
    }
    TextBuilder& operator<<(char c) {
        out_.push_back(c);
        return *this;
    }
    template <typename Int, typename = std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool> &&
                                                        !std::is_same_v<Int, char>>>
    TextBuilder& operator<<(Int n) {
        out_ += std::to_string(n);
        return *this;
    }
    const std::string& str() const { return out_; }

private:
    std::string out_;
};

}  // namespace hc
