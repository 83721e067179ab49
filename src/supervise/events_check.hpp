#pragma once
// The events check (type: events): crash mail for every program, with no
// per-program check (superlance crashmail + fatalmail), from the same
// getAllProcessInfo snapshot the other checks share (process_table.hpp).
// Free of I/O: the daemon feeds it each snapshot and sends what it returns.
//
// Per process, comparing this look with the last one (one notice per
// transition, never one per tick):
//   EXITED with an exit status not in exitCodes      -> Exited (crashmail: only
//     (entered since the last look: new stop time)      unexpected exits; an
//                                                        expected one is quiet)
//   FATAL (entered since the last look)              -> Fatal (fatalmail)
//   a new run while the last look saw the previous   -> Unseen: it ended and
//     one RUNNING (the exit fell between two looks,     supervisord restarted it
//     as an autorestart within a second does)           (unseenExits: false = quiet)
//   STOPPED / STOPPING (supervisorctl stop), BACKOFF, STARTING, RUNNING: quiet.
// The first look (at daemon start, or when the check is added or changed
// by SIGHUP) is the baseline: programs already FATAL or EXITED then are not
// reported, since they did not fail "now" (crashmail only sees events as they
// happen). A process that appears later (supervisorctl add) is compared with
// nothing: its first state counts when it is FATAL or an unexpected EXITED.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "xmlrpc/supervisor.hpp"

namespace hc::supervise {

struct EventsOptions {
    std::vector<std::string> programs;   // shell patterns; empty = every program
    std::vector<std::string> exclude;    // shell patterns, win over programs
    std::vector<int64_t> exit_codes{0};  // exitCodes: expected exit statuses (supervisord's exitcodes)
    bool unseen_exits = true;            // unseenExits: report runs that ended between two looks
    bool operator==(const EventsOptions& o) const {
        return programs == o.programs && exclude == o.exclude && exit_codes == o.exit_codes &&
               unseen_exits == o.unseen_exits;
    }
};

// A pattern matches the name supervisorctl shows ("web", "pool:pool_00") or
// "group:name" ("web:web"); fnmatch(3) wildcards (*, ?, [..]).
bool events_selects(const EventsOptions& o, const xmlrpc::ProcessInfo& p);

struct ProcessEvent {
    enum class Kind { Exited, Fatal, Unseen } kind = Kind::Exited;
    std::string process;  // as supervisorctl names it
    std::string reason;   // for the log and the notice
};
const char* to_string(ProcessEvent::Kind k);  // "exited", "fatal", "unseen_exit"

class EventsWatch {
public:
    // The events of one look, in the snapshot's order.
    std::vector<ProcessEvent> observe(const EventsOptions& o, const std::vector<xmlrpc::ProcessInfo>& all);
    bool primed() const { return primed_; }

private:
    struct Seen {
        int state = xmlrpc::states::UNKNOWN;
        int64_t start = 0, stop = 0, pid = 0;
    };
    std::map<std::string, Seen> last_;  // by full name
    bool primed_ = false;
};

}  // namespace hc::supervise
