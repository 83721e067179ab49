#pragma once
// Small string and time helpers shared by both modes.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace hc {

std::string trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
// "yyyy-MM-dd HH:mm:ss" in local time per TZ (POSIX TZ strings such as
// CST-8 need no zoneinfo files, which a scratch image lacks).
std::string format_local_time(std::time_t t);
// Reads at most max_bytes of a file; false when it cannot be opened.
bool read_small_file(const std::string& path, std::string& out, size_t max_bytes = 65536);
// The container id Docker sets as hostname: first line of /etc/hostname,
// else $HOSTNAME, else "".
std::string container_id();
std::string env_or(const char* name, const std::string& fallback);
// Wall-clock milliseconds since the epoch (robot signing timestamps).
int64_t unix_time_ms();

}  // namespace hc
