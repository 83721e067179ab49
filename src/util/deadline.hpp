#pragma once
// One point in time by which an operation must be done. Every network
// operation takes one, so a whole request (DNS + connect + TLS + I/O)
// shares a single budget instead of a per-read timeout.
#include <chrono>
#include <climits>

namespace hc {

using Clock = std::chrono::steady_clock;

class Deadline {
public:
    static Deadline after_ms(long long ms) { return Deadline(Clock::now() + std::chrono::milliseconds(ms)); }
    static Deadline never() { return Deadline(Clock::time_point::max()); }
    explicit Deadline(Clock::time_point at) : at_(at) {}

    Clock::time_point at() const { return at_; }
    bool expired() const { return Clock::now() >= at_; }
    // Milliseconds left, rounded up, clamped to [0, INT_MAX]; for poll().
    int remaining_ms() const {
        if (at_ == Clock::time_point::max()) return INT_MAX;
        auto left = at_ - Clock::now();
        if (left <= Clock::duration::zero()) return 0;
        auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
        return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
    }
    Deadline earlier(Deadline other) const { return other.at_ < at_ ? other : *this; }

private:
    Clock::time_point at_;
};

}  // namespace hc
