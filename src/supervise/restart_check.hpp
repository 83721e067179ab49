#pragma once
// The rule of the restart-count check (type: restart), free of I/O so unit
// tests drive it with made-up supervisord answers and a fake clock.
//
// Seed 003: a program counts as healthy again only after it has run
// mincontinueRun seconds without interruption; until then every restart
// counts toward failureThreshold. So each look at the program (one
// getProcessInfo per probe) gives one verdict:
//
//   the current run is >= mincontinueRun old     -> Stable: a pass (the count resets)
//   a restart after a run < mincontinueRun        -> Restarted: one failure
//   anything else (same run, still young; a       -> None: no result, the count
//   restart after a long run; not running)           stays where it is
//
// The consecutive counting itself is Counters' job (check_state.hpp), so
// failureThreshold restarts with no Stable in between turn the check failed.
// A sliding window (the earlier rule) never fired for a program crashing
// every 5 s with mincontinueRun 10 and failureThreshold 3: at most two
// restarts ever fit in the window.
#include <cstdint>
#include <optional>
#include <string>

namespace hc::supervise {

// What supervisord said about the program at one probe. Times are its unix
// seconds (getProcessInfo start, stop).
struct RunObservation {
    int64_t start = 0;     // last spawn; 0 = never started
    int64_t stop = 0;      // end of the last run; 0 = never ended
    int64_t pid = 0;       // 0 while no process runs
    bool running = false;  // state RUNNING
};

struct RestartVerdict {
    enum class Kind { None, Restarted, Stable } kind = Kind::None;
    std::string reason;  // for the log and notices, e.g. "restart after a run of 3 s ..."
};

// previous: the last observation (nullopt at the first probe, so restarts
// before the daemon started are not counted). now: supervisord's clock.
RestartVerdict judge_restart(const std::optional<RunObservation>& previous, const RunObservation& current, int64_t now,
                             int64_t min_continue_run);

// What to pass as `previous` next time: `current`, but with the pid of the
// same spawn (same start) kept while no process runs, so a respawn within
// the same second (same start time) is still seen by its new pid.
RunObservation remember(const std::optional<RunObservation>& previous, const RunObservation& current);

}  // namespace hc::supervise
