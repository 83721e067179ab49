#include "supervise/restart_check.hpp"

namespace hc::supervise {
namespace {

std::string secs(int64_t s) { return std::to_string(s) + " s"; }

bool restarted(const RunObservation& prev, const RunObservation& cur) {
    if (cur.start == 0) return false;  // never started: nothing new
    // A first start of a program that had never run is not a restart.
    if (prev.start != 0 && cur.start != prev.start) return true;
    // start has one-second resolution: two spawns in the same second differ
    // only by their pid.
    return cur.pid != 0 && prev.pid != 0 && cur.pid != prev.pid;
}

// How long the run that `cur` replaced lasted. supervisord's `stop` is the
// end of the last run; it belongs to the replaced run when it falls between
// the two starts. Otherwise (several restarts between two probes, or the
// new run already ended too) the new start bounds it.
int64_t replaced_run_seconds(const RunObservation& prev, const RunObservation& cur) {
    int64_t end = cur.stop >= prev.start && cur.stop <= cur.start ? cur.stop : cur.start;
    return end - prev.start;
}

}  // namespace

RestartVerdict judge_restart(const std::optional<RunObservation>& previous, const RunObservation& current, int64_t now,
                             int64_t min_continue_run) {
    using Kind = RestartVerdict::Kind;
    const std::string limit = "mincontinueRun " + secs(min_continue_run);
    // First: a run that is long enough proves the program healthy, also when
    // a restart happened since the last probe (probes sparser than runs).
    if (current.running && current.start > 0 && now - current.start >= min_continue_run)
        return {Kind::Stable, "running " + secs(now - current.start) + " without a restart (" + limit + ")"};
    if (previous && restarted(*previous, current)) {
        int64_t ran = replaced_run_seconds(*previous, current);
        std::string pids;
        if (previous->pid != 0 && current.pid != 0 && previous->pid != current.pid)
            pids = " (pid " + std::to_string(previous->pid) + " -> " + std::to_string(current.pid) + ")";
        if (ran < min_continue_run)
            return {Kind::Restarted, "restarted after a run of " + secs(ran) + ", under " + limit + pids};
        return {Kind::None, "restarted after a run of " + secs(ran) + " (not under " + limit + "): not counted" + pids};
    }
    if (current.running && current.start > 0)
        return {Kind::None, "running " + secs(now - current.start) + " of " + limit};
    return {Kind::None, "not running, no new start"};
}

RunObservation remember(const std::optional<RunObservation>& previous, const RunObservation& current) {
    RunObservation kept = current;
    // Only for the same spawn: a new start with no pid is a run that ended.
    if (kept.pid == 0 && previous && previous->start == current.start) kept.pid = previous->pid;
    return kept;
}

}  // namespace hc::supervise
