#pragma once
// Delivery lanes for notices: one lane per target (the mail server, each
// robot, each webhook), each with its own bounded queue, its own thread and
// its own retry schedule. A dead endpoint delays only its own notices, and
// a flood of notices costs at most `capacity` pending ones per target.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace hc::supervise {

// What one try of a notice asks for next.
struct TryResult {
    bool done = true;   // delivered, or given up (the job has logged why)
    long retry_ms = 0;  // when !done: the pause before the next try
    static TryResult finished() { return {true, 0}; }
    static TryResult retry_after(long ms) { return {false, ms}; }
};

// One notice for one target; each call is one try (the job counts its own
// tries). Runs on the lane's thread.
using DeliveryJob = std::function<TryResult()>;

// The pending notices of one target, oldest first, at most `capacity`
// (the one being tried is not pending). Pure: the caller passes the time,
// so the schedule is unit tested with a fake clock.
class LaneQueue {
public:
    explicit LaneQueue(size_t capacity) : capacity_(capacity ? capacity : 1) {}
    // Appends; when full, the oldest pending notice is dropped to make room
    // (the newest say most about the present). True when one was dropped.
    bool push(DeliveryJob job);
    // A job is due: none in flight, one pending, its time has come.
    bool due(int64_t now_ms) const { return !in_flight_ && !jobs_.empty() && now_ms >= next_try_ms_; }
    // Takes the front job for a try (call only when due()).
    DeliveryJob take();
    // The try ended at now_ms: a retry goes back to the front and waits its
    // pause (the next notice waits behind it: order per target is kept);
    // otherwise the next notice may go at once.
    void finish(DeliveryJob job, const TryResult& result, int64_t now_ms);
    void clear() { jobs_.clear(); }

    bool in_flight() const { return in_flight_; }
    size_t pending() const { return jobs_.size(); }
    int64_t next_try_ms() const { return next_try_ms_; }
    uint64_t dropped() const { return dropped_; }

private:
    size_t capacity_;
    std::deque<DeliveryJob> jobs_;
    bool in_flight_ = false;
    int64_t next_try_ms_ = 0;
    uint64_t dropped_ = 0;
};

// A LaneQueue with its own thread (started on the first post). Drops are
// reported through `on_drop(dropped since the last report, total)`: at the
// first drop, then at most every 10 s from post(), and after each try.
class Lane {
public:
    using DropReport = std::function<void(uint64_t newly, uint64_t total)>;

    Lane(size_t capacity, DropReport on_drop);
    ~Lane();
    Lane(const Lane&) = delete;
    Lane& operator=(const Lane&) = delete;

    void post(DeliveryJob job);
    size_t pending() const;
    // Drops what is pending and asks the thread to end after its try.
    void request_stop();
    // After request_stop: true when the thread has ended by `deadline` (it
    // is joined); false while a try still runs (a mail to a dead server).
    bool join_until(std::chrono::steady_clock::time_point deadline);

private:
    void thread_main();
    // Under mu_: takes the unreported drop count when a report is due.
    uint64_t take_report(bool force);

    mutable std::mutex mu_;
    std::condition_variable cv_;
    LaneQueue queue_;
    DropReport on_drop_;
    uint64_t unreported_ = 0;
    std::chrono::steady_clock::time_point last_report_{};
    bool reported_once_ = false;
    bool stopping_ = false;
    bool exited_ = false;
    std::thread thread_;
};

}  // namespace hc::supervise
