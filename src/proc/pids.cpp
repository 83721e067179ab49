// Finding the pid of a program that supervisord does not tell us about.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "proc/proc.hpp"
#include "util/file.hpp"

namespace hc::proc {

namespace {

constexpr size_t kPidFileCap = 64;
// Long java/node command lines exist; the match only needs a prefix.
constexpr size_t kCmdlineCap = 128 * 1024;

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
    return s;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 20)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (s.size() > 20) out += "...";
    return out;
}

// Caller checked: 1..7 digits, so no overflow.
long to_long(std::string_view digits) {
    long v = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), v);
    return v;
}

std::string_view basename(std::string_view path) {
    const size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<pid_t> pid_from_file(const std::string& path) {
    const std::string where = "pid file " + path + ": ";
    int e = 0;
    Result<std::string> text = read_file(path, kPidFileCap, {}, &e);
    if (!text) {
        if (e == 0) return err(where + "larger than 64 bytes");
        return err(where + std::strerror(e));
    }
    const std::string_view s = trim(*text);
    if (s.empty()) return err(where + "empty");
    if (!all_digits(s)) return err(where + "not a pid: '" + printable(s) + "'");
    // Eight digits already exceed kMaxPid, so the parse below cannot overflow.
    if (s.size() > 7) return err(where + "pid out of range: " + printable(s));
    const long pid = to_long(s);
    if (pid < 1 || pid > kMaxPid) return err(where + "pid out of range: " + std::to_string(pid));
    if (!process_alive(static_cast<pid_t>(pid))) return err(where + "no such process " + std::to_string(pid));
    return static_cast<pid_t>(pid);
}

bool command_matches(std::string_view needle, std::string_view comm, std::string_view cmdline) {
    needle = trim(needle);
    if (needle.empty()) return false;
    if (comm == needle) return true;
    // argv[0] runs to the first NUL; argv joined is the NULs as spaces.
    const std::string_view argv0 = cmdline.substr(0, cmdline.find('\0'));
    if (!argv0.empty() && basename(argv0) == needle) return true;
    std::string joined(cmdline);
    while (!joined.empty() && joined.back() == '\0') joined.pop_back();
    std::replace(joined.begin(), joined.end(), '\0', ' ');
    return joined.find(needle) != std::string::npos;
}

std::vector<pid_t> find_pids_by_command(const std::string& needle) {
    std::vector<pid_t> out;
    if (trim(needle).empty()) return out;
    DIR* dir = opendir("/proc");
    if (!dir) return out;
    const pid_t self = getpid();
    while (const dirent* ent = readdir(dir)) {
        const std::string_view name(ent->d_name);
        if (!all_digits(name) || name.size() > 7) continue;
        const pid_t pid = static_cast<pid_t>(to_long(name));
        if (pid == self) continue;
        const std::string base = "/proc/" + std::string(name);
        // Processes vanish mid-scan; an unreadable one simply does not match.
        Result<std::string> comm = read_file(base + "/comm", 64, {true});
        Result<std::string> cmdline = read_file(base + "/cmdline", kCmdlineCap, {true});
        if (!comm || !cmdline) continue;
        if (command_matches(needle, trim(*comm), *cmdline) && process_alive(pid)) out.push_back(pid);
    }
    closedir(dir);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace hc::proc
