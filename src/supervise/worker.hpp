#pragma once
// One background thread with a job queue, for the few things that may block:
// smaps_rollup reads of big processes and notification delivery (SMTP,
// robots). A job runs on the worker; the continuation it returns runs on
// the event loop thread, woken through an eventfd.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "net/address.hpp"
#include "net/fd.hpp"
#include "supervise/loop.hpp"
#include "util/deadline.hpp"
#include "util/result.hpp"

namespace hc::supervise {

class Worker {
public:
    using Continuation = std::function<void()>;
    using Job = std::function<Continuation()>;

    explicit Worker(EventLoop& loop);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void post(Job job);
    size_t queued() const;
    // Finishes the running job (if any), drops the rest, joins the thread.
    void stop();
    // As stop(), but gives up after timeout_ms: returns false when a job is
    // still running (a mail to a dead server), so the caller can exit anyway.
    bool stop_within(long timeout_ms);

private:
    void thread_main();
    void drain_completions();

    EventLoop& loop_;
    net::Fd wake_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    std::deque<Continuation> done_;
    bool stopping_ = false;
    bool exited_ = false;
    std::thread thread_;
};

using Addresses = Result<std::vector<net::Address>>;

// Resolves host on the worker (a DNS lookup may take the whole deadline),
// except IP literals and "localhost", which need no I/O and are answered at
// once. `then` runs on the loop thread either way.
void resolve_async(Worker& worker, const std::string& host, uint16_t port, Deadline deadline,
                   std::function<void(Addresses)> then);

}  // namespace hc::supervise
