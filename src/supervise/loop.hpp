#pragma once
// Single-threaded event loop of supervise mode: timers plus non-blocking
// tasks polled together, so a check that hangs until its timeout never
// delays another check's schedule. poll(2) is enough at our scale (a
// thousand fds); the loop holds no check logic.
#include <poll.h>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "util/deadline.hpp"

namespace hc::supervise {

// Something waiting on one fd with a deadline (an HTTP exchange, a TCP
// connect, an exec's output pipe).
class Task {
public:
    virtual ~Task() = default;
    virtual int fd() const = 0;
    virtual short events() const = 0;
    virtual Deadline timer() const = 0;
    virtual void on_ready() = 0;
    virtual void on_timeout() = 0;
    virtual bool finished() const = 0;
    // Called once, from the loop, after finished() turns true.
    virtual void complete() = 0;
};

class EventLoop {
public:
    using TimerId = uint64_t;

    TimerId at(Clock::time_point when, std::function<void()> fn);
    TimerId after_ms(long long ms, std::function<void()> fn) {
        return at(Clock::now() + std::chrono::milliseconds(ms), std::move(fn));
    }
    void cancel(TimerId id);
    // Runs fn once the timers due now have all run (in this pass of the
    // loop, or the next one when called outside a pass), in call order.
    void after_timers(std::function<void()> fn) { after_timers_.push_back(std::move(fn)); }

    // Takes ownership; the task is polled until finished, then completed.
    void add(std::unique_ptr<Task> task);
    // Watches an fd forever (signalfd); fn runs when it is readable.
    void watch_readable(int fd, std::function<void()> fn);

    // Runs until stop(); returns at once if stop() was called before.
    void run();
    void stop() { stopping_ = true; }
    bool stopping() const { return stopping_; }
    size_t task_count() const { return tasks_.size(); }
    // Destroys pending tasks without completing them (exec tasks kill their
    // process groups on destruction).
    void clear_tasks() { tasks_.clear(); }

private:
    void run_due_timers();
    void complete_finished();

    std::multimap<Clock::time_point, std::pair<TimerId, std::function<void()>>> timers_;
    std::map<TimerId, decltype(timers_)::iterator> timer_index_;
    TimerId next_id_ = 1;
    std::vector<std::unique_ptr<Task>> tasks_;
    std::vector<std::pair<int, std::function<void()>>> watches_;
    std::vector<std::function<void()>> after_timers_;
    bool stopping_ = false;
};

}  // namespace hc::supervise
