#include "supervise/exec_probe.hpp"

#include <memory>

#include "util/text.hpp"

namespace hc::supervise {

std::string exec_command_text(const CheckConfig& cfg) {
    std::string s = cfg.exec->command_line;
    for (const auto& a : cfg.exec->command_argv) s += (s.empty() ? "" : " ") + a;
    s = escape_control(s);
    if (s.size() > 200) s.replace(197, std::string::npos, "...");
    return s;
}

std::string exec_output_text(const std::string& raw) {
    size_t end = raw.size();
    while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r' || raw[end - 1] == ' ')) --end;
    bool cut = end > kExecProbeOutputMax;
    if (cut) {
        end = kExecProbeOutputMax;
        // Never end inside a UTF-8 sequence: back up to a character start.
        while (end > 0 && (static_cast<unsigned char>(raw[end]) & 0xC0) == 0x80) --end;
    }
    std::string out;
    size_t start = 0;
    while (start < end) {
        size_t nl = raw.find('\n', start);
        size_t stop = nl == std::string::npos || nl > end ? end : nl;
        size_t line_end = stop > start && raw[stop - 1] == '\r' ? stop - 1 : stop;
        if (!out.empty() || start > 0) out += " | ";
        out += escape_control(std::string_view(raw).substr(start, line_end - start));
        start = stop + 1;
    }
    if (cut) out += "... (cut)";
    return out;
}

Outcome judge_exec(const CheckConfig& cfg, const ExecResult& r) {
    const std::string shown = "exec " + exec_command_text(cfg);
    // Not the program's fault (fork or pipe failed here): not counted.
    if (!r.started) return Outcome::error(shown + ": cannot start: " + r.error);
    std::string out = exec_output_text(r.output);
    std::string tail = out.empty() ? "" : ", output: " + out;
    if (r.timed_out)
        return Outcome::fail(shown + ": timed out after " + std::to_string(cfg.timeout_seconds) +
                             " s (process group killed)" + tail);
    if (r.signal) return Outcome::fail(shown + ": killed by signal " + std::to_string(r.signal) + tail);
    if (r.exit_code == 0) return Outcome::pass(shown + ": exit 0" + tail);
    return Outcome::fail(shown + ": exit " + std::to_string(r.exit_code) + tail);
}

void probe_exec(EventLoop& loop, const CheckConfig& cfg, OutcomeFn done) {
    const ExecTask::Env env{{"HC_PROGRAM", cfg.program}, {"HC_CHECK", cfg.name}, {"HC_TYPE", "exec"}};
    const long timeout_ms = cfg.timeout_seconds * 1000L;
    auto finish = [cfg, done](const ExecResult& r) { done(judge_exec(cfg, r)); };
    std::unique_ptr<ExecTask> task;
    if (!cfg.exec->command_argv.empty())
        task = std::make_unique<ExecTask>(cfg.exec->command_argv, env, timeout_ms, finish);
    else
        task = std::make_unique<ExecTask>(cfg.exec->command_line, env, timeout_ms, finish);
    loop.add(std::move(task));
}

}  // namespace hc::supervise
