#include "supervise/loop.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>

namespace hc::supervise {

EventLoop::TimerId EventLoop::at(Clock::time_point when, std::function<void()> fn) {
    TimerId id = next_id_++;
    auto it = timers_.emplace(when, std::make_pair(id, std::move(fn)));
    timer_index_[id] = it;
    return id;
}

void EventLoop::cancel(TimerId id) {
    auto found = timer_index_.find(id);
    if (found == timer_index_.end()) return;
    timers_.erase(found->second);
    timer_index_.erase(found);
}

void EventLoop::add(std::unique_ptr<Task> task) {
    if (task->finished()) {
        task->complete();
        return;
    }
    tasks_.push_back(std::move(task));
}

void EventLoop::watch_readable(int fd, std::function<void()> fn) { watches_.emplace_back(fd, std::move(fn)); }

void EventLoop::run_due_timers() {
    auto now = Clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now && !stopping_) {
        auto it = timers_.begin();
        auto fn = std::move(it->second.second);
        timer_index_.erase(it->second.first);
        timers_.erase(it);
        fn();
    }
    // What they deferred; a deferred function may defer more (bounded by
    // what the callers do: a tick defers its probe, a probe nothing).
    while (!after_timers_.empty() && !stopping_) {
        auto batch = std::move(after_timers_);
        after_timers_.clear();
        for (auto& fn : batch) fn();
    }
}

void EventLoop::complete_finished() {
    // complete() may add tasks; collect first so the vector is not mutated
    // while we walk it.
    std::vector<std::unique_ptr<Task>> done;
    for (auto& t : tasks_)
        if (t->finished()) done.push_back(std::move(t));
    if (done.empty()) return;
    tasks_.erase(std::remove(tasks_.begin(), tasks_.end(), nullptr), tasks_.end());
    for (auto& t : done) t->complete();
}

void EventLoop::run() {
    std::vector<pollfd> fds;
    while (!stopping_) {
        Deadline next = timers_.empty() ? Deadline::never() : Deadline(timers_.begin()->first);
        fds.clear();
        for (auto& [fd, fn] : watches_) fds.push_back(pollfd{fd, POLLIN, 0});
        for (auto& t : tasks_) {
            fds.push_back(pollfd{t->fd(), t->events(), 0});
            next = next.earlier(t->timer());
        }
        int rc = ::poll(fds.data(), fds.size(), after_timers_.empty() ? next.remaining_ms() : 0);
        if (rc < 0 && errno != EINTR) break;
        size_t w = watches_.size();
        for (size_t i = 0; rc > 0 && i < w; ++i)
            if (fds[i].revents) watches_[i].second();
        // Tasks added by callbacks above sit past the end of fds: skip them.
        size_t polled = fds.size() - w;
        for (size_t i = 0; i < polled && i < tasks_.size(); ++i) {
            auto& t = tasks_[i];
            if (t->finished()) continue;
            if (rc > 0 && fds[w + i].revents)
                t->on_ready();
            else if (t->timer().expired())
                t->on_timeout();
        }
        complete_finished();
        run_due_timers();
        complete_finished();
    }
}

}  // namespace hc::supervise
