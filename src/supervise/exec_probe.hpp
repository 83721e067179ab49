#pragma once
// The exec probe (Kubernetes' exec probe): runs the check's `command`
// (argv without a shell, or a string with /bin/sh -c) through ExecTask on
// the event loop, so a slow command never blocks other checks. Exit 0
// passes; any other exit, a signal or the timeoutSeconds deadline (the
// whole process group is killed, the child reaped) fails. The output
// (stdout and stderr) goes into the reason, bounded and escaped.
#include <string>

#include "supervise/config.hpp"
#include "supervise/exec_task.hpp"
#include "supervise/loop.hpp"
#include "supervise/probes.hpp"

namespace hc::supervise {

// Output bytes shown in a reason; the rest is cut (at a UTF-8 boundary).
constexpr size_t kExecProbeOutputMax = 4096;

void probe_exec(EventLoop& loop, const CheckConfig& cfg, OutcomeFn done);

// Exposed for tests.
// The command for messages: argv joined by spaces (or the shell string),
// control bytes escaped, at most 200 bytes.
std::string exec_command_text(const CheckConfig& cfg);
// Output for one log line: trailing blank lines dropped, line breaks shown
// as " | ", other control bytes as \xHH, at most kExecProbeOutputMax bytes
// of the output then "... (cut)".
std::string exec_output_text(const std::string& raw);
Outcome judge_exec(const CheckConfig& cfg, const ExecResult& r);

}  // namespace hc::supervise
