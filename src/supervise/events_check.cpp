#include "supervise/events_check.hpp"

#include <fnmatch.h>

#include <algorithm>

namespace hc::supervise {
namespace {

bool matches_any(const std::vector<std::string>& patterns, const xmlrpc::ProcessInfo& p) {
    const std::string shown = p.full_name();
    const std::string both = p.group + ":" + p.name;
    for (const auto& pat : patterns)
        if (::fnmatch(pat.c_str(), shown.c_str(), 0) == 0 || ::fnmatch(pat.c_str(), both.c_str(), 0) == 0) return true;
    return false;
}

std::string codes(const std::vector<int64_t>& v) {
    std::string s;
    for (int64_t c : v) s += (s.empty() ? "" : ",") + std::to_string(c);
    return s.empty() ? "none" : s;
}

bool unexpected_exit(const EventsOptions& o, const xmlrpc::ProcessInfo& p) {
    return std::find(o.exit_codes.begin(), o.exit_codes.end(), p.exitstatus) == o.exit_codes.end();
}

std::string exited_reason(const EventsOptions& o, const xmlrpc::ProcessInfo& p) {
    // supervisord reports -1 for a death by signal (it decodes no number).
    std::string status = p.exitstatus == -1 ? "killed by a signal (exit status -1; "
                                            : "exit status " + std::to_string(p.exitstatus) + " (";
    return "exited unexpectedly: " + status + "expected " + codes(o.exit_codes) + ")";
}

std::string fatal_reason(const xmlrpc::ProcessInfo& p) {
    return "FATAL: " + (p.spawnerr.empty() ? std::string("supervisord gave up starting it") : p.spawnerr);
}

}  // namespace

bool events_selects(const EventsOptions& o, const xmlrpc::ProcessInfo& p) {
    if (!o.programs.empty() && !matches_any(o.programs, p)) return false;
    return !matches_any(o.exclude, p);
}

const char* to_string(ProcessEvent::Kind k) {
    switch (k) {
        case ProcessEvent::Kind::Exited: return "exited";
        case ProcessEvent::Kind::Fatal: return "fatal";
        case ProcessEvent::Kind::Unseen: return "unseen_exit";
    }
    return "exited";
}

std::vector<ProcessEvent> EventsWatch::observe(const EventsOptions& o, const std::vector<xmlrpc::ProcessInfo>& all) {
    namespace st = xmlrpc::states;
    std::vector<ProcessEvent> events;
    std::map<std::string, Seen> now;
    for (const auto& p : all) {
        if (!events_selects(o, p)) continue;
        const std::string name = p.full_name();
        const Seen cur{p.state, p.start, p.stop, p.pid};
        now[name] = cur;
        if (!primed_) continue;  // the baseline: nothing happened "now"
        auto found = last_.find(name);
        const bool known = found != last_.end();
        const Seen prev = known ? found->second : Seen{};
        if (p.state == st::FATAL) {
            if (!known || prev.state != st::FATAL) events.push_back({ProcessEvent::Kind::Fatal, name, fatal_reason(p)});
            continue;
        }
        if (p.state == st::EXITED) {
            // A new stop time is a new exit, also when the last look saw EXITED.
            const bool entered = !known || prev.state != st::EXITED || prev.stop != cur.stop;
            if (entered && unexpected_exit(o, p))
                events.push_back({ProcessEvent::Kind::Exited, name, exited_reason(o, p)});
            continue;
        }
        // The run seen RUNNING last time was replaced by a new one: it ended
        // between two looks (spawn resets the exit status: it is not known).
        // supervisord's start time is in whole seconds, so a run that ended
        // and was respawned within the second it started shows the same
        // start: a new pid tells it (a crash loop with startsecs=0 did).
        const bool new_pid = p.pid != 0 && prev.pid != 0 && p.pid != prev.pid;
        const bool new_run = (p.start != prev.start || new_pid) && p.start != 0;
        if (o.unseen_exits && known && prev.state == st::RUNNING && new_run &&
            (p.state == st::STARTING || p.state == st::RUNNING || p.state == st::BACKOFF)) {
            std::string ran;
            if (cur.stop >= prev.start && cur.stop <= cur.start)
                ran = " after a run of " + std::to_string(cur.stop - prev.start) + " s";
            events.push_back({ProcessEvent::Kind::Unseen, name,
                              "ended" + ran +
                                  " and was restarted by supervisord between two looks (exit status not seen; "
                                  "a supervisorctl restart looks the same), now " +
                                  p.statename});
        }
    }
    last_ = std::move(now);  // removed processes are forgotten
    primed_ = true;
    return events;
}

}  // namespace hc::supervise
