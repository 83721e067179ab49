#include "supervise/delivery.hpp"

namespace hc::supervise {

namespace {

constexpr auto kReportEvery = std::chrono::seconds(10);

int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

bool LaneQueue::push(DeliveryJob job) {
    bool dropped = false;
    if (jobs_.size() >= capacity_) {
        jobs_.pop_front();
        ++dropped_;
        dropped = true;
    }
    jobs_.push_back(std::move(job));
    return dropped;
}

DeliveryJob LaneQueue::take() {
    DeliveryJob job = std::move(jobs_.front());
    jobs_.pop_front();
    in_flight_ = true;
    return job;
}

void LaneQueue::finish(DeliveryJob job, const TryResult& result, int64_t now_ms) {
    in_flight_ = false;
    if (result.done) {
        next_try_ms_ = now_ms;
        return;
    }
    // Back at the front, over capacity by one at most: the retried notice
    // is the one in progress, not a new one.
    jobs_.push_front(std::move(job));
    next_try_ms_ = now_ms + (result.retry_ms > 0 ? result.retry_ms : 0);
}

Lane::Lane(size_t capacity, DropReport on_drop) : queue_(capacity), on_drop_(std::move(on_drop)) {}

Lane::~Lane() {
    request_stop();
    if (thread_.joinable()) thread_.join();
}

uint64_t Lane::take_report(bool force) {
    if (unreported_ == 0) return 0;
    auto now = std::chrono::steady_clock::now();
    if (!force && reported_once_ && now - last_report_ < kReportEvery) return 0;
    reported_once_ = true;
    last_report_ = now;
    uint64_t n = unreported_;
    unreported_ = 0;
    return n;
}

void Lane::post(DeliveryJob job) {
    uint64_t report = 0, total = 0;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
        if (queue_.push(std::move(job))) ++unreported_;
        report = take_report(false);
        total = queue_.dropped();
        // Started on first use: most configs have one or two targets.
        if (!thread_.joinable()) thread_ = std::thread([this] { thread_main(); });
    }
    cv_.notify_all();
    if (report && on_drop_) on_drop_(report, total);
}

size_t Lane::pending() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.pending();
}

void Lane::request_stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
        queue_.clear();
    }
    cv_.notify_all();
}

bool Lane::join_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!thread_.joinable()) return true;
    if (!cv_.wait_until(lock, deadline, [this] { return exited_; })) return false;
    lock.unlock();
    thread_.join();
    return true;
}

void Lane::thread_main() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        if (stopping_) break;
        int64_t now = steady_ms();
        if (!queue_.due(now)) {
            if (queue_.pending() > 0)
                cv_.wait_for(lock, std::chrono::milliseconds(queue_.next_try_ms() - now));
            else
                cv_.wait(lock);
            continue;
        }
        DeliveryJob job = queue_.take();
        lock.unlock();
        TryResult result = job();
        lock.lock();
        queue_.finish(std::move(job), result, steady_ms());
        uint64_t report = take_report(true), total = queue_.dropped();
        if (report && on_drop_) {
            lock.unlock();
            on_drop_(report, total);
            lock.lock();
        }
    }
    exited_ = true;
    lock.unlock();
    cv_.notify_all();
}

}  // namespace hc::supervise
