#include "supervise/process_table.hpp"

#include "supervise/supervisor_client.hpp"

namespace hc::supervise {

Result<xmlrpc::ProcessInfo> ProcessSnapshot::find(const std::string& program) const {
    if (!processes) return processes.failure();
    // supervisord's split_namespec: "g:p" is group g, process p; "p" is
    // group p, process p (so a numprocs program needs "g:p_00").
    const size_t colon = program.find(':');
    const std::string group = colon == std::string::npos ? program : program.substr(0, colon);
    const std::string name = colon == std::string::npos ? program : program.substr(colon + 1);
    for (const auto& p : *processes)
        if (p.group == group && p.name == name) return p;
    return err(describe_fault({xmlrpc::faults::BAD_NAME, "BAD_NAME: " + program}));
}

ProcessTable::ProcessTable(Fetch fetch, Logger* log) : fetch_(std::move(fetch)), log_(log) {}

void ProcessTable::get(Clock::time_point not_before, Reply reply) {
    if (last_ && last_->requested >= not_before) return reply(last_);
    if (in_flight_) {
        (sent_ >= not_before ? waiting_ : next_).push_back(std::move(reply));
        return;
    }
    waiting_.push_back(std::move(reply));
    start();
}

void ProcessTable::start() {
    in_flight_ = true;
    sent_ = Clock::now();
    ++calls_;
    std::weak_ptr<ProcessTable*> alive = alive_;
    const Clock::time_point sent = sent_;
    // May call back at once (no usable supervisordUrl): nothing after this.
    fetch_([alive, sent](Result<std::vector<xmlrpc::ProcessInfo>> r) {
        if (auto self = alive.lock()) (*self)->finish(sent, std::move(r));
    });
}

void ProcessTable::finish(Clock::time_point sent, Result<std::vector<xmlrpc::ProcessInfo>> r) {
    auto s = std::make_shared<ProcessSnapshot>();
    s->requested = sent;
    s->processes = std::move(r);
    last_ = s;
    in_flight_ = false;
    log_outcome(*s);
    std::vector<Reply> served;
    served.swap(waiting_);
    // Those due after this call was sent get the next one, sent now.
    if (!next_.empty()) {
        waiting_.swap(next_);
        start();
    }
    for (auto& reply : served) reply(s);
}

void ProcessTable::log_outcome(const ProcessSnapshot& s) {
    if (!s.processes) {
        if (log_ && s.processes.error() != last_error_)
            log_->warn("supervisord_error", "getAllProcessInfo: " + s.processes.error() +
                                                " (checks that need a program's state wait; logged again when "
                                                "the error changes)");
        last_error_ = s.processes.error();
        return;
    }
    if (!last_error_.empty() && log_)
        log_->info("supervisord_ok",
                   "getAllProcessInfo answers again (" + std::to_string(s.processes->size()) + " processes)");
    last_error_.clear();
}

}  // namespace hc::supervise
