#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <thread>

#include "proc/proc.hpp"
#include "util/file.hpp"

using namespace hc::proc;
using hc::read_file;

namespace {

const char kStat[] =
    "1234 (my (weird) prog) S 1 1234 1234 0 -1 4194560 100 0 0 0 "
    "250 50 7 3 20 0 1 0 98765 10000000 300 18446744073709551615 1 1 0 0 0 0 0 "
    "4096 0 0 0 0 17 3 0 0 0 0 0\n";

// A child that runs `fn` until killed; the test kills and reaps it.
class Child {
public:
    template <class Fn>
    explicit Child(Fn fn) {
        pid_ = fork();
        if (pid_ == 0) {
            fn();
            _exit(0);
        }
    }
    ~Child() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
};

void spin() {
    volatile uint64_t n = 0;
    for (;;) n = n + 1;
}

std::string write_temp(const std::string& content) {
    char path[] = "/tmp/hc_proc_test_XXXXXX";
    const int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, content.data(), content.size()), ssize_t(content.size()));
    close(fd);
    return path;
}

std::string pid_file_error(const std::string& content) {
    const std::string path = write_temp(content);
    auto r = pid_from_file(path);
    unlink(path.c_str());
    EXPECT_FALSE(r.ok()) << "accepted '" << content << "'";
    if (r.ok()) return "";
    EXPECT_EQ(r.error().rfind("pid file " + path + ": ", 0), 0u) << r.error();
    return r.error().substr(("pid file " + path + ": ").size());
}

int64_t cpu_clock_ns(pid_t pid) {
    clockid_t clock;
    timespec ts{};
    if (clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &ts) != 0) return -1;
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct CpuMeasure {
    double ours = -1;       // from /proc/PID/stat via cpu_percent
    double reference = -1;  // from the kernel's per-process cpu clock (ns)
};

// Measures over ~300 ms both ways, so a loaded machine (the busy child may
// get well under a core) can be told from a wrong computation.
CpuMeasure measure_cpu(pid_t pid) {
    CpuMeasure m;
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t c0 = cpu_clock_ns(pid);
    auto a = read_cpu(pid, false);
    EXPECT_TRUE(a.ok()) << a.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto b = read_cpu(pid, false);
    const int64_t c1 = cpu_clock_ns(pid);
    const auto t1 = std::chrono::steady_clock::now();
    EXPECT_TRUE(b.ok()) << b.error();
    if (a && b) m.ours = cpu_percent(*a, *b);
    if (c0 >= 0 && c1 >= 0) {
        m.reference = 100.0 * double(c1 - c0) / double(std::chrono::nanoseconds(t1 - t0).count());
    }
    return m;
}

}  // namespace

TEST(ProcStat, ParsesWeirdComm) {
    auto st = parse_stat(kStat);
    ASSERT_TRUE(st.ok()) << st.error();
    EXPECT_EQ(st->pid, 1234);
    EXPECT_EQ(st->comm, "my (weird) prog");
    EXPECT_EQ(st->state, 'S');
    EXPECT_EQ(st->ppid, 1);
    EXPECT_EQ(st->utime, 250u);
    EXPECT_EQ(st->stime, 50u);
    EXPECT_EQ(st->cutime, 7u);
    EXPECT_EQ(st->cstime, 3u);
    EXPECT_EQ(st->starttime, 98765u);
}

TEST(ProcStat, CommWithSpacesAndTrailingParen) {
    auto st = parse_stat("7 (a) b) ) R 1 7 7 0 -1 0 0 0 0 0 1 2 3 4 20 0 1 0 55 0 0\n");
    ASSERT_TRUE(st.ok()) << st.error();
    EXPECT_EQ(st->comm, "a) b) ");
    EXPECT_EQ(st->state, 'R');
    EXPECT_EQ(st->starttime, 55u);
    auto empty = parse_stat("8 () Z 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 9\n");
    ASSERT_TRUE(empty.ok()) << empty.error();
    EXPECT_EQ(empty->comm, "");
    EXPECT_EQ(empty->starttime, 9u);
}

TEST(ProcStat, RejectsMalformed) {
    const char* bad[] = {
        "",
        "1234",
        "1234 (x",
        "x (y) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
        "1234 (x) S 1 2 3",
        "1234 (x) SS 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
        "1234 (x) S 1 2 3 4 5 6 7 8 9 10 -11 12 13 14 15 16 17 18 19",
        "1234 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 1x",
        "1234 (x) S 1 2 3 4 5 6 7 8 9 10 99999999999999999999 12 13 14 15 16 17 18 19",
        "0 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
        ") (x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
    };
    for (const char* text : bad) EXPECT_FALSE(parse_stat(text).ok()) << text;
}

TEST(ProcStat, ReadsSelf) {
    auto st = read_stat(getpid());
    ASSERT_TRUE(st.ok()) << st.error();
    EXPECT_EQ(st->pid, getpid());
    EXPECT_EQ(st->ppid, getppid());
    EXPECT_EQ(st->state, 'R');
    EXPECT_TRUE(process_alive(getpid()));
    EXPECT_EQ(process_starttime(getpid()), int64_t(st->starttime));
    EXPECT_GT(st->starttime, 0u);
}

TEST(ProcStat, MissingProcess) {
    // pid_max is at most 4194304, so this pid cannot exist.
    auto st = read_stat(kMaxPid + 1);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error(), "no such process 4194305");
    EXPECT_FALSE(process_alive(kMaxPid + 1));
    EXPECT_FALSE(process_alive(0));
    EXPECT_FALSE(process_alive(-1));
    EXPECT_EQ(process_starttime(kMaxPid + 1), -1);
    EXPECT_FALSE(read_cpu(kMaxPid + 1, false).ok());
}

TEST(ProcCpu, PercentArithmetic) {
    const long hz = sysconf(_SC_CLK_TCK);
    CpuSample a;
    a.pid = 10;
    a.starttime = 5;
    a.ticks = 1000;
    CpuSample b = a;
    b.at = a.at + std::chrono::seconds(2);
    b.ticks = a.ticks + hz;  // one cpu-second in two seconds
    EXPECT_DOUBLE_EQ(cpu_percent(a, b), 50.0);
    b.ticks = a.ticks + 4 * hz;  // two cores busy
    EXPECT_DOUBLE_EQ(cpu_percent(a, b), 200.0);

    CpuSample reused = b;
    reused.starttime = 6;
    EXPECT_LT(cpu_percent(a, reused), 0);
    CpuSample other = b;
    other.pid = 11;
    EXPECT_LT(cpu_percent(a, other), 0);
    EXPECT_LT(cpu_percent(b, a), 0);  // not after
    EXPECT_LT(cpu_percent(a, a), 0);  // zero interval
    CpuSample kids = b;
    kids.include_children = true;
    EXPECT_LT(cpu_percent(a, kids), 0);
}

TEST(ProcCpu, BusyChildIsBusy) {
    Child busy(spin);
    ASSERT_GT(busy.pid(), 0);
    const CpuMeasure m = measure_cpu(busy.pid());
    // 300 ms at 100 Hz is 30 ticks: one tick of skew is ~3.3 points.
    EXPECT_NEAR(m.ours, m.reference, 10.0);
    if (m.reference > 60.0) {
        EXPECT_GT(m.ours, 50.0);
    } else {
        std::printf("note: machine loaded, busy child got %.1f%% of a core\n", m.reference);
        EXPECT_GT(m.ours, 10.0);
    }
}

TEST(ProcCpu, SleepingChildIsIdle) {
    Child idle([] {
        for (;;) pause();
    });
    ASSERT_GT(idle.pid(), 0);
    const CpuMeasure m = measure_cpu(idle.pid());
    EXPECT_GE(m.ours, 0.0);
    EXPECT_LT(m.ours, 5.0);
}

TEST(ProcCpu, ChildrenTicksIncludeReaped) {
    auto a = read_cpu(getpid(), true);
    ASSERT_TRUE(a.ok());
    {
        // A child that burns ~150 ms of CPU (its own CPU clock, not wall
        // time, so a loaded machine cannot shorten it) then exits; its time
        // lands in cutime once reaped.
        pid_t pid = fork();
        if (pid == 0) {
            volatile uint64_t n = 0;
            timespec ts{};
            do {
                for (int i = 0; i < 100000; ++i) n = n + 1;
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
            } while (ts.tv_sec == 0 && ts.tv_nsec < 150 * 1000 * 1000);
            _exit(0);
        }
        ASSERT_GT(pid, 0);
        waitpid(pid, nullptr, 0);
    }
    auto b = read_cpu(getpid(), true);
    ASSERT_TRUE(b.ok());
    EXPECT_GE(b->ticks - a->ticks, uint64_t(sysconf(_SC_CLK_TCK) / 10));
}

TEST(ProcMem, ParsesStatus) {
    auto kb = parse_status_rss_kb("Name:\tx\nVmPeak:\t  9999 kB\nVmRSS:\t    5120 kB\nRssAnon:\t 1 kB\n");
    ASSERT_TRUE(kb.ok()) << kb.error();
    EXPECT_EQ(*kb, 5120u);
    EXPECT_FALSE(parse_status_rss_kb("Name:\tkthreadd\nState:\tS\n").ok());
    EXPECT_FALSE(parse_status_rss_kb("VmRSS:\tlots kB\n").ok());
    EXPECT_FALSE(parse_status_rss_kb("VmRSS:\t12 MB\n").ok());
    EXPECT_FALSE(parse_status_rss_kb("VmRSS:\t99999999999999999999999 kB\n").ok());
    EXPECT_FALSE(parse_status_rss_kb("").ok());
}

TEST(ProcMem, ParsesSmapsRollup) {
    const char rollup[] =
        "55b69310f000-7fff3fae6000 ---p 00000000 00:00 0                          [rollup]\n"
        "Rss:                1576 kB\n"
        "Pss:                 307 kB\n"
        "Pss_Dirty:           112 kB\n"
        "Pss_Anon:            112 kB\n"
        "Pss_File:            195 kB\n"
        "Shared_Clean:       1424 kB\n"
        "Private_Clean:        40 kB\n"
        "Private_Dirty:       112 kB\n"
        "Private_Hugetlb:       8 kB\n"
        "SwapPss:               0 kB\n";
    auto s = parse_smaps_rollup(rollup);
    ASSERT_TRUE(s.ok()) << s.error();
    EXPECT_EQ(s->rss_kb, 1576u);
    EXPECT_EQ(s->pss_kb, 307u);
    EXPECT_EQ(s->uss_kb(), 160u);

    // Old kernels: per-mapping smaps, summed.
    const char smaps[] =
        "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/x\n"
        "Size: 8 kB\nRss: 4 kB\nPss: 2 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 1 kB\n"
        "VmFlags: rd ex mr mw me dw\n"
        "00652000-00653000 rw-p 00052000 08:02 173521 /usr/bin/x\n"
        "Rss: 6 kB\nPss: 5 kB\nPrivate_Dirty: 3 kB\n";
    auto old = parse_smaps_rollup(smaps);
    ASSERT_TRUE(old.ok()) << old.error();
    EXPECT_EQ(old->pss_kb, 7u);
    EXPECT_EQ(old->uss_kb(), 5u);

    EXPECT_FALSE(parse_smaps_rollup("").ok());  // zombie / kernel thread
    EXPECT_FALSE(parse_smaps_rollup("Pss: x kB\n").ok());
    auto huge = parse_smaps_rollup("Pss: 18446744073709551615 kB\nPss: 5 kB\n");
    ASSERT_TRUE(huge.ok());
    EXPECT_EQ(huge->pss_kb, UINT64_MAX);  // saturates, never wraps
}

TEST(ProcMem, ReadsSelf) {
    // Touch 32 MB so every kind sees it.
    std::string block(32 << 20, 'x');
    auto rss = read_mem_mb(getpid(), MemKind::Rss);
    auto pss = read_mem_mb(getpid(), MemKind::Pss);
    auto uss = read_mem_mb(getpid(), MemKind::Uss);
    ASSERT_TRUE(rss.ok()) << rss.error();
    ASSERT_TRUE(pss.ok()) << pss.error();
    ASSERT_TRUE(uss.ok()) << uss.error();
    EXPECT_GT(*rss, 32.0);
    EXPECT_GT(*pss, 32.0);
    EXPECT_GT(*uss, 32.0);
    EXPECT_LE(*uss, *pss + 0.01);
    EXPECT_LE(*pss, *rss + 0.01);
    EXPECT_EQ(block[12345], 'x');
    auto gone = read_mem_mb(kMaxPid + 1, MemKind::Pss);
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error(), "no such process 4194305");
    EXPECT_EQ(read_mem_mb(kMaxPid + 1, MemKind::Rss).error(), "no such process 4194305");
    EXPECT_STREQ(mem_kind_name(MemKind::Uss), "uss");
}

TEST(ProcPidFile, ReadsValidFile) {
    const std::string path = write_temp("  " + std::to_string(getpid()) + "\n\n");
    auto pid = pid_from_file(path);
    unlink(path.c_str());
    ASSERT_TRUE(pid.ok()) << pid.error();
    EXPECT_EQ(*pid, getpid());
}

TEST(ProcPidFile, Errors) {
    EXPECT_EQ(pid_file_error(""), "empty");
    EXPECT_EQ(pid_file_error(" \n\t"), "empty");
    EXPECT_EQ(pid_file_error("garbage"), "not a pid: 'garbage'");
    EXPECT_EQ(pid_file_error("-1"), "not a pid: '-1'");
    EXPECT_EQ(pid_file_error("12 34"), "not a pid: '12 34'");
    EXPECT_EQ(pid_file_error("0x10"), "not a pid: '0x10'");
    EXPECT_EQ(pid_file_error("0"), "pid out of range: 0");
    EXPECT_EQ(pid_file_error("4194305"), "pid out of range: 4194305");
    EXPECT_EQ(pid_file_error("99999999999999999999999"), "pid out of range: 99999999999999999999...");
    EXPECT_EQ(pid_file_error(std::string(65, '1')), "larger than 64 bytes");
    EXPECT_EQ(pid_file_error("\x01\xff"),
              "not a pid: '?"
              "?'");
    // A pid that surely is not running: a reaped child's.
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    waitpid(dead, nullptr, 0);
    EXPECT_EQ(pid_file_error(std::to_string(dead)), "no such process " + std::to_string(dead));
    auto missing = pid_from_file("/nonexistent/x.pid");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error(), "pid file /nonexistent/x.pid: No such file or directory");
}

TEST(ProcPidFile, ZombieIsNotAlive) {
    pid_t z = fork();
    if (z == 0) _exit(0);
    // Not reaped yet: a zombie.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(process_alive(z));
    waitpid(z, nullptr, 0);
}

TEST(ProcFind, MatchingRule) {
    using namespace std::string_literals;
    const std::string cmd = "/usr/bin/python3\0/app/server.py\0--port\0080\0"s;
    EXPECT_TRUE(command_matches("python3", "python3", cmd));          // comm
    EXPECT_TRUE(command_matches("python3", "other", cmd));            // argv[0] basename
    EXPECT_TRUE(command_matches("/app/server.py --port", "x", cmd));  // joined contains
    EXPECT_TRUE(command_matches(" python3 /app/server.py ", "x", "python3\0/app/server.py\0"s));
    EXPECT_FALSE(command_matches("server.py --port 81", "python3", cmd));
    EXPECT_FALSE(command_matches("", "python3", cmd));
    EXPECT_FALSE(command_matches("  ", "python3", cmd));
    EXPECT_TRUE(command_matches("kworker/0:1", "kworker/0:1", ""));  // kernel thread by comm
    EXPECT_FALSE(command_matches("sleep", "x", ""));
}

TEST(ProcFind, FindsSleepChild) {
    pid_t pid = fork();
    if (pid == 0) {
        execlp("sleep", "sleep", "1234.5", static_cast<char*>(nullptr));
        _exit(127);
    }
    ASSERT_GT(pid, 0);
    std::vector<pid_t> found;
    for (int k = 0; k < 100; ++k) {  // wait up to 1 s for the exec
        found = find_pids_by_command("sleep 1234.5");
        if (!found.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0], pid);
    EXPECT_TRUE(find_pids_by_command("sleep 1234.5").empty());
    EXPECT_TRUE(find_pids_by_command("").empty());
}

TEST(ProcFind, SkipsSelf) {
    std::string self_cmdline;
    auto comm = read_file("/proc/self/comm", 64);
    ASSERT_TRUE(comm.ok());
    std::string name = *comm;
    while (!name.empty() && name.back() == '\n') name.pop_back();
    for (pid_t p : find_pids_by_command(name)) EXPECT_NE(p, getpid());
}

// ------------------------------------------------------------ pid ownership

namespace {

// A fake process tree: pid -> ppid (absent = unreadable).
ParentFn tree(std::map<pid_t, pid_t> parents) {
    return [parents](pid_t pid) {
        auto it = parents.find(pid);
        return it == parents.end() ? pid_t(-1) : it->second;
    };
}

//   1 -- 10 (supervisord) -- 20 (program) -- 21 -- 22
//         |                 \- 30 (this healthcheck) -- 31 (its exec child)
//         \- 40 (an unrelated program)
const ParentFn kTree = tree({{1, 0}, {10, 1}, {20, 10}, {21, 20}, {22, 21}, {30, 10}, {31, 30}, {40, 10}});

PidOwner owner(pid_t program_pid, bool name_matched = false, pid_t supervisord = 10) {
    PidOwner o;
    o.program = "web";
    o.program_pid = program_pid;
    o.supervisord = supervisord;
    o.self = 30;
    o.name_matched = name_matched;
    return o;
}

}  // namespace

TEST(ProcOwner, Ancestry) {
    EXPECT_EQ(ancestry(22, kTree), (std::vector<pid_t>{22, 21, 20, 10, 1}));
    EXPECT_EQ(ancestry(1, kTree), (std::vector<pid_t>{1}));
    EXPECT_EQ(ancestry(99, kTree), (std::vector<pid_t>{99}));  // unreadable parent: stops
    EXPECT_TRUE(ancestry(0, kTree).empty());
    // A loop (a pid reused mid-walk could fake one) and a chain deeper than
    // the bound both end.
    EXPECT_EQ(ancestry(5, tree({{5, 6}, {6, 5}})), (std::vector<pid_t>{5, 6}));
    std::map<pid_t, pid_t> deep;
    for (pid_t p = 2; p < 2000; ++p) deep[p] = p + 1;
    EXPECT_EQ(ancestry(2, tree(deep)).size(), kMaxAncestry);
    // The real thing: our parent chain ends at pid 1 (or a parent outside
    // our pid namespace).
    const auto mine = ancestry(getpid());
    ASSERT_GE(mine.size(), 2u);
    EXPECT_EQ(mine[0], getpid());
    EXPECT_EQ(mine[1], getppid());
    EXPECT_EQ(read_ppid(getpid()), getppid());
    EXPECT_EQ(read_ppid(kMaxPid + 1), -1);
}

TEST(ProcOwner, ProgramPidAndDescendantsOnly) {
    EXPECT_EQ(why_not_the_programs(20, owner(20), kTree), "");
    EXPECT_EQ(why_not_the_programs(22, owner(20), kTree), "");
    EXPECT_EQ(why_not_the_programs(40, owner(20), kTree),
              "it is neither web's pid 20 (per supervisord) nor one of its descendants");
    EXPECT_EQ(why_not_the_programs(99, owner(20), kTree),
              "it is neither web's pid 20 (per supervisord) nor one of its descendants");
    // Also for a name match while supervisord reports a pid.
    EXPECT_EQ(why_not_the_programs(40, owner(20, true), kTree),
              "it is neither web's pid 20 (per supervisord) nor one of its descendants");
}

TEST(ProcOwner, NeverInitSupervisordSelfOrAncestors) {
    for (bool name : {false, true}) {
        EXPECT_EQ(why_not_the_programs(1, owner(20, name), kTree), "it is init (pid 1)");
        EXPECT_EQ(why_not_the_programs(10, owner(20, name), kTree), "it is supervisord");
        EXPECT_EQ(why_not_the_programs(30, owner(20, name), kTree), "it is this healthcheck process");
        EXPECT_EQ(why_not_the_programs(0, owner(20, name), kTree), "it is not a process id");
        EXPECT_EQ(why_not_the_programs(-5, owner(20, name), kTree), "it is not a process id");
        // With supervisord's pid unknown, the parent chain still protects it
        // when it is our ancestor.
        EXPECT_EQ(why_not_the_programs(10, owner(0, name, 0), kTree), "it is an ancestor of this healthcheck process");
    }
    // Even the program's own pid, should we run below it.
    PidOwner o = owner(20);
    o.self = 22;
    EXPECT_EQ(why_not_the_programs(20, o, kTree), "it is an ancestor of this healthcheck process");
    EXPECT_EQ(why_not_the_programs(21, o, kTree), "it is an ancestor of this healthcheck process");
    // Our own children are fine to refuse too: they are not the program's.
    EXPECT_EQ(why_not_the_programs(31, owner(20), kTree),
              "it is neither web's pid 20 (per supervisord) nor one of its descendants");
}

TEST(ProcOwner, NoPidFromSupervisord) {
    // A pid file cannot be checked against anything.
    EXPECT_EQ(why_not_the_programs(40, owner(0), kTree), "supervisord reports no pid for web to check it against");
    // A name match can, unless supervisord's own pid is unknown (it could
    // be the match: its command line holds the config path).
    EXPECT_EQ(why_not_the_programs(40, owner(0, true), kTree), "");
    EXPECT_EQ(why_not_the_programs(10, owner(0, true), kTree), "it is supervisord");
    EXPECT_EQ(why_not_the_programs(40, owner(0, true, 0), kTree),
              "supervisord reports no pid for web and its own pid is unknown");
}

TEST(ProcOwner, SendSignalCheckedRechecksFirst) {
    // Not the Child helper: it signals the pid again after the reap below.
    const pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    ASSERT_GT(pid, 0);
    // Refused by the recheck: nothing is sent.
    auto r = send_signal_checked(pid, SIGKILL, [] { return std::string("it is supervisord"); });
    EXPECT_FALSE(r.ok());
    if (!r.ok()) {
        EXPECT_EQ(r.error(), "it is supervisord");
    }
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, WNOHANG), 0) << "the child was signalled";
    // Accepted: delivered.
    r = send_signal_checked(pid, SIGTERM, [] { return std::string(); });
    if (!r.ok()) kill(pid, SIGKILL);
    EXPECT_TRUE(r.ok()) << r.error();
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGTERM);
    // Gone (reaped): an error naming the pid.
    r = send_signal_checked(pid, 0, [] { return std::string(); });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "pid " + std::to_string(pid) + ": No such process");
}

TEST(FileReader, Caps) {
    const std::string path = write_temp("0123456789");
    EXPECT_EQ(*read_file(path, 10), "0123456789");
    EXPECT_FALSE(read_file(path, 9).ok());
    EXPECT_EQ(*read_file(path, 4, {true}), "0123");
    unlink(path.c_str());
    int e = 0;
    auto r = read_file("/nonexistent", 10, {}, &e);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(e, ENOENT);
    EXPECT_EQ(r.error(), "/nonexistent: No such file or directory");
}
