#include "supervise/probes.hpp"

#include <unistd.h>

#include <cstdio>

#include "http/client.hpp"
#include "net/url.hpp"
#include "supervise/cert_probe.hpp"
#include "supervise/tasks.hpp"
#include "util/text.hpp"

namespace hc::supervise {
namespace {

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

Deadline probe_deadline(const CheckConfig& cfg) { return Deadline::after_ms(cfg.timeout_seconds * 1000LL); }

std::string endpoint(const CheckConfig& cfg) { return net::bracket_host(cfg.host) + ":" + std::to_string(cfg.port); }

// "rss 812.0 MB in 5 processes (the program and its descendants, limit 1024.0 MB)".
Outcome judge_tree_mem(proc::MemKind kind, const proc::TreeMem& tree, double limit) {
    std::string what = std::string(proc::mem_kind_name(kind)) + " " + fmt(tree.mb) + " MB in " +
                       std::to_string(tree.processes) + (tree.processes == 1 ? " process" : " processes") +
                       " (the program and its descendants, limit " + fmt(limit) + " MB)";
    return tree.mb > limit ? Outcome::fail(what) : Outcome::pass(what);
}

}  // namespace

// Our own shortage (socket() failing with EMFILE, ENOBUFS...) is not the
// program's fault: report it without counting a failure. The kind decides,
// set where the error happened, not the message's wording.
Outcome judge_connect_error(const std::string& shown, const Error& error) {
    if (error.kind == ErrorKind::LocalResource) return Outcome::error(shown + ": " + error.message);
    return Outcome::fail(shown + ": " + error.message);
}

const char* to_string(Outcome::Kind k) {
    switch (k) {
        case Outcome::Kind::Pass: return "pass";
        case Outcome::Kind::Fail: return "fail";
        case Outcome::Kind::Wait: return "wait";
        case Outcome::Kind::Error: return "error";
    }
    return "error";
}

ResponseRules ResponseRules::of(const CheckConfig& cfg) {
    return ResponseRules{cfg.http_extras->expect_status, cfg.http_extras->expect_body, cfg.http_extras->regex};
}

Outcome judge_response(const ResponseRules& rules, const std::string& shown, int status, std::string_view body) {
    std::string what = shown + ": HTTP " + std::to_string(status);
    if (!rules.status.contains(status)) {
        // The default list keeps the message it always had.
        if (rules.status != http::StatusList::range(200, 399)) what += " (expected " + rules.status.str() + ")";
        return Outcome::fail(what);
    }
    // The body itself is never quoted: it may hold anything, secrets too.
    if (!rules.body.empty() && body.find(rules.body) == std::string_view::npos)
        return Outcome::fail(what + ", body does not contain \"" + escape_control(rules.body) + "\"");
    // glibc's regexec is quadratic for some patterns ((a|aa)*c: 1.3 s at
    // 16 KiB on a loaded machine), and this runs on the event loop: the
    // regex sees at most the first kMaxRegexBody bytes.
    if (rules.regex && !rules.regex->search(body.substr(0, kMaxRegexBody)))
        return Outcome::fail(what + ", body does not match /" + escape_control(rules.regex->pattern()) + "/");
    return Outcome::pass(what);
}

void probe_http(EventLoop& loop, Worker& worker, const CheckConfig& cfg, OutcomeFn done,
                std::shared_ptr<http::ConnectionSlot> slot) {
    auto deadline = probe_deadline(cfg);
    // The URL (with the Basic credentials) was parsed at load.
    const HttpSpec& spec = *cfg.http;
    const HttpExtras& x = *cfg.http_extras;
    if (!spec.url_error.empty()) return done(Outcome::fail(spec.url_error));
    const net::Url* url = &spec.url;
    http::Request req;
    req.method = to_string(spec.method);
    req.url = *url;
    for (const auto& h : x.headers) req.headers.push_back(h);
    if (spec.method == HttpMethod::Post) {
        req.body = x.json;
        if (!http::find_header(req.headers, "Content-Type"))
            req.headers.emplace_back("Content-Type", "application/json");
    }
    std::string shown = req.method + " " + url->redacted();
    http::ExchangeOptions opts;
    opts.user_agent = http::default_user_agent();
    // Without a body condition the status decides and 64 KiB is plenty.
    const bool body_matters = !x.expect_body.empty() || x.regex;
    opts.limits.max_body_bytes = body_matters ? kMaxMatchedBody : 64 * 1024;
    // TLS connections are not kept: a TLS 1.3 server's session tickets
    // arrive after the handshake and would read as unasked data.
    if (!spec.keep_alive || url->tls()) slot.reset();
    opts.keep_alive = slot != nullptr;
    if (url->tls()) {
        auto tls = tls_config_for(cfg);
        // No CA bundle to verify with: we cannot tell, the program is not at fault.
        if (!tls) return done(Outcome::error(shown + ": " + tls.error()));
        opts.tls = *tls;
    }
    ResponseRules rules = ResponseRules::of(cfg);
    resolve_async(worker, url->host, url->port, deadline,
                  [&loop, req, opts, deadline, shown, rules, done, slot](Addresses addresses) {
                      if (!addresses) return done(Outcome::fail(shown + ": " + addresses.error()));
                      std::optional<http::IdleConnection> kept;
                      if (slot) kept = slot->take(*addresses);
                      auto ex =
                          std::make_unique<http::Exchange>(req, std::move(*addresses), opts, deadline, std::move(kept));
                      auto finished = [done, shown, rules, slot](http::Exchange& ex) {
                          if (ex.state() == http::Exchange::State::Failed)
                              return done(judge_connect_error(shown, ex.failure()));
                          Outcome o = judge_response(rules, shown, ex.response().status, ex.response().body);
                          // Only a passing server keeps its connection: after a
                          // failure the next probe starts afresh.
                          if (slot && o.kind == Outcome::Kind::Pass)
                              if (auto c = ex.take_connection()) slot->keep(std::move(*c));
                          done(o);
                      };
                      loop.add(std::make_unique<ExchangeTask>(std::move(ex), std::move(finished)));
                  });
}

void probe_tcp(EventLoop& loop, Worker& worker, const CheckConfig& cfg, OutcomeFn done) {
    auto deadline = probe_deadline(cfg);
    std::string shown = "tcp " + endpoint(cfg);
    resolve_async(
        worker, cfg.host, static_cast<uint16_t>(cfg.port), deadline,
        [&loop, deadline, shown, done](Addresses addresses) {
            if (!addresses) return done(Outcome::fail(shown + ": " + addresses.error()));
            loop.add(std::make_unique<ConnectTask>(std::move(*addresses), deadline, [done, shown](const Status& s) {
                if (s)
                    done(Outcome::pass(shown + ": connected"));
                else
                    done(judge_connect_error(shown, s.failure()));
            }));
        });
}

void probe_mem(Worker& worker, const CheckConfig& cfg, pid_t pid, OutcomeFn done) {
    proc::MemKind kind = cfg.proc->mem_type;
    double limit = cfg.proc->max_mem_mb;
    if (cfg.proc->include_children) {
        // One scan of /proc plus a read per process: on the worker.
        return worker.post([pid, kind, limit, done]() -> Worker::Continuation {
            auto tree = proc::read_tree_mem_mb(pid, kind);
            Outcome o = tree ? judge_tree_mem(kind, *tree, limit)
                             : Outcome::error("pid " + std::to_string(pid) + ": " + tree.error());
            return [done, o] { done(o); };
        });
    }
    auto judge = [kind, limit, pid](const Result<double>& mb) {
        if (!mb) return Outcome::error("pid " + std::to_string(pid) + ": " + mb.error());
        std::string what =
            std::string(proc::mem_kind_name(kind)) + " " + fmt(*mb) + " MB (limit " + fmt(limit) + " MB)";
        return *mb > limit ? Outcome::fail(what) : Outcome::pass(what);
    };
    if (kind == proc::MemKind::Rss) return done(judge(proc::read_mem_mb(pid, kind)));
    worker.post([pid, kind, judge, done]() -> Worker::Continuation {
        auto mb = proc::read_mem_mb(pid, kind);
        Outcome o = judge(mb);
        return [done, o] { done(o); };
    });
}

void CpuProbe::run(EventLoop& loop, const CheckConfig& cfg, pid_t pid, OutcomeFn done) {
    auto sample = proc::read_cpu(pid, cfg.proc->include_children);
    if (!sample) return done(Outcome::error("pid " + std::to_string(pid) + ": " + sample.error()));
    double limit = cfg.proc->max_cpu;
    auto judge = [limit](double pct) {
        std::string what = "cpu " + fmt(pct) + "% of one core (limit " + fmt(limit) + "%)";
        return pct > limit ? Outcome::fail(what) : Outcome::pass(what);
    };
    if (previous_) {
        double pct = proc::cpu_percent(*previous_, *sample);
        auto elapsed = sample->at - previous_->at;
        if (pct >= 0 && elapsed >= std::chrono::milliseconds(200)) {
            previous_ = *sample;
            return done(judge(pct));
        }
    }
    // No comparable earlier sample: measure over the next second.
    previous_ = *sample;
    bool children = cfg.proc->include_children;
    loop.after_ms(1000, [this, pid, children, judge, done] {
        auto second = proc::read_cpu(pid, children);
        if (!second) return done(Outcome::error("pid " + std::to_string(pid) + ": " + second.error()));
        double pct = previous_ ? proc::cpu_percent(*previous_, *second) : -1;
        previous_ = *second;
        if (pct < 0) return done(Outcome::error("pid " + std::to_string(pid) + " changed while sampling cpu"));
        done(judge(pct));
    });
}

Outcome RestartTracker::observe(const CheckConfig& cfg, const xmlrpc::ProcessInfo& info) {
    int64_t now = info.now > 0 ? info.now : static_cast<int64_t>(std::time(nullptr));
    RunObservation cur{info.start, info.stop, info.pid, info.state == xmlrpc::states::RUNNING};
    RestartVerdict v = judge_restart(last_, cur, now, cfg.min_continue_run);
    last_ = remember(last_, cur);
    std::string what = v.reason + ", state " + info.statename;
    switch (v.kind) {
        case RestartVerdict::Kind::Restarted: return Outcome::fail(what);
        case RestartVerdict::Kind::Stable: return Outcome::pass(what);
        case RestartVerdict::Kind::None: break;
    }
    return Outcome::wait(what);
}

proc::PidOwner pid_owner(const CheckConfig& cfg, const xmlrpc::ProcessInfo& info, pid_t supervisord_pid) {
    proc::PidOwner o;
    o.program = cfg.program;
    o.program_pid = info.pid > 0 && info.pid <= proc::kMaxPid ? static_cast<pid_t>(info.pid) : 0;
    // supervisord is the parent of the programs it runs.
    o.supervisord = supervisord_pid > 0 ? supervisord_pid : o.program_pid > 0 ? proc::read_ppid(o.program_pid) : 0;
    o.self = ::getpid();
    o.name_matched = cfg.proc->pid_get == PidGet::Name;
    return o;
}

std::string refused_pid(const CheckConfig& cfg, pid_t pid, const std::string& why) {
    std::string from =
        cfg.proc->pid_get == PidGet::File ? "pid file " + cfg.proc->pid_file : "matches \"" + cfg.program + "\"";
    return "refused pid " + std::to_string(pid) + " (" + from + "): " + why;
}

Result<pid_t> find_pid(const CheckConfig& cfg, const xmlrpc::ProcessInfo& info, pid_t supervisord_pid) {
    switch (cfg.proc->pid_get) {
        case PidGet::Supervisor:
            if (info.pid <= 0) return err("supervisord reports no pid");
            return static_cast<pid_t>(info.pid);
        case PidGet::File: {
            auto pid = proc::pid_from_file(cfg.proc->pid_file);
            if (!pid) return pid;
            std::string why = proc::why_not_the_programs(*pid, pid_owner(cfg, info, supervisord_pid));
            if (!why.empty()) return err(refused_pid(cfg, *pid, why));
            return pid;
        }
        case PidGet::Name: {
            auto pids = proc::find_pids_by_command(cfg.program);
            if (pids.empty()) return err("no process matches \"" + cfg.program + "\"");
            const proc::PidOwner owner = pid_owner(cfg, info, supervisord_pid);
            std::string first;
            for (pid_t pid : pids) {
                std::string why = proc::why_not_the_programs(pid, owner);
                if (why.empty()) return pid;
                if (first.empty()) first = "pid " + std::to_string(pid) + ": " + why;
            }
            std::string more = pids.size() > 1 ? "; " + std::to_string(pids.size() - 1) + " more" : "";
            return err("refused every process matching \"" + cfg.program + "\" (" + first + more + ")");
        }
    }
    return err("unknown pidGet");
}

}  // namespace hc::supervise
