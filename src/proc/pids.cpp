// Finding the pid of a program that supervisord does not tell us about.
#include <dirent.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "proc/proc.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace hc::proc {

namespace {

constexpr size_t kPidFileCap = 64;
// Long java/node command lines exist; the match only needs a prefix.
constexpr size_t kCmdlineCap = 128 * 1024;

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
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
        return err(where + errno_text(e));
    }
    const std::string_view s = trim_view(*text);
    if (s.empty()) return err(where + "empty");
    if (!all_digits(s)) return err(where + "not a pid: '" + printable(s, 20) + "'");
    // Eight digits already exceed kMaxPid, so the parse below cannot overflow.
    if (s.size() > 7) return err(where + "pid out of range: " + printable(s, 20));
    const long pid = to_long(s);
    if (pid < 1 || pid > kMaxPid) return err(where + "pid out of range: " + std::to_string(pid));
    if (!process_alive(static_cast<pid_t>(pid))) return err(where + "no such process " + std::to_string(pid));
    return static_cast<pid_t>(pid);
}

bool command_matches(std::string_view needle, std::string_view comm, std::string_view cmdline) {
    needle = trim_view(needle);
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
    if (trim_view(needle).empty()) return out;
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
        if (command_matches(needle, trim_view(*comm), *cmdline) && process_alive(pid)) out.push_back(pid);
    }
    closedir(dir);
    std::sort(out.begin(), out.end());
    return out;
}

pid_t read_ppid(pid_t pid) {
    Result<Stat> st = read_stat(pid);
    return st ? st->ppid : -1;
}

std::vector<pid_t> ancestry(pid_t pid, const ParentFn& parent) {
    std::vector<pid_t> out;
    // ppid 0: pid 1, kernel threads, or a parent outside our pid namespace.
    while (pid > 0 && out.size() < kMaxAncestry) {
        // A loop cannot happen in /proc, but a pid reused mid-walk could
        // fake one: stop rather than spin.
        if (std::find(out.begin(), out.end(), pid) != out.end()) break;
        out.push_back(pid);
        if (pid == 1) break;
        pid = parent(pid);
    }
    return out;
}

std::string why_not_the_programs(pid_t pid, const PidOwner& owner, const ParentFn& parent) {
    if (pid <= 0) return "it is not a process id";
    if (pid == 1) return "it is init (pid 1)";
    if (pid == owner.self) return "it is this healthcheck process";
    if (pid == owner.supervisord) return "it is supervisord";
    const std::vector<pid_t> mine = ancestry(owner.self, parent);
    if (mine.size() > 1 && std::find(mine.begin() + 1, mine.end(), pid) != mine.end())
        return "it is an ancestor of this healthcheck process";
    if (owner.program_pid > 0) {
        const std::vector<pid_t> chain = ancestry(pid, parent);
        if (std::find(chain.begin(), chain.end(), owner.program_pid) != chain.end()) return "";
        return "it is neither " + owner.program + "'s pid " + std::to_string(owner.program_pid) +
               " (per supervisord) nor one of its descendants";
    }
    if (!owner.name_matched) return "supervisord reports no pid for " + owner.program + " to check it against";
    // A name match alone could be supervisord itself (its command line holds
    // the config path): only trusted when supervisord's pid is known.
    if (owner.supervisord <= 0)
        return "supervisord reports no pid for " + owner.program + " and its own pid is unknown";
    return "";
}

namespace {

struct FdCloser {
    int fd = -1;
    ~FdCloser() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

Status send_signal_checked(pid_t pid, int sig, const std::function<std::string()>& recheck) {
    const std::string where = "pid " + std::to_string(pid) + ": ";
    FdCloser pidfd;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
    // From here on the fd names this process, even if the pid is reused.
    pidfd.fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd.fd < 0 && errno != ENOSYS && errno != EPERM) return err(where + errno_text(errno));
#endif
    const std::string why = recheck();
    if (!why.empty()) return err(why);
    int rc = -1;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
    if (pidfd.fd >= 0)
        rc = static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd.fd, sig, nullptr, 0));
    else
#endif
        rc = ::kill(pid, sig);
    if (rc != 0) return err(where + errno_text(errno));
    return ok_status();
}

}  // namespace hc::proc
