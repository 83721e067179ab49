#pragma once
// Process facts from /proc: cpu time, memory, pid lookup. Parsing is split
// from reading (parse_* take the file text) so fixtures and fuzzers can
// drive the parsers without a live process. Linux only.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace hc::proc {

constexpr pid_t kMaxPid = 4194304;  // PID_MAX_LIMIT on 64-bit kernels

// ------------------------------------------------------------ /proc/PID/stat

// The fields we use from /proc/PID/stat, by the numbering of proc(5).
struct Stat {
    pid_t pid = 0;           // 1
    std::string comm;        // 2, without the parentheses
    char state = '?';        // 3: R S D Z T t X I ...
    pid_t ppid = 0;          // 4
    uint64_t utime = 0;      // 14, clock ticks
    uint64_t stime = 0;      // 15
    uint64_t cutime = 0;     // 16: reaped children only
    uint64_t cstime = 0;     // 17
    uint64_t starttime = 0;  // 22, ticks after boot: (pid, starttime) names a process
};

// comm may hold spaces and parentheses ("1 (a) b) S ..."), so the fields
// are split after the LAST ')'.
Result<Stat> parse_stat(std::string_view text);
Result<Stat> read_stat(pid_t pid);

// Alive = /proc/PID exists and is not a zombie (Z) or dead (X).
bool process_alive(pid_t pid);
// Field 22, or -1 when the process cannot be read.
int64_t process_starttime(pid_t pid);

// ------------------------------------------------------------ cpu

struct CpuSample {
    pid_t pid = 0;
    uint64_t starttime = 0;
    uint64_t ticks = 0;  // utime + stime (+ cutime + cstime with children)
    bool include_children = false;
    std::chrono::steady_clock::time_point at{};
};

// With include_children the ticks add cutime/cstime, which the kernel only
// credits when a child is reaped: live children are not counted, and a
// long-lived child's whole lifetime lands in the one interval it exits in.
Result<CpuSample> read_cpu(pid_t pid, bool include_children);

// Percent of one core over the interval between a and b (100 = one core
// busy; a 4-thread spinner reads ~400). Negative when the samples cannot be
// compared: different pid or starttime (the pid was reused), different
// include_children, or b not after a.
double cpu_percent(const CpuSample& a, const CpuSample& b);

// ------------------------------------------------------------ memory

enum class MemKind { Rss, Pss, Uss };

// "rss", "pss", "uss"
const char* mem_kind_name(MemKind kind);

// VmRSS from /proc/PID/status, in kB. Kernel threads and zombies have none.
Result<uint64_t> parse_status_rss_kb(std::string_view text);

struct Smaps {
    uint64_t rss_kb = 0, pss_kb = 0;
    uint64_t private_clean_kb = 0, private_dirty_kb = 0, private_hugetlb_kb = 0;
    uint64_t uss_kb() const { return private_clean_kb + private_dirty_kb + private_hugetlb_kb; }
};

// Sums every "Rss:", "Pss:", "Private_*:" line, so it reads both
// smaps_rollup (one of each) and the per-mapping smaps of kernels before
// 4.14. Keys match exactly ("Pss_Anon:" is not "Pss:").
Result<Smaps> parse_smaps_rollup(std::string_view text);

// Megabytes (kB / 1024). Pss and Uss read smaps_rollup, which walks every
// page table of the process (~10-18 ms at 1.2 GB) and needs ptrace-read
// permission on it: use Rss unless asked.
Result<double> read_mem_mb(pid_t pid, MemKind kind);

// ------------------------------------------------------------ process trees

// Processes counted in one tree at most (a fork bomb is not walked whole).
constexpr size_t kMaxTree = 4096;

// root followed by its descendants (breadth first) per a (pid, ppid) table.
std::vector<pid_t> descendants_of(pid_t root, const std::vector<std::pair<pid_t, pid_t>>& pid_ppid);
// The same over one scan of /proc (root is listed even when it is gone).
std::vector<pid_t> process_tree(pid_t root);

// Memory of a program and all its descendants (memmon -c, monit totalmem):
// the sum of each process's value. Rss counts pages shared between them
// (a forked worker's copy-on-write pages) once per process; Pss splits them
// and so sums to the tree's real share. A descendant that exits mid-scan
// is skipped; root unreadable is an error.
struct TreeMem {
    double mb = 0;
    size_t processes = 0;
};
Result<TreeMem> read_tree_mem_mb(pid_t root, MemKind kind);

// ------------------------------------------------------------ pid lookup

// A pid file holds one decimal pid, surrounding whitespace allowed, at most
// 64 bytes. The pid must be in 1..kMaxPid and alive. Errors:
// "pid file /x: not a pid: 'abc'", "pid file /x: no such process 1234"...
Result<pid_t> pid_from_file(const std::string& path);

// Pids (ascending, never our own) whose program matches `needle`, which is
// trimmed first; an empty needle matches nothing. A process matches when
//   - its comm equals needle (comm is the kernel's 15-byte name), or
//   - the basename of argv[0] equals needle, or
//   - its argv joined by single spaces contains needle as a substring.
// So pass the program's full command line ("python3 /app/server.py") to
// avoid matching unrelated processes; a bare "python3" matches them all.
// Zombies are skipped.
std::vector<pid_t> find_pids_by_command(const std::string& needle);

// The matching rule above, on already-read data (comm without its newline,
// cmdline as the kernel gives it: NUL-separated).
bool command_matches(std::string_view needle, std::string_view comm, std::string_view cmdline);

// ------------------------------------------------------------ pid ownership
// A pid from a pid file or a name lookup may be stale, reused or simply
// wrong; before it is measured or sent SIGKILL it must be shown to be the
// program's, and it must never be init, supervisord, this process or one
// of its ancestors.

// The ppid of pid (field 4 of /proc/PID/stat), or -1 when unreadable.
pid_t read_ppid(pid_t pid);
using ParentFn = std::function<pid_t(pid_t)>;

// Links followed up a ppid chain; deeper process trees are not walked (a
// pid that far below the program is refused, never assumed).
constexpr size_t kMaxAncestry = 256;

// pid, its parent, its grandparent, ... up to pid 1 (included), an
// unreadable parent, a loop, or kMaxAncestry entries.
std::vector<pid_t> ancestry(pid_t pid, const ParentFn& parent = read_ppid);

struct PidOwner {
    std::string program;    // for messages
    pid_t program_pid = 0;  // supervisord's pid for the program; 0 = none (not running)
    pid_t supervisord = 0;  // supervisord's own pid; 0 = unknown
    pid_t self = 0;         // this process (getpid())
    // The pid came from a name lookup, so its comm/argv matched: enough when
    // supervisord reports no pid. A pid file alone never is.
    bool name_matched = false;
};

// Empty when pid may be measured or killed as the program's; otherwise why
// not, e.g. "it is init (pid 1)", "it is supervisord", "it is this
// healthcheck process", "it is an ancestor of this healthcheck process",
// "it is neither web's pid 42 (per supervisord) nor one of its descendants".
// The order matters: the never-kill rules come first.
std::string why_not_the_programs(pid_t pid, const PidOwner& owner, const ParentFn& parent = read_ppid);

// SIGKILL-style delivery that cannot hit a reused pid: the pid is pinned
// with pidfd_open first, `recheck` (e.g. why_not_the_programs) runs after
// that, and the signal goes through the pidfd. Falls back to kill(2) after
// the recheck on kernels without pidfd (before 5.3). Errors: the recheck's
// reason, or "pid N: <strerror>".
Status send_signal_checked(pid_t pid, int sig, const std::function<std::string()>& recheck);

}  // namespace hc::proc
