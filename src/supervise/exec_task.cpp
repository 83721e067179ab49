#include "supervise/exec_task.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/result.hpp"

namespace hc::supervise {
namespace {

constexpr size_t kMaxOutput = 64 * 1024;

// Only what was prepared before fork() is used here: argv as C strings.
[[noreturn]] void exec_child(const std::vector<char*>& argv, const ExecTask::Env& env, int out_fd) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    ::execvp(argv[0], argv.data());
    const char msg[] = "healthcheck: cannot run ";
    (void)!::write(2, msg, sizeof msg - 1);
    (void)!::write(2, argv[0], std::strlen(argv[0]));
    (void)!::write(2, "\n", 1);
    ::_exit(127);
}

}  // namespace

ExecTask::ExecTask(const std::string& command, const Env& env, long timeout_ms, Done done)
    : deadline_(Deadline::after_ms(timeout_ms)), done_(std::move(done)) {
    start({"/bin/sh", "-c", command}, env);
}

ExecTask::ExecTask(const std::vector<std::string>& argv, const Env& env, long timeout_ms, Done done)
    : deadline_(Deadline::after_ms(timeout_ms)), done_(std::move(done)) {
    if (argv.empty() || argv[0].empty()) {
        result_.error = "empty command";
        finished_ = true;
        return;
    }
    start(argv, env);
}

void ExecTask::start(const std::vector<std::string>& args, const Env& env) {
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        result_.error = "pipe: " + errno_text(errno);
        finished_ = true;
        return;
    }
    pid_ = ::fork();
    if (pid_ == 0) {
        ::close(fds[0]);
        exec_child(argv, env, fds[1]);
    }
    ::close(fds[1]);
    if (pid_ < 0) {
        ::close(fds[0]);
        result_.error = "fork: " + errno_text(errno);
        finished_ = true;
        return;
    }
    ::setpgid(pid_, pid_);  // also from the parent: no race with kill below
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
    out_.reset(fds[0]);
    result_.started = true;
    reap_poll_ = Deadline::after_ms(200);
}

ExecTask::~ExecTask() {
    if (pid_ > 0 && !finished_) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

Deadline ExecTask::timer() const { return deadline_.earlier(reap_poll_); }

void ExecTask::on_ready() {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(out_.get(), buf, sizeof buf);
        if (n > 0) {
            size_t room = kMaxOutput - std::min(kMaxOutput, result_.output.size());
            result_.output.append(buf, std::min(room, static_cast<size_t>(n)));
            continue;
        }
        if (n == 0) {
            eof_ = true;
            break;
        }
        if (errno == EINTR) continue;
        break;  // EAGAIN: wait for more
    }
    if (eof_) try_reap();
}

void ExecTask::try_reap() {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
        finished_ = true;
        out_.reset();
        return;
    }
    // Not exited yet. At EOF stop polling the pipe (it would be ready
    // forever; poll ignores fd -1). A background grandchild may hold the pipe
    // open after the shell exits, so look at the shell on a timer as well.
    if (eof_) out_.reset();
    reap_poll_ = Deadline::after_ms(eof_ ? 20 : 200);
}

void ExecTask::on_timeout() {
    if (!deadline_.expired()) {
        try_reap();
        return;
    }
    result_.timed_out = true;
    ::kill(-pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
    finished_ = true;
    out_.reset();
}

}  // namespace hc::supervise
