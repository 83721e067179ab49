#pragma once
// One supervisor.getAllProcessInfo per tick, shared by every check that needs
// the state of a program (and by the events checks), instead of one
// getProcessInfo per check: a thousand checks at periodSeconds 1 cost
// supervisord one call per second, not a thousand.
//
// Freshness: a check due at time T only takes a snapshot whose call was SENT
// at or after T, so no check ever judges a state older than its own tick.
// Checks due in the same loop pass (they were started together, or their
// periods line up) therefore share one call; one due later than the call in
// flight waits for the next call, which starts when that one ends (never two
// calls at once).
//
// A failed call is a snapshot too: every check waiting on it gets the same
// error, and it is logged once (when the error text changes), not per check.
// Nothing here knows about checks; the fetch is a function, so unit tests
// drive the table with a fake supervisord.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "supervise/log.hpp"
#include "util/deadline.hpp"
#include "util/result.hpp"
#include "xmlrpc/supervisor.hpp"

namespace hc::supervise {

struct ProcessSnapshot {
    Clock::time_point requested{};                        // when the call was sent
    Result<std::vector<xmlrpc::ProcessInfo>> processes =  // or the error every waiting check sees
        std::vector<xmlrpc::ProcessInfo>{};

    // The entry of `program` as getProcessInfo names it: "name" (group and
    // process both "name") or "group:name". Absent: the BAD_NAME fault text
    // getProcessInfo gave ("supervisord fault 10 BAD_NAME: BAD_NAME: x").
    // The snapshot's own error when the call failed.
    Result<xmlrpc::ProcessInfo> find(const std::string& program) const;
};
using SnapshotPtr = std::shared_ptr<const ProcessSnapshot>;

class ProcessTable {
public:
    using Fetched = std::function<void(Result<std::vector<xmlrpc::ProcessInfo>>)>;
    // Sends one getAllProcessInfo; calls back (on the loop thread) exactly once.
    using Fetch = std::function<void(Fetched)>;
    using Reply = std::function<void(const SnapshotPtr&)>;

    // log: where a failed call (and the recovery) is logged once; may be null.
    ProcessTable(Fetch fetch, Logger* log);
    ProcessTable(const ProcessTable&) = delete;
    ProcessTable& operator=(const ProcessTable&) = delete;

    // A snapshot whose call was sent at or after not_before: the last one at
    // once when fresh enough, else the call in flight when it was sent late
    // enough, else the next call.
    void get(Clock::time_point not_before, Reply reply);
    uint64_t calls() const { return calls_; }  // getAllProcessInfo calls sent

private:
    void start();
    void finish(Clock::time_point sent, Result<std::vector<xmlrpc::ProcessInfo>> r);
    void log_outcome(const ProcessSnapshot& s);

    Fetch fetch_;
    Logger* log_;
    SnapshotPtr last_;
    bool in_flight_ = false;
    Clock::time_point sent_{};
    std::vector<Reply> waiting_;  // served by the call in flight
    std::vector<Reply> next_;     // due after it was sent: served by the next call
    uint64_t calls_ = 0;
    std::string last_error_;  // to log a failure once until it changes
    // Lets a fetch that completes after the table is gone do nothing.
    std::shared_ptr<ProcessTable*> alive_ = std::make_shared<ProcessTable*>(this);
};

}  // namespace hc::supervise
