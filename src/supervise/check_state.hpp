#pragma once
// The per-check state machine of supervise mode, kept free of I/O so it can
// be tested alone (Kubernetes prober style: lastResult + resultRun).
//
//   Unknown --failureThreshold consecutive failures--> Failed   (act)
//   Unknown --successThreshold consecutive successes--> Healthy
//   Healthy --failureThreshold consecutive failures--> Failed   (act)
//   Failed  --successThreshold consecutive successes--> Healthy (resolved)
//
// Backoff: after an action, the next one may fire only `gap` later; the gap
// starts at period x failureThreshold and doubles per action up to 10 min,
// so a crash-looping program cannot cause a restart storm. It resets after
// the check has stayed healthy for the current gap.
#include <chrono>

#include "util/deadline.hpp"

namespace hc::supervise {

enum class Health { Unknown, Healthy, Failed };
enum class Transition { None, BecameFailed, Recovered, BecameHealthy };

const char* to_string(Health h);

class Counters {
public:
    Transition record(bool ok, int failure_threshold, int success_threshold);
    void reset() { *this = Counters(); }
    Health health() const { return health_; }
    int run() const { return run_; }
    bool last_ok() const { return last_ok_; }

private:
    Health health_ = Health::Unknown;
    bool has_last_ = false;
    bool last_ok_ = false;
    int run_ = 0;
};

class Backoff {
public:
    static constexpr std::chrono::seconds kMaxGap{600};

    explicit Backoff(std::chrono::milliseconds base = std::chrono::seconds(15)) : base_(base), gap_(base) {}
    bool may_act(Clock::time_point now) const { return !acted_ || now >= last_action_ + gap_in_force_; }
    Clock::time_point next_allowed() const { return last_action_ + gap_in_force_; }
    void acted(Clock::time_point now);
    // Called on every healthy result; resets once healthy long enough.
    void healthy_since(Clock::time_point since, Clock::time_point now);
    std::chrono::milliseconds gap() const { return gap_in_force_; }

private:
    std::chrono::milliseconds base_;
    std::chrono::milliseconds gap_;  // applied after the next action
    std::chrono::milliseconds gap_in_force_{0};
    Clock::time_point last_action_{};
    bool acted_ = false;
};

}  // namespace hc::supervise
