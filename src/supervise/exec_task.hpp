#pragma once
// The exec action and the exec probe: `/bin/sh -c CMD`, or an argv run
// without a shell, in its own process group, values passed only through the
// environment (HC_PROGRAM, HC_CHECK, HC_TYPE, HC_MESSAGE) and never pasted
// into the command, output captured (capped) for the log, and the whole
// group killed at the deadline.
#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "net/fd.hpp"
#include "supervise/loop.hpp"

namespace hc::supervise {

struct ExecResult {
    bool started = false;
    bool timed_out = false;
    int exit_code = -1;  // -1 when killed by a signal or not started
    int signal = 0;
    std::string output;  // stdout+stderr, at most 64 KiB
    std::string error;   // why it could not start
};

class ExecTask final : public Task {
public:
    using Env = std::vector<std::pair<std::string, std::string>>;
    using Done = std::function<void(const ExecResult&)>;

    ExecTask(const std::string& command, const Env& env, long timeout_ms, Done done);
    // argv[0] is looked up in PATH (execvp); no shell. argv must not be empty.
    ExecTask(const std::vector<std::string>& argv, const Env& env, long timeout_ms, Done done);
    ~ExecTask() override;

    int fd() const override { return out_.get(); }
    short events() const override { return POLLIN; }
    Deadline timer() const override;
    void on_ready() override;
    void on_timeout() override;
    bool finished() const override { return finished_; }
    void complete() override { done_(result_); }
    pid_t pid() const { return pid_; }

private:
    void start(const std::vector<std::string>& args, const Env& env);
    void try_reap();

    net::Fd out_;
    pid_t pid_ = -1;
    Deadline deadline_;
    Deadline reap_poll_ = Deadline::never();
    bool eof_ = false;
    bool finished_ = false;
    ExecResult result_;
    Done done_;
};

}  // namespace hc::supervise
