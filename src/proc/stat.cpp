// /proc/PID/stat: cpu time and liveness.
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "proc/proc.hpp"
#include "util/file.hpp"

namespace hc::proc {

namespace {

// Kernel-formatted line; comm is at most 64 bytes, the rest < 512.
constexpr size_t kStatCap = 4096;

bool to_u64(std::string_view s, uint64_t& out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Space-separated fields after the comm; stops at `max` fields.
std::vector<std::string_view> split_fields(std::string_view s, size_t max) {
    std::vector<std::string_view> out;
    size_t k = 0;
    while (k < s.size() && out.size() < max) {
        while (k < s.size() && (s[k] == ' ' || s[k] == '\n')) ++k;
        const size_t start = k;
        while (k < s.size() && s[k] != ' ' && s[k] != '\n') ++k;
        if (k > start) out.push_back(s.substr(start, k - start));
    }
    return out;
}

Error malformed(const char* what) { return err(std::string("malformed /proc stat: ") + what); }

}  // namespace

Result<Stat> parse_stat(std::string_view text) {
    const size_t open = text.find(" (");
    const size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open + 2) {
        return malformed("no (comm)");
    }
    Stat st;
    uint64_t pid = 0;
    if (!to_u64(text.substr(0, open), pid) || pid == 0 || pid > uint64_t(kMaxPid)) {
        return malformed("bad pid");
    }
    st.pid = static_cast<pid_t>(pid);
    st.comm = std::string(text.substr(open + 2, close - open - 2));
    // Field 3 is index 0 here, so field N is index N - 3.
    const auto f = split_fields(text.substr(close + 1), 20);
    if (f.size() < 20) return malformed("too few fields");
    if (f[0].size() != 1) return malformed("bad state");
    st.state = f[0][0];
    uint64_t ppid = 0;
    if (!to_u64(f[1], ppid) || ppid > uint64_t(kMaxPid)) return malformed("bad ppid");
    st.ppid = static_cast<pid_t>(ppid);
    if (!to_u64(f[11], st.utime) || !to_u64(f[12], st.stime) || !to_u64(f[13], st.cutime) ||
        !to_u64(f[14], st.cstime) || !to_u64(f[19], st.starttime)) {
        return malformed("bad time field");
    }
    return st;
}

Result<Stat> read_stat(pid_t pid) {
    if (pid <= 0) return err("no such process " + std::to_string(pid));
    int e = 0;
    Result<std::string> text = read_file("/proc/" + std::to_string(pid) + "/stat", kStatCap, {}, &e);
    if (!text) {
        if (e == ENOENT || e == ESRCH) return err("no such process " + std::to_string(pid));
        return err(text.error());
    }
    return parse_stat(*text);
}

bool process_alive(pid_t pid) {
    Result<Stat> st = read_stat(pid);
    return st.ok() && st->state != 'Z' && st->state != 'X';
}

int64_t process_starttime(pid_t pid) {
    Result<Stat> st = read_stat(pid);
    return st.ok() ? static_cast<int64_t>(st->starttime) : -1;
}

Result<CpuSample> read_cpu(pid_t pid, bool include_children) {
    Result<Stat> st = read_stat(pid);
    if (!st) return err(st.error());
    CpuSample s;
    s.at = std::chrono::steady_clock::now();
    s.pid = pid;
    s.starttime = st->starttime;
    s.include_children = include_children;
    s.ticks = st->utime + st->stime;
    if (include_children) s.ticks += st->cutime + st->cstime;
    return s;
}

double cpu_percent(const CpuSample& a, const CpuSample& b) {
    if (a.pid != b.pid || a.starttime != b.starttime) return -1;
    if (a.include_children != b.include_children) return -1;
    if (b.at <= a.at || b.ticks < a.ticks) return -1;
    static const long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0) return -1;
    const double cpu_s = static_cast<double>(b.ticks - a.ticks) / static_cast<double>(hz);
    const double wall_s = std::chrono::duration<double>(b.at - a.at).count();
    return 100.0 * cpu_s / wall_s;
}

}  // namespace hc::proc
