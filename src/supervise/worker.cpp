#include "supervise/worker.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>

#include "net/resolver.hpp"

namespace hc::supervise {

Worker::Worker(EventLoop& loop) : loop_(loop), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    loop_.watch_readable(wake_.get(), [this] { drain_completions(); });
}

Worker::~Worker() { stop(); }

void Worker::post(Job job) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
        jobs_.push_back(std::move(job));
        // Started on first use: most configs never need a worker (no mail,
        // no robots, rss only, no DNS names), and then the daemon is one thread.
        if (!thread_.joinable()) thread_ = std::thread([this] { thread_main(); });
    }
    cv_.notify_one();
}

size_t Worker::queued() const {
    std::lock_guard<std::mutex> lock(mu_);
    return jobs_.size();
}

void Worker::stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
        jobs_.clear();
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool Worker::stop_within(long timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    jobs_.clear();
    if (!thread_.joinable()) return true;
    cv_.notify_all();
    if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return exited_; })) return false;
    lock.unlock();
    if (thread_.joinable()) thread_.join();
    return true;
}

void Worker::thread_main() {
    for (;;) {
        Job job;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_) {
                exited_ = true;
                cv_.notify_all();
                return;
            }
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        Continuation next = job();
        if (!next) continue;
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (stopping_) continue;
            done_.push_back(std::move(next));
        }
        uint64_t one = 1;
        (void)!::write(wake_.get(), &one, sizeof one);
    }
}

void Worker::drain_completions() {
    uint64_t count = 0;
    (void)!::read(wake_.get(), &count, sizeof count);
    std::deque<Continuation> ready;
    {
        std::lock_guard<std::mutex> lock(mu_);
        ready.swap(done_);
    }
    for (auto& c : ready) c();
}

void resolve_async(Worker& worker, const std::string& host, uint16_t port, Deadline deadline,
                   std::function<void(Addresses)> then) {
    bool instant = net::parse_ip_literal(host, port).has_value() || host == "localhost";
    if (instant) return then(net::resolve(host, port, deadline));
    worker.post([host, port, deadline, then]() -> Worker::Continuation {
        auto r = std::make_shared<Addresses>(net::resolve(host, port, deadline));
        return [r, then] { then(std::move(*r)); };
    });
}

}  // namespace hc::supervise
