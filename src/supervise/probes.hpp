#pragma once
// Probe runners of supervise mode, one per check type, separate from the
// scheduling and state code (as Kubernetes separates probers from workers).
// Each reports one Outcome through a callback.
#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/keep_alive.hpp"
#include "proc/proc.hpp"
#include "supervise/config.hpp"
#include "supervise/loop.hpp"
#include "supervise/restart_check.hpp"
#include "supervise/worker.hpp"
#include "xmlrpc/supervisor.hpp"

namespace hc::supervise {

struct Outcome {
    enum class Kind { Pass, Fail, Wait, Error } kind = Kind::Error;
    std::string reason;

    static Outcome pass(std::string r) { return {Kind::Pass, std::move(r)}; }
    static Outcome fail(std::string r) { return {Kind::Fail, std::move(r)}; }
    // Not a result: the program is STARTING, or the check is on hold.
    static Outcome wait(std::string r) { return {Kind::Wait, std::move(r)}; }
    // Cannot tell (supervisord unreachable, /proc unreadable): counters untouched.
    static Outcome error(std::string r) { return {Kind::Error, std::move(r)}; }
};
const char* to_string(Outcome::Kind k);

// The outcome of a connect or HTTP exchange that failed: LocalResource is a
// check error (reported, not counted), every other kind a failure.
Outcome judge_connect_error(const std::string& shown, const Error& error);

using OutcomeFn = std::function<void(Outcome)>;

// What an http check's response must satisfy: a status in expectStatus
// (default 200-399), then expectBody (a substring) and expectRegex.
struct ResponseRules {
    http::StatusList status = http::StatusList::range(200, 399);
    std::string body;
    std::shared_ptr<const Regex> regex;
    static ResponseRules of(const CheckConfig& cfg);
};
// "GET http://localhost:80/: HTTP 200" (pass), "...: HTTP 500 (expected
// 200,204)", "...: HTTP 200, body does not contain \"READY\"", "..., body
// does not match /re/". The body is never quoted (it may hold secrets).
Outcome judge_response(const ResponseRules& rules, const std::string& shown, int status, std::string_view body);

// Body bytes read when a body condition is set (a larger body fails).
constexpr size_t kMaxMatchedBody = 1024 * 1024;
// Bytes of the body expectRegex is matched against (regexec can be
// quadratic in the text for some patterns).
constexpr size_t kMaxRegexBody = 16 * 1024;

// http: the ResponseRules within timeoutSeconds; https verifies the
// certificate unless insecureSkipVerify (caFile or the system CA bundle).
// Names that need DNS are resolved on the worker, so a dead nameserver
// never stalls the loop; literals and localhost resolve at once.
// slot: where the check keeps its connection between probes (keepAlive,
// plain http only); null for a new connection every time.
void probe_http(EventLoop& loop, Worker& worker, const CheckConfig& cfg, OutcomeFn done,
                std::shared_ptr<http::ConnectionSlot> slot = nullptr);
// cert: a TLS handshake with host:port and the server certificate's expiry
// against warnDays (supervise/cert_probe.hpp).
void probe_cert(EventLoop& loop, Worker& worker, const CheckConfig& cfg, OutcomeFn done);
// tcp: a connect to host:port within timeoutSeconds.
void probe_tcp(EventLoop& loop, Worker& worker, const CheckConfig& cfg, OutcomeFn done);
// mem: rss from /proc/PID/status at once; pss/uss (smaps_rollup, slow for
// big processes) on the worker thread.
void probe_mem(Worker& worker, const CheckConfig& cfg, pid_t pid, OutcomeFn done);

// cpu: % of one core between two samples. Keeps the previous sample so a
// steady check measures exactly the last period; the first run (or a new
// pid) takes a second sample one second later.
class CpuProbe {
public:
    void run(EventLoop& loop, const CheckConfig& cfg, pid_t pid, OutcomeFn done);

private:
    std::optional<proc::CpuSample> previous_;
};

// restart: judge_restart (restart_check.hpp) on each getProcessInfo answer.
// A restart after a run shorter than mincontinueRun is a failure, a run of
// mincontinueRun seconds a pass, anything else a wait (no result).
class RestartTracker {
public:
    Outcome observe(const CheckConfig& cfg, const xmlrpc::ProcessInfo& info);

private:
    std::optional<RunObservation> last_;
};

// The pid of the program per pidGet; the supervisor pid comes from info.
// A pid from pidGet file or name is used only when it is the program's
// (proc::why_not_the_programs): info.pid or a descendant of it; with no pid
// from supervisord, only a name match that is not supervisord
// (supervisord_pid; 0 = take the parent of info.pid), this process or an
// ancestor. Among several name matches the first acceptable one wins. A
// refusal reads "refused pid 123 (pid file /run/x.pid): it is ...".
Result<pid_t> find_pid(const CheckConfig& cfg, const xmlrpc::ProcessInfo& info, pid_t supervisord_pid = 0);
// What find_pid checks a pid against, for a recheck just before a kill.
proc::PidOwner pid_owner(const CheckConfig& cfg, const xmlrpc::ProcessInfo& info, pid_t supervisord_pid);
// "refused pid 123 (pid file /x.pid): <why>" / "(matches \"web\")".
std::string refused_pid(const CheckConfig& cfg, pid_t pid, const std::string& why);

}  // namespace hc::supervise
