#include "supervise/daemon.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "supervise/exec_probe.hpp"
#include "supervise/exec_task.hpp"
#include "supervise/status.hpp"
#include "util/memory.hpp"
#include "util/text.hpp"

namespace hc::supervise {

namespace {

constexpr long kSupervisorCallMs = 5000;
constexpr long kStopStartMs = 90000;  // stopProcess/startProcess wait for stopwaitsecs/startsecs
constexpr long kExecTimeoutMs = 60000;

std::string type_name(const CheckConfig& cfg) { return to_string(cfg.type); }

// The values the log scrubs: the config's passwords, tokens and secrets
// (each check's password from `checks`).
template <typename Checks, typename CfgOf>
std::vector<std::string> secrets_of(const GlobalConfig& g, const Checks& checks, CfgOf cfg_of) {
    std::vector<std::string> s{g.supervisord_pass, g.mail.pass};
    for (const auto& c : checks)  // most checks have none: no empty string each
        if (!cfg_of(c).http_extras->password.empty()) s.push_back(cfg_of(c).http_extras->password);
    for (const auto* list : {&g.dingtalk, &g.wecom, &g.feishu})
        for (const auto& v : *list) s.push_back(v);
    s.push_back(g.wechat.secret);
    return s;
}

std::vector<std::string> secrets_of(const Config& config) {
    return secrets_of(config.global, config.checks, [](const CheckConfig& c) -> const CheckConfig& { return c; });
}

}  // namespace

struct Daemon::Check {
    CheckConfig cfg;
    PolicyState policy;  // every rule's state (policy.hpp); the flags below are I/O only
    // One check type's probe state, made at its first probe: most checks
    // need none of them, and idle checks are counted by the ten thousand.
    std::unique_ptr<CpuProbe> cpu;
    std::unique_ptr<RestartTracker> restarts;
    std::unique_ptr<EventsWatch> events;  // type: events: the last look at every program
    EventLoop::TimerId timer = 0;
    Clock::time_point next_due{};
    bool in_flight = false;
    bool cancelled = false;
    bool acting = false;  // a restart is in progress
    // Set while a reload reads the file: the line of this check's name in
    // it, to find a duplicate without a second set of names (reload()).
    int load_line = 0;
    std::string last_error;  // to log repeated errors once
    // keepAlive: the connection between two probes (made at the first).
    std::shared_ptr<http::ConnectionSlot> connection;
    // For the status socket and the probe duration metric.
    std::optional<Outcome> last;
    Clock::time_point probe_started{};

    explicit Check(CheckConfig c) : cfg(std::move(c)), policy(cfg) {}
};

Daemon::Daemon(Config config, Logger& log) : config_(std::move(config)), log_(log), started_(Clock::now()) {
    log_.set_secrets(secrets_of(config_));
}

Daemon::~Daemon() {
    if (notifier_) notifier_->stop();
    if (proc_worker_) proc_worker_->stop();
    if (signal_fd_ >= 0) ::close(signal_fd_);
}

void Daemon::log(Level level, const CheckPtr& c, const std::string& event, const std::string& msg) {
    log_.log(level, c->cfg.name, c->cfg.program, event, msg);
}

bool Daemon::setup_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD}) sigaddset(&set, s);
    // Blocked before any thread starts, so only the signalfd sees them.
    if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return false;
    signal_fd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signal_fd_ < 0) return false;
    loop_.watch_readable(signal_fd_, [this] { on_signal(); });
    return true;
}

void Daemon::on_signal() {
    signalfd_siginfo info{};
    while (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        switch (info.ssi_signo) {
            case SIGTERM:
            case SIGINT:
                log_.info("stop", std::string("received ") + (info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"));
                loop_.stop();
                break;
            case SIGHUP: reload(); break;
            case SIGUSR1: log_stats(); break;
            default: break;  // SIGCHLD: exec tasks reap their own children
        }
    }
}

// Not in on_signal(): its strings would sit in the frame below every
// reload, which runs the whole load a few KB deeper in the stack than the
// first one did (issue 14.4: one more stack page at the first SIGHUP).
void Daemon::log_stats() {
    log_.info("stats", "probes=" + std::to_string(stats_.probes) +
                           " skipped_busy=" + std::to_string(stats_.skipped_busy) + " worst_delay_ms=" +
                           std::to_string(stats_.worst_delay_ms) + " checks=" + std::to_string(checks_.size()));
}

Daemon::Loaded Daemon::fresh_checks(Config& config) {
    Loaded out;
    out.checks.reserve(config.checks.size());
    // Moved, not copied: each check's config is held once, by its Check.
    for (auto& cfg : config.checks) out.add(std::make_shared<Check>(std::move(cfg)), true);
    config.checks.clear();
    config.checks.shrink_to_fit();
    return out;
}

void Daemon::apply(Config&& config, Loaded&& loaded) {
    auto client = SupervisorClient::create(config.global.supervisord, config.global.supervisord_user,
                                           config.global.supervisord_pass);
    if (client)
        supervisor_ = *client;
    else
        log_.error("config", client.error());
    decltype(checks_) next;
    int kept = 0, added = 0;
    // A running Check, unchanged (reload() compared them): its map entry
    // moves to `next` as it is (no allocation).
    auto keep = [&](const CheckPtr& c) {
        if (c->policy.given_up) {  // SIGHUP re-arms a check that gave up
            rearm(c->policy, c->cfg);
            log(Level::Info, c, "rearmed", "SIGHUP: failures are acted on again");
        }
        next.insert(checks_.extract(c->cfg.name));
        ++kept;
    };
    for (size_t i = 0; i < loaded.running; ++i) keep(order_[i]);
    // One start time for all: checks started together fall due in the same
    // loop pass and share one getAllProcessInfo (process_table.hpp).
    const Clock::time_point now = Clock::now();
    for (size_t i = 0; i < loaded.checks.size(); ++i) {
        const CheckPtr& c = loaded.checks[i];
        if (!loaded.fresh[i]) {
            keep(c);
            continue;
        }
        auto old = checks_.find(c->cfg.name);
        next[c->cfg.name] = c;
        // A pause is the operator's, not the config's: it outlives a changed check.
        if (old != checks_.end() && old->second->policy.paused) pause(c->policy);
        start_check(c, now + std::chrono::seconds(c->cfg.initial_delay_seconds));
        ++added;
    }
    // Left in checks_: removed ones and the old versions of changed ones
    // (counted as new above).
    size_t removed = 0;
    for (auto& [name, c] : checks_) {
        c->cancelled = true;
        loop_.cancel(c->timer);
        if (!next.count(name)) ++removed;
    }
    checks_ = std::move(next);
    // Config order: order_'s first `running` checks, then the others.
    order_.resize(loaded.running);
    if (order_.empty())
        order_ = std::move(loaded.checks);
    else
        order_.insert(order_.end(), std::make_move_iterator(loaded.checks.begin()),
                      std::make_move_iterator(loaded.checks.end()));
    if (notifier_) notifier_->set_config(config.global);
    log_.set_secrets(secrets_of(config.global, order_, [](const CheckPtr& c) -> const CheckConfig& { return c->cfg; }));
    config_ = std::move(config);
    for (auto it = metrics_.begin(); it != metrics_.end();)
        it = checks_.count(it->first) ? std::next(it) : metrics_.erase(it);
    serve();
    log_.info("config", "loaded " + config_.path + ": " + std::to_string(checks_.size()) + " checks (" +
                            std::to_string(kept) + " kept, " + std::to_string(added) + " new, " +
                            std::to_string(removed) + " removed)");
    // The replaced checks are gone, and a load's transient memory: give
    // their pages back, so a reload does not leave the daemon at its peak.
    release_free_memory();
}

void Daemon::reload() {
    log_.info("reload", "SIGHUP: reloading " + config_.path);
    // Each check is compared with the running one as the loader reads it:
    // an unchanged one is dropped at once (the running Check carries on), so
    // only changed and new checks are held next to the running ones, never a
    // second whole config (issue 14.4).
    // Nor a second set of names to find duplicates: a running check's name
    // is marked on its Check (load_line), only other names are copied.
    struct RunningNames final : TopNames {
        explicit RunningNames(const decltype(checks_)& r) : running(r) {}
        RunningNames(const RunningNames&) = delete;
        RunningNames& operator=(const RunningNames&) = delete;
        ~RunningNames() override {
            for (const auto& entry : running) entry.second->load_line = 0;
        }
        int insert(std::string_view name, int line) override {
            auto it = running.find(name);
            if (it == running.end()) return others.insert(name, line);
            int& first = it->second->load_line;
            if (first != 0) return first;
            first = line;
            return 0;
        }
        const decltype(checks_)& running;
        NameSet others;
    } names(checks_);
    // While the file lists the running checks unchanged and in their
    // order, nothing is held for them: no second check order either.
    // The result on the heap, not in this frame: the load runs below it
    // (see log_stats).
    Loaded loaded;
    const std::unique_ptr<Result<Config>> cfg(new Result<Config>(load_config_file(
        config_.path,
        [&](CheckConfig&& c) {
            auto old = checks_.find(c.name);
            const bool same = old != checks_.end() && keeps_state_on_reload(old->second->cfg, c);
            if (same && loaded.checks.empty() && loaded.running < order_.size() &&
                order_[loaded.running] == old->second)
                ++loaded.running;
            else if (same)
                loaded.add(old->second, false);
            else
                loaded.add(std::make_shared<Check>(std::move(c)), true);
        },
        names)));
    if (!*cfg) {
        log_.error("reload", "config invalid, keeping the running one: " + cfg->error());
        return;
    }
    for (const auto& w : (*cfg)->warnings) log_.warn("config", w);
    apply(std::move(**cfg), std::move(loaded));
}

void Daemon::start_check(const CheckPtr& c, Clock::time_point first) {
    c->next_due = first;
    c->timer = loop_.at(first, [this, c] { tick(c); });
}

void Daemon::tick(const CheckPtr& c) {
    if (c->cancelled) return;
    auto now = Clock::now();
    const Clock::time_point due = c->next_due;
    auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(now - c->next_due).count();
    stats_.worst_delay_ms = std::max<long long>(stats_.worst_delay_ms, delay);
    // Fixed rate: the next run is due one period after this one was due, so
    // a slow probe does not shift the schedule; missed slots are skipped.
    auto period = std::chrono::seconds(c->cfg.period_seconds);
    do c->next_due += period;
    while (c->next_due <= now);
    c->timer = loop_.at(c->next_due, [this, c] { tick(c); });
    if (c->policy.paused) return;  // maintenance: no probe, no action until resume
    if (c->in_flight || c->acting) {
        ++stats_.skipped_busy;
        return;
    }
    c->in_flight = true;
    ++stats_.probes;
    c->probe_started = now;
    // Started once every check due now has been ticked: when the process
    // snapshot is already fresh (or supervisord answered while we were
    // preempted), probe() starts the request at once, and 1,000 checks due
    // together ticked 30-50 ms late behind the probes of the earlier ones.
    loop_.after_timers([this, c, due] {
        probe(c, due, [this, c](const Outcome& o) {
            c->in_flight = false;
            if (!c->cancelled) record(c, o);
        });
    });
}

void Daemon::probe(const CheckPtr& c, Clock::time_point due, std::function<void(Outcome)> done) {
    if (!supervisor_) return done(Outcome::error("no usable supervisordUrl"));
    processes_->get(due, [this, c, done](const SnapshotPtr& s) {
        if (c->cancelled) return;
        if (!s->processes) {
            // The table logged this once for every check: not again per check.
            c->last_error = s->processes.error();
            return done(Outcome::error(s->processes.error()));
        }
        if (c->cfg.type == CheckType::Events) return done(report_events(c, *s->processes));
        auto info = s->find(c->cfg.program);
        if (!info) return done(Outcome::error(info.error()));
        on_process_info(c, *info, done);
    });
}

void Daemon::make_process_table(Logger* log) {
    processes_ = std::make_unique<ProcessTable>(
        [this](ProcessTable::Fetched fetched) {
            if (!supervisor_) return fetched(err("no usable supervisordUrl"));
            supervisor_->get_all_process_info(loop_, *proc_worker_, kSupervisorCallMs, std::move(fetched));
        },
        log);
}

// The events check (events_check.hpp): one log line and one notice per
// crash it sees; the check itself always passes (it watches, it is not a
// program's health), so the policy never acts for it.
Outcome Daemon::report_events(const CheckPtr& c, const std::vector<xmlrpc::ProcessInfo>& all) {
    if (!c->events) c->events = std::make_unique<EventsWatch>();
    const bool first = !c->events->primed();
    for (const auto& e : c->events->observe(*c->cfg.events, all)) {
        log_.log(Level::Warn, c->cfg.name, e.process, std::string("process_") + to_string(e.kind), e.reason);
        if (!notifier_) continue;
        NotifyEvent n{c->cfg.name, e.process, "events", NotifyEvent::Kind::Failed, "none", e.reason, 0};
        n.when = std::time(nullptr);
        notifier_->send(n, c->cfg.actions.email, c->cfg.actions.notify);
    }
    size_t watched = 0, down = 0;
    for (const auto& p : all) {
        if (!events_selects(*c->cfg.events, p)) continue;
        ++watched;
        if (p.state == xmlrpc::states::FATAL || p.state == xmlrpc::states::EXITED) ++down;
    }
    std::string what = "watching " + std::to_string(watched) + " processes";
    if (first && down > 0)
        what += " (" + std::to_string(down) + " already EXITED or FATAL at the first look: not reported)";
    return Outcome::pass(what);
}

void Daemon::on_process_info(const CheckPtr& c, const xmlrpc::ProcessInfo& info, std::function<void(Outcome)> done) {
    auto now = Clock::now();
    // The restart check sees every answer, also on hold, so the restart our
    // own action caused is its baseline, not a failure after the hold.
    std::optional<Outcome> restart_verdict;
    if (c->cfg.type == CheckType::Restart) {
        if (!c->restarts) c->restarts = std::make_unique<RestartTracker>();
        restart_verdict = c->restarts->observe(c->cfg, info);
    }
    const ProgramView view{info.state == xmlrpc::states::RUNNING, static_cast<long>(info.now - info.start)};
    const HoldStep hold = on_program(c->policy, c->cfg, view, now);
    switch (hold) {
        case HoldStep::None: break;
        case HoldStep::Wait: return done(Outcome::wait(std::string("on hold after action, program ") + info.statename));
        case HoldStep::Released:
            log(Level::Info, c, "hold_released", "program RUNNING again (pid " + std::to_string(info.pid) + ")");
            break;
        case HoldStep::Expired:
            log(Level::Warn, c, "hold_expired", std::string("program still ") + info.statename + " after the backoff");
            break;
    }
    const bool was_holding = hold != HoldStep::None;
    if (restart_verdict) {
        if (was_holding) return done(Outcome::wait("hold ended: " + restart_verdict->reason));
        return done(*restart_verdict);
    }
    if (info.state == xmlrpc::states::STARTING) return done(Outcome::wait("program is STARTING"));
    if (info.state != xmlrpc::states::RUNNING) {
        std::string why = "program is " + info.statename;
        if (!info.spawnerr.empty())
            why += " (" + info.spawnerr + ")";
        else if (info.state == xmlrpc::states::EXITED)
            why += " (exit status " + std::to_string(info.exitstatus) + ")";
        return done(Outcome::fail(why));
    }
    run_probe(c, info, [this, c, pid = info.pid, done](Outcome o) {
        if (o.kind != Outcome::Kind::Fail && o.kind != Outcome::Kind::Error) return done(std::move(o));
        confirm_failure(c, pid, std::move(o), done);
    });
}

// The look a probe went by may be older than what supervisord did since:
// the program was stopped or restarted while the probe ran, or supervisord
// was told to shut down (an answer on its kept connection can come before
// supervisord handles a SIGTERM it already got). A failure (or an error,
// such as the pid gone from /proc) counts only when a look sent after the
// probe still shows the same run RUNNING; otherwise the next tick judges
// the new state.
void Daemon::confirm_failure(const CheckPtr& c, int64_t pid, Outcome failed, std::function<void(Outcome)> done) {
    processes_->get(Clock::now(), [c, pid, failed = std::move(failed), done](const SnapshotPtr& s) {
        if (c->cancelled) return;
        if (!s->processes) {
            c->last_error = s->processes.error();  // logged once by the table
            return done(Outcome::error(s->processes.error()));
        }
        auto info = s->find(c->cfg.program);
        if (!info) return done(Outcome::error(info.error()));
        if (info->state == xmlrpc::states::RUNNING && info->pid == pid) return done(failed);
        done(Outcome::wait(failed.reason + " (not counted: the program is " + info->statename +
                           (info->pid != pid ? " in a new run" : "") + " now)"));
    });
}

// A kept connection serves at most kConnectionMaxAge of probes: the next
// one then opens a new connection, so the server's accept path is still
// probed once a minute. Checks with a longer period keep nothing.
std::shared_ptr<http::ConnectionSlot> Daemon::connection_slot(const CheckPtr& c) {
    constexpr auto kConnectionMaxAge = std::chrono::seconds(60);
    if (!idle_budget_ || !c->cfg.http->keep_alive || std::chrono::seconds(c->cfg.period_seconds) >= kConnectionMaxAge)
        return nullptr;
    if (!c->connection) c->connection = std::make_shared<http::ConnectionSlot>(idle_budget_, kConnectionMaxAge);
    return c->connection;
}

void Daemon::run_probe(const CheckPtr& c, const xmlrpc::ProcessInfo& info, std::function<void(Outcome)> done) {
    switch (c->cfg.type) {
        case CheckType::Http: return probe_http(loop_, *proc_worker_, c->cfg, done, connection_slot(c));
        case CheckType::Tcp: return probe_tcp(loop_, *proc_worker_, c->cfg, done);
        case CheckType::Cert: return probe_cert(loop_, *proc_worker_, c->cfg, done);
        case CheckType::Mem:
        case CheckType::Cpu: {
            auto pid = find_pid(c->cfg, info);
            if (!pid) return done(Outcome::error(pid.error()));
            if (c->cfg.type == CheckType::Mem) return probe_mem(*proc_worker_, c->cfg, *pid, done);
            if (!c->cpu) c->cpu = std::make_unique<CpuProbe>();
            return c->cpu->run(loop_, c->cfg, *pid, done);
        }
        case CheckType::Exec: return probe_exec(loop_, c->cfg, done);
        case CheckType::Events:  // answered from the snapshot in probe()
        case CheckType::Restart: break;
    }
    done(Outcome::error("unknown check type"));
}

void Daemon::record(const CheckPtr& c, const Outcome& o) {
    note_result(c, o);
    if (o.kind == Outcome::Kind::Wait) return;
    if (o.kind == Outcome::Kind::Error) {
        if (o.reason != c->last_error) log(Level::Warn, c, "check_error", o.reason);
        c->last_error = o.reason;
        return;
    }
    c->last_error.clear();
    bool ok = o.kind == Outcome::Kind::Pass;
    const Plan plan = on_result(c->policy, c->cfg, ok, Clock::now(), std::time(nullptr));
    if (plan.ignored) return;  // paused while the probe ran
    execute(c, plan, o);
}

// Carries out a plan in the order the log has always shown: the result, the
// transition, the action (or its deferral), then the notice.
void Daemon::execute(const CheckPtr& c, const Plan& plan, const Outcome& o) {
    // For the restart check each failure is one restart after a short run
    // (restart_check.hpp), so failureThreshold counts restarts here too.
    if (o.kind != Outcome::Kind::Pass) {
        log(Level::Info, c, "check_failed",
            o.reason + " (" + std::to_string(c->policy.counters.run()) + "/" +
                std::to_string(c->cfg.failure_threshold) + ")");
    } else if (plan.before != Health::Healthy) {
        log(Level::Debug, c, "check_passed", o.reason);
    }
    if (plan.transition == Transition::BecameFailed) log(Level::Warn, c, "unhealthy", o.reason);
    if (plan.now_healthy) log(Level::Info, c, "healthy", o.reason);
    if (plan.recovered) log(Level::Info, c, "recovered", o.reason);
    std::string taken = "none";
    if (plan.deferred) {
        log(Level::Info, c, "action_deferred",
            "backoff: next action allowed in " + std::to_string(plan.defer_seconds) + " s");
        taken = "deferred " + std::to_string(plan.defer_seconds) + " s (backoff)";
    } else if (plan.act != ActionKind::None) {
        taken = to_string(plan.act);
        act(c, plan.act, o.reason);
    } else if (plan.gave_up) {
        taken = "gave up after " + std::to_string(c->cfg.max_restarts) +
                (c->cfg.max_restarts == 1 ? " action within " : " actions within ") +
                std::to_string(c->cfg.restart_window) +
                " s (maxRestarts); no further action until `healthcheck supervise resume " + c->cfg.name +
                "` or SIGHUP";
        log(Level::Error, c, "gave_up", taken);
    }
    static const char* const kNoticeNames[] = {"", "failed", "resolved", "reminder", "gave_up"};
    if (plan.notice != NoticeKind::None) ++metrics_[c->cfg.name].notices[kNoticeNames[static_cast<int>(plan.notice)]];
    switch (plan.notice) {
        case NoticeKind::None: break;
        // The message says it too: webhook and robot bodies carry no action.
        case NoticeKind::GaveUp: notify(c, NotifyEvent::Kind::Failed, taken, taken + ": " + o.reason); break;
        case NoticeKind::Failed: notify(c, NotifyEvent::Kind::Failed, taken, o.reason); break;
        case NoticeKind::Resolved: notify(c, NotifyEvent::Kind::Resolved, "none", o.reason); break;
        case NoticeKind::Reminder: notify(c, NotifyEvent::Kind::Reminder, "none", o.reason); break;
    }
}

void Daemon::act(const CheckPtr& c, ActionKind kind, const std::string& reason) {
    if (kind != ActionKind::None) ++metrics_[c->cfg.name].actions[to_string(kind)];
    switch (kind) {
        case ActionKind::None: break;
        case ActionKind::Restart: restart_program(c); break;
        case ActionKind::Exec: exec_command(c, reason); break;
        case ActionKind::Kill: kill_program(c); break;
    }
}

void Daemon::restart_program(const CheckPtr& c) {
    if (!supervisor_) return;
    c->acting = true;
    std::string name = c->cfg.program;
    log(Level::Warn, c, "action", "restart: stopping " + name);
    auto start = [this, c, name] {
        supervisor_->call(loop_, *proc_worker_, xmlrpc::start_process_call(name, true), kStopStartMs,
                          [this, c, name](Result<xmlrpc::Response> r) {
                              c->acting = false;
                              if (c->cancelled) return;
                              if (!r) return log(Level::Error, c, "action_failed", "restart: start: " + r.error());
                              if (r->is_fault && r->fault.code != xmlrpc::faults::ALREADY_STARTED)
                                  return log(Level::Error, c, "action_failed",
                                             "restart: start: " + describe_fault(r->fault));
                              log(Level::Info, c, "action_done", "restart: " + name + " started");
                          });
    };
    supervisor_->call(loop_, *proc_worker_, xmlrpc::stop_process_call(name, true), kStopStartMs,
                      [this, c, start](Result<xmlrpc::Response> r) {
                          if (c->cancelled) return;
                          // NOT_RUNNING: already stopped (EXITED/FATAL): just start it.
                          if (!r)
                              log(Level::Error, c, "action_failed", "restart: stop: " + r.error());
                          else if (r->is_fault && r->fault.code != xmlrpc::faults::NOT_RUNNING)
                              log(Level::Error, c, "action_failed", "restart: stop: " + describe_fault(r->fault));
                          start();
                      });
}

void Daemon::kill_program(const CheckPtr& c) {
    if (c->cfg.proc->pid_get != PidGet::Supervisor) return kill_own_pid(c);
    if (!supervisor_) return;
    log(Level::Warn, c, "action", "kill: SIGKILL via supervisord");
    supervisor_->call(loop_, *proc_worker_, xmlrpc::signal_process_call(c->cfg.program, "KILL"), kSupervisorCallMs,
                      [this, c](Result<xmlrpc::Response> r) {
                          if (!r)
                              log(Level::Error, c, "action_failed", "kill: " + r.error());
                          else if (r->is_fault)
                              log(Level::Error, c, "action_failed", "kill: " + describe_fault(r->fault));
                      });
}

// pidGet file/name: the pid is checked against what supervisord says now
// (the program's pid, and its own via getPID) before SIGKILL, and checked
// again once pinned by a pidfd, so a stale or hostile pid file can never
// get init, supervisord, us or an unrelated process killed.
void Daemon::kill_own_pid(const CheckPtr& c) {
    if (!supervisor_)
        return log(Level::Error, c, "action_failed", "kill: no usable supervisordUrl to check the pid against");
    // A state sent now or later: the pid must be the one running now.
    processes_->get(Clock::now(), [this, c](const SnapshotPtr& s) {
        if (c->cancelled) return;
        auto info = s->find(c->cfg.program);
        if (!info)
            return log(Level::Error, c, "action_failed",
                       "kill: cannot check the pid against supervisord: " + info.error());
        supervisor_->call(loop_, *proc_worker_, xmlrpc::get_pid_call(), kSupervisorCallMs,
                          [this, c, info = *info](Result<xmlrpc::Response> r) {
                              if (c->cancelled) return;
                              pid_t supervisord = 0;
                              if (r && !r->is_fault) {
                                  auto v = r->value.as_int();
                                  if (v && *v > 0 && *v <= proc::kMaxPid) supervisord = static_cast<pid_t>(*v);
                              }
                              auto pid = find_pid(c->cfg, info, supervisord);
                              if (!pid) return log(Level::Error, c, "action_failed", "kill: " + pid.error());
                              const proc::PidOwner owner = pid_owner(c->cfg, info, supervisord);
                              const pid_t p = *pid;
                              auto sent = proc::send_signal_checked(p, SIGKILL, [&] {
                                  std::string why = proc::why_not_the_programs(p, owner);
                                  return why.empty() ? why : refused_pid(c->cfg, p, why);
                              });
                              if (!sent) return log(Level::Error, c, "action_failed", "kill: " + sent.error());
                              log(Level::Warn, c, "action", "kill: SIGKILL sent to pid " + std::to_string(p));
                          });
    });
}

void Daemon::exec_command(const CheckPtr& c, const std::string& reason) {
    ExecTask::Env env{{"HC_PROGRAM", c->cfg.program},
                      {"HC_CHECK", c->cfg.name},
                      {"HC_TYPE", type_name(c->cfg)},
                      {"HC_MESSAGE", reason}};
    log(Level::Warn, c, "action", "exec: " + c->cfg.exec->exec_cmd);
    auto task = std::make_unique<ExecTask>(c->cfg.exec->exec_cmd, env, kExecTimeoutMs, [this, c](const ExecResult& r) {
        std::string out = r.output;
        while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
        if (!r.started) return log(Level::Error, c, "action_failed", "exec: " + r.error);
        std::string status = r.timed_out ? "killed after 60 s"
                             : r.signal  ? "killed by signal " + std::to_string(r.signal)
                                         : "exit " + std::to_string(r.exit_code);
        log(r.exit_code == 0 ? Level::Info : Level::Error, c, "action_done",
            "exec: " + status + (out.empty() ? "" : ", output: " + out.substr(0, 4000)));
    });
    loop_.add(std::move(task));
}

void Daemon::notify(const CheckPtr& c, NotifyEvent::Kind kind, const std::string& action, const std::string& reason) {
    if (!notifier_) return;
    NotifyEvent e{c->cfg.name, c->cfg.program, type_name(c->cfg), kind, action, reason, std::time(nullptr)};
    notifier_->send(e, c->cfg.actions.email, c->cfg.actions.notify, c->cfg.actions.wechat);
}

int Daemon::run() {
    // One socket per probe in flight: a thousand checks need more than the
    // usual soft limit of 1024 descriptors.
    rlimit nofile{};
    if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &nofile);
    }
    // Kept connections (keepAlive) may use half the descriptors; the other
    // half stays for probes in flight, supervisord and the notices.
    size_t fds = ::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY
                     ? static_cast<size_t>(nofile.rlim_cur)
                     : 1024;
    idle_budget_ = std::make_shared<http::IdleBudget>(fds / 2);
    if (!setup_signals()) {
        log_.error("start", "cannot set up signal handling");
        return 1;
    }
    proc_worker_ = std::make_unique<Worker>(loop_);
    make_process_table(&log_);
    notifier_ = std::make_unique<Notifier>(log_, config_.global);
    for (const auto& w : config_.warnings) log_.warn("config", w);
    // apply() takes the config (and moves its checks into the Checks).
    // On the heap: the loop (and each reload) runs below this frame.
    const auto initial = std::make_unique<Config>(std::move(config_));
    Loaded checks = fresh_checks(*initial);
    apply(std::move(*initial), std::move(checks));
    loop_.run();
    control_.reset();  // removes the status socket file
    metrics_server_.reset();
    loop_.clear_tasks();
    std::string summary =
        "probes=" + std::to_string(stats_.probes) + " worst_delay_ms=" + std::to_string(stats_.worst_delay_ms);
    // SIGTERM must end us within a second; a mail or robot stuck on a dead
    // server would hold a join for its whole deadline, so give up on it.
    bool drained = proc_worker_->stop_within(300) && notifier_->stop_within(300);
    if (!drained) {
        log_.warn(
            "stopped",
            "a background job (a notification, a DNS lookup or an smaps read) was still running and is dropped; " +
                summary);
        std::fflush(nullptr);
        std::_Exit(0);
    }
    log_.info("stopped", summary);
    return 0;
}

// --once: a program still STARTING is asked again each second, up to 30 s.
void Daemon::once_probe(const CheckPtr& c, std::function<void(Outcome)> done, int attempt) {
    // Attempt k runs at least k s after the start: any state sent since will do.
    probe(c, started_ + std::chrono::seconds(attempt), [this, c, done, attempt](Outcome o) {
        // A restart check cannot see a restart in one look: its wait (a run
        // younger than mincontinueRun) is the answer, not worth 30 s.
        if (o.kind != Outcome::Kind::Wait || attempt >= 30 || c->cfg.type == CheckType::Restart) return done(o);
        loop_.after_ms(1000, [this, c, done, attempt] { once_probe(c, done, attempt + 1); });
    });
}

int Daemon::run_once() {
    proc_worker_ = std::make_unique<Worker>(loop_);
    make_process_table(nullptr);  // each check's line shows a failure
    auto client = SupervisorClient::create(config_.global.supervisord, config_.global.supervisord_user,
                                           config_.global.supervisord_pass);
    if (client) supervisor_ = *client;
    size_t pending = config_.checks.size();
    bool all_pass = true;
    std::vector<std::string> lines(config_.checks.size());
    for (size_t i = 0; i < config_.checks.size(); ++i) {
        auto c = std::make_shared<Check>(config_.checks[i]);
        checks_[c->cfg.name] = c;
        once_probe(
            c,
            [&, i, c](Outcome o) {
                if (o.kind != Outcome::Kind::Pass) all_pass = false;
                lines[i] = c->cfg.name + " " + c->cfg.program + " " + type_name(c->cfg) + " " + to_string(o.kind) +
                           ": " + log_.scrub(o.reason);
                if (--pending == 0) loop_.stop();
            },
            0);
    }
    if (pending > 0) loop_.run();
    for (const auto& l : lines) std::printf("%s\n", l.c_str());
    proc_worker_->stop();
    return all_pass ? 0 : 1;
}

// ---- the status socket and the metrics endpoint (status.hpp, metrics.hpp)

// Both follow the config: (re)opened when their setting changed. One that
// cannot be opened is logged and the daemon runs on without it (the next
// SIGHUP tries again).
void Daemon::serve() {
    const std::string path = status_socket_path(config_);
    if (path != control_where_) {
        control_.reset();
        control_where_.clear();
        if (!path.empty()) {
            ServeLimits limits;
            limits.max_request = kMaxControlRequest;
            ServeHandler handler{[](const std::string& r) { return r.find('\n') != std::string::npos; },
                                 [this](const std::string& r, bool too_long) {
                                     return too_long ? std::string("error: request too long\n") : control(r);
                                 }};
            auto server = Server::unix_socket(loop_, path, limits, std::move(handler));
            if (server) {
                control_ = std::move(*server);
                control_where_ = path;
                log_.info("status_socket", "serving " + path + " (healthcheck supervise status)");
            } else {
                log_.warn("status_socket", "not served: " + server.error());
            }
        }
    }
    const std::string& listen = config_.global.metrics_listen;
    if (listen == metrics_where_) return;
    metrics_server_.reset();
    metrics_where_.clear();
    auto address = parse_listen_address(listen);
    if (listen.empty() || !address) return;
    ServeLimits limits;
    limits.max_request = kMaxMetricsRequest;
    ServeHandler handler{http_request_complete, [this](const std::string& r, bool too_long) {
                             return http_reply(r, too_long, [this] { return metrics_text(); });
                         }};
    auto server = Server::tcp(loop_, *address, limits, std::move(handler));
    if (!server) return log_.warn("metrics", "not served: " + server.error());
    metrics_server_ = std::move(*server);
    metrics_where_ = listen;
    log_.info("metrics", "serving http://" + address->str() + "/metrics");
}

std::string Daemon::control(const std::string& request) {
    const ControlRequest r = parse_control(request);
    switch (r.verb) {
        case ControlRequest::Verb::Status: return status_text();
        case ControlRequest::Verb::Pause: return pause_resume(true, r.target);
        case ControlRequest::Verb::Resume: return pause_resume(false, r.target);
        case ControlRequest::Verb::Bad: break;
    }
    return "error: " + r.error + "\n";
}

std::string Daemon::status_text() {
    const auto now = Clock::now();
    std::vector<CheckStatus> rows;
    for (const auto& ptr : order_) {  // config order
        const Check& c = *ptr;
        CheckStatus r;
        r.name = c.cfg.name;
        r.program = c.cfg.program;
        r.type = type_name(c.cfg);
        r.state = state_word(c.policy);
        r.last = c.last ? to_string(c.last->kind) : "-";
        r.reason = c.last ? log_.scrub(c.last->reason) : "";
        (c.policy.counters.last_ok() ? r.passes : r.fails) = c.policy.counters.run();
        if (!c.policy.paused)
            r.next_probe_s = std::max<long>(
                0, static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(c.next_due - now).count()));
        r.next_action = next_action_text(c.policy, c.cfg, now);
        rows.push_back(std::move(r));
    }
    return render_status(rows);
}

std::string Daemon::pause_resume(bool pausing, const std::string& target) {
    std::vector<CheckPtr> targets;
    for (const auto& [name, c] : checks_)
        if (target == "all" || target == name) targets.push_back(c);
    if (targets.empty()) return "error: no check named \"" + escape_control(target) + "\"\n";
    std::string out;
    for (const auto& c : targets) {
        const std::string name = escape_control(c->cfg.name);
        if (pausing) {
            if (!c->policy.paused) {
                pause(c->policy);
                log(Level::Info, c, "paused", "status socket: no probe and no action until resume");
            }
            out += "paused " + name + "\n";
        } else if (c->policy.paused) {
            resume(c->policy, c->cfg);
            log(Level::Info, c, "resumed", "status socket: probing again, judged afresh");
            out += "resumed " + name + "\n";
        } else if (c->policy.given_up) {
            rearm(c->policy, c->cfg);
            log(Level::Info, c, "rearmed", "status socket: failures are acted on again");
            out += "re-armed " + name + "\n";
        } else {
            out += name + " was not paused\n";
        }
    }
    return out;
}

std::string Daemon::metrics_text() {
    std::vector<const CheckMetrics*> list;
    for (const auto& ptr : order_) {  // config order
        const Check& c = *ptr;
        CheckMetrics& m = metrics_[c.cfg.name];
        m.name = c.cfg.name;
        m.program = c.cfg.program;
        m.type = type_name(c.cfg);
        const Health h = c.policy.counters.health();
        m.up = h == Health::Healthy ? 1 : h == Health::Failed ? 0 : -1;
        m.paused = c.policy.paused;
        m.given_up = c.policy.given_up;
        const Actions& a = c.cfg.actions;
        m.action = a.restart ? "restart" : a.exec ? "exec" : a.kill ? "kill" : "";
        list.push_back(&m);
    }
    return render_metrics(list);
}

void Daemon::note_result(const CheckPtr& c, const Outcome& o) {
    c->last = o;
    if (o.kind == Outcome::Kind::Wait) return;
    metrics_[c->cfg.name].probe.observe(std::chrono::duration<double>(Clock::now() - c->probe_started).count());
}

}  // namespace hc::supervise
