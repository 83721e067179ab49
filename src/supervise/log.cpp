#include "supervise/log.hpp"

#include <picojson.h>
#include <sys/time.h>

#include <ctime>

#include "util/text.hpp"

namespace hc::supervise {
namespace {

const char* level_name(Level l) {
    switch (l) {
        case Level::Debug: return "debug";
        case Level::Info: return "info";
        case Level::Warn: return "warn";
        case Level::Error: return "error";
    }
    return "info";
}

std::string timestamp() {
    timeval tv{};
    gettimeofday(&tv, nullptr);
    std::tm tm{};
    localtime_r(&tv.tv_sec, &tm);
    return format_timestamp(tm, static_cast<int>(tv.tv_usec / 1000));
}

char* put_digits(char* p, long value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) p[i] = static_cast<char>('0' + value % 10);
    return p + width;
}

}  // namespace

// By hand, not strftime and snprintf: musl's printf keeps an 8 KB frame
// (its float formatting), and a log line written deep in a SIGHUP reload
// touched a stack page the first load never had (issue 14.4).
std::string format_timestamp(const std::tm& tm, int millis) {
    char buf[32];
    char* p = put_digits(buf, tm.tm_year + 1900L, 4);
    *p++ = '-';
    p = put_digits(p, tm.tm_mon + 1, 2);
    *p++ = '-';
    p = put_digits(p, tm.tm_mday, 2);
    *p++ = 'T';
    p = put_digits(p, tm.tm_hour, 2);
    *p++ = ':';
    p = put_digits(p, tm.tm_min, 2);
    *p++ = ':';
    p = put_digits(p, tm.tm_sec, 2);
    *p++ = '.';
    p = put_digits(p, millis, 3);
    const long offset = tm.tm_gmtoff / 60;  // minutes east of UTC
    *p++ = offset < 0 ? '-' : '+';
    const long minutes = offset < 0 ? -offset : offset;
    p = put_digits(p, minutes / 60, 2);
    p = put_digits(p, minutes % 60, 2);
    return std::string(buf, p);
}

void Logger::set_secrets(std::vector<std::string> secrets) {
    std::lock_guard<std::mutex> lock(mu_);
    secrets_.clear();
    // Very short values would mask ordinary words; they are not logged anyway.
    for (auto& s : secrets)
        if (s.size() >= 3) secrets_.push_back(std::move(s));
}

std::string Logger::scrub(std::string text) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& s : secrets_) {
        size_t pos = 0;
        while ((pos = text.find(s, pos)) != std::string::npos) {
            text.replace(pos, s.size(), "***");
            pos += 3;
        }
    }
    for (auto& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    return text;
}

void Logger::log(Level level, const std::string& check, const std::string& program, const std::string& event,
                 const std::string& message) {
    if (level == Level::Debug && !debug_) return;
    std::string line;
    if (format_ == Format::Json) {
        picojson::object o{{"time", picojson::value(timestamp())},
                           {"level", picojson::value(level_name(level))},
                           {"event", picojson::value(event)},
                           {"msg", picojson::value(scrub(message))}};
        if (!check.empty()) o["check"] = picojson::value(check);
        if (!program.empty()) o["program"] = picojson::value(program);
        line = picojson::value(o).serialize();
    } else {
        // Names and messages carry bytes from configs and servers: ESC must
        // not drive the terminal, CR/LF must not forge a line. (The JSON
        // writer escapes control bytes as \u00XX.)
        line = timestamp() + " " + level_name(level) + " " + escape_control(event);
        if (!check.empty()) line += " check=" + escape_control(check);
        if (!program.empty()) line += " program=" + escape_control(program);
        line += ": " + escape_control(scrub(message));
    }
    line += '\n';
    std::fputs(line.c_str(), out_);
    std::fflush(out_);
}

}  // namespace hc::supervise
