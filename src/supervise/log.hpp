#pragma once
// Log lines of supervise mode, text or JSON, one event per line on stderr
// (supervisord captures it). Safe to call from the notification worker. Every line passes through a scrubber that
// masks the configured secrets, as a second guard behind not logging them.
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <vector>

namespace hc::supervise {

enum class Level { Debug, Info, Warn, Error };

// A log line's time: 2026-12-01T14:49:11.123+0800 (local time, its UTC offset).
std::string format_timestamp(const std::tm& tm, int millis);

class Logger {
public:
    enum class Format { Text, Json };

    explicit Logger(Format format = Format::Text, std::FILE* out = stderr) : format_(format), out_(out) {}
    void set_format(Format f) { format_ = f; }
    void set_secrets(std::vector<std::string> secrets);
    void set_debug(bool on) { debug_ = on; }

    // check/program may be empty for daemon-wide events.
    void log(Level level, const std::string& check, const std::string& program, const std::string& event,
             const std::string& message);
    void info(const std::string& event, const std::string& message) { log(Level::Info, "", "", event, message); }
    void warn(const std::string& event, const std::string& message) { log(Level::Warn, "", "", event, message); }
    void error(const std::string& event, const std::string& message) { log(Level::Error, "", "", event, message); }

    std::string scrub(std::string text) const;

private:
    Format format_;
    std::FILE* out_;
    std::vector<std::string> secrets_;
    bool debug_ = false;
    mutable std::mutex mu_;  // the notification worker logs too
};

}  // namespace hc::supervise
