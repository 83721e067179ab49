#pragma once
// The supervise daemon: schedules every check on one event loop, asks the
// policy (policy.hpp) what each result means, and executes its plans.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervise/check_state.hpp"
#include "supervise/config.hpp"
#include "supervise/log.hpp"
#include "supervise/loop.hpp"
#include "supervise/metrics.hpp"
#include "supervise/notifier.hpp"
#include "supervise/policy.hpp"
#include "supervise/probes.hpp"
#include "supervise/process_table.hpp"
#include "supervise/serve.hpp"
#include "supervise/supervisor_client.hpp"
#include "supervise/worker.hpp"

namespace hc::supervise {

struct DaemonStats {
    uint64_t probes = 0;
    uint64_t skipped_busy = 0;
    long long worst_delay_ms = 0;
};

class Daemon {
public:
    Daemon(Config config, Logger& log);
    ~Daemon();

    // Runs until SIGTERM/SIGINT; SIGHUP reloads the config file. Exit code.
    int run();
    // Runs every check once, prints one line each; 0 if all pass.
    int run_once();

private:
    struct Check;
    using CheckPtr = std::shared_ptr<Check>;

    void start_check(const CheckPtr& c, Clock::time_point first);
    void tick(const CheckPtr& c);
    // due: the tick this probe is for; the program state comes from a
    // getAllProcessInfo sent at or after it (process_table.hpp).
    void probe(const CheckPtr& c, Clock::time_point due, std::function<void(Outcome)> done);
    void make_process_table(Logger* log);
    Outcome report_events(const CheckPtr& c, const std::vector<xmlrpc::ProcessInfo>& all);
    void once_probe(const CheckPtr& c, std::function<void(Outcome)> done, int attempt);
    void on_process_info(const CheckPtr& c, const xmlrpc::ProcessInfo& info, std::function<void(Outcome)> done);
    void run_probe(const CheckPtr& c, const xmlrpc::ProcessInfo& info, std::function<void(Outcome)> done);
    void confirm_failure(const CheckPtr& c, int64_t pid, Outcome failed, std::function<void(Outcome)> done);
    std::shared_ptr<http::ConnectionSlot> connection_slot(const CheckPtr& c);
    void record(const CheckPtr& c, const Outcome& o);
    // Carries out what the policy (policy.hpp) decided: logs, action, notice.
    void execute(const CheckPtr& c, const Plan& plan, const Outcome& o);
    void act(const CheckPtr& c, ActionKind kind, const std::string& reason);
    void restart_program(const CheckPtr& c);
    void kill_program(const CheckPtr& c);
    void kill_own_pid(const CheckPtr& c);  // pidGet file/name: checked, then SIGKILL
    void exec_command(const CheckPtr& c, const std::string& reason);
    void notify(const CheckPtr& c, NotifyEvent::Kind kind, const std::string& action, const std::string& reason);
    // The checks of the config being applied, in config order: new Checks
    // (fresh: apply starts them) or running ones, unchanged.
    struct Loaded {
        // A reload: the first `running` checks are order_'s first ones,
        // unchanged (not copied); `checks` follow them.
        size_t running = 0;
        std::vector<CheckPtr> checks;  // becomes order_ (after those)
        std::vector<bool> fresh;
        void add(CheckPtr c, bool is_fresh) {
            checks.push_back(std::move(c));
            fresh.push_back(is_fresh);
        }
    };
    static Loaded fresh_checks(Config& config);  // moves config.checks into new Checks
    void reload();
    void apply(Config&& config, Loaded&& loaded);
    void log(Level level, const CheckPtr& c, const std::string& event, const std::string& msg);
    bool setup_signals();
    void on_signal();
    void log_stats();  // SIGUSR1
    // The status socket and the metrics endpoint (status.hpp, metrics.hpp):
    // (re)started by apply() when their settings change.
    void serve();
    std::string control(const std::string& request);
    std::string status_text();
    std::string pause_resume(bool pausing, const std::string& target);
    std::string metrics_text();
    void note_result(const CheckPtr& c, const Outcome& o);

    Config config_;
    Logger& log_;
    EventLoop loop_;
    std::optional<SupervisorClient> supervisor_;
    std::map<std::string, CheckPtr, std::less<>> checks_;  // less<>: found by string_view too
    // checks_ in config order. Each check's config lives in its Check only:
    // apply() moves it there and leaves config_.checks empty.
    std::vector<CheckPtr> order_;
    std::unique_ptr<Worker> proc_worker_;
    std::unique_ptr<Notifier> notifier_;
    std::shared_ptr<http::IdleBudget> idle_budget_;  // kept connections of all checks (keepAlive)
    std::unique_ptr<ProcessTable> processes_;        // one getAllProcessInfo per tick for all checks
    int signal_fd_ = -1;
    DaemonStats stats_;
    std::unique_ptr<Server> control_, metrics_server_;
    std::string control_where_, metrics_where_;    // what they serve now ("" = none)
    std::map<std::string, CheckMetrics> metrics_;  // by check name
    Clock::time_point started_;
};

}  // namespace hc::supervise
