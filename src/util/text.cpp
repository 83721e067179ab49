#include "util/text.hpp"

#include <sys/time.h>

#include <cstdlib>

#include "util/file.hpp"

namespace hc {

std::string_view trim_view(std::string_view s, std::string_view chars) {
    size_t b = s.find_first_not_of(chars);
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(chars) - b + 1);
}

std::string trim(std::string_view s) { return std::string(trim_view(s)); }

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = to_lower(c);
    return out;
}

std::string printable(std::string_view s, size_t max, bool keep_utf8) {
    std::string out;
    out.reserve(s.size() < max ? s.size() : max + 3);
    for (char ch : s) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        auto c = static_cast<unsigned char>(ch);
        bool ok = c >= 0x20 && c != 0x7f && (c < 0x80 || keep_utf8);
        out += ok ? ch : '?';
    }
    return out;
}

std::vector<std::string> split_list(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t b = 0;
    while (b <= s.size()) {
        size_t e = s.find(sep, b);
        if (e == std::string_view::npos) e = s.size();
        std::string part = trim(s.substr(b, e - b));
        if (!part.empty()) out.push_back(std::move(part));
        b = e + 1;
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

namespace {
bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }
}  // namespace

std::string escape_control(std::string_view s) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '\\') {
            out += "\\\\";
        } else if (is_control(c)) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

bool has_control(std::string_view s) {
    for (char ch : s)
        if (is_control(static_cast<unsigned char>(ch))) return true;
    return false;
}

std::string format_local_time(std::time_t t) {
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string container_id() {
    Result<std::string> text = read_file("/etc/hostname", 1024, ReadOptions{true, true});
    if (text) {
        auto line = trim(text->substr(0, text->find('\n')));
        if (!line.empty()) return line;
    }
    return env_or("HOSTNAME", "");
}

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : fallback;
}

int64_t unix_time_ms() {
    timeval tv{};
    gettimeofday(&tv, nullptr);
    return static_cast<int64_t>(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
}

}  // namespace hc
