#pragma once
// Typed view of the supervisord 4.x XML-RPC API (the subset supervise mode
// uses). Names mirror supervisor's own (supervisor.states.ProcessStates,
// supervisor.xmlrpc.Faults) so they can be grepped against its source.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.hpp"
#include "xmlrpc/value.hpp"

namespace hc::xmlrpc {

namespace states {
constexpr int STOPPED = 0;
constexpr int STARTING = 10;
constexpr int RUNNING = 20;
constexpr int BACKOFF = 30;
constexpr int STOPPING = 40;
constexpr int EXITED = 100;
constexpr int FATAL = 200;
constexpr int UNKNOWN = 1000;
}  // namespace states

namespace faults {
constexpr int UNKNOWN_METHOD = 1;
constexpr int INCORRECT_PARAMETERS = 2;
constexpr int BAD_ARGUMENTS = 3;
constexpr int SIGNATURE_UNSUPPORTED = 4;
constexpr int SHUTDOWN_STATE = 6;
constexpr int BAD_NAME = 10;
constexpr int BAD_SIGNAL = 11;
constexpr int NO_FILE = 20;
constexpr int NOT_EXECUTABLE = 21;
constexpr int FAILED = 30;
constexpr int ABNORMAL_TERMINATION = 40;
constexpr int SPAWN_ERROR = 50;
constexpr int ALREADY_STARTED = 60;
constexpr int NOT_RUNNING = 70;
constexpr int SUCCESS = 80;
constexpr int ALREADY_ADDED = 90;
constexpr int STILL_RUNNING = 91;
constexpr int CANT_REREAD = 92;
}  // namespace faults

// "BAD_NAME", ...; "UNKNOWN_FAULT" for codes supervisor does not define.
const char* fault_name(int code);
// "RUNNING", ...; "UNKNOWN" for anything else (as supervisor itself says).
const char* state_name(int state);

// One entry of getProcessInfo / getAllProcessInfo. Times are Unix seconds,
// 0 when never started/stopped. exitstatus is -1 after a kill by signal
// (supervisor reports the raw status it could decode). pid is 0 when not
// running.
struct ProcessInfo {
    std::string name, group, statename, spawnerr, description;
    int state = states::UNKNOWN;
    int64_t pid = 0, start = 0, stop = 0, now = 0, exitstatus = 0;

    // "group:name" unless both are the same (a plain [program:x]); the form
    // the process-level calls accept.
    std::string full_name() const;
};

// name, group, state and pid are required; the rest default when absent so
// a newer supervisord that drops a field does not break us.
Result<ProcessInfo> to_process_info(const Value& v);
Result<std::vector<ProcessInfo>> to_process_infos(const Value& v);

// Request bodies. `name` is "program" or "group:program".
std::string get_process_info_call(const std::string& name);
std::string get_all_process_info_call();
std::string start_process_call(const std::string& name, bool wait);
std::string stop_process_call(const std::string& name, bool wait);
// `signal` is a name ("KILL", "TERM", "HUP") or a number as text.
std::string signal_process_call(const std::string& name, const std::string& signal);
// supervisor.getPID: supervisord's own pid, an int.
std::string get_pid_call();

}  // namespace hc::xmlrpc
