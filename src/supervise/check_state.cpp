#include "supervise/check_state.hpp"

#include <algorithm>

namespace hc::supervise {

const char* to_string(Health h) {
    switch (h) {
        case Health::Unknown: return "unknown";
        case Health::Healthy: return "healthy";
        case Health::Failed: return "failed";
    }
    return "unknown";
}

Transition Counters::record(bool ok, int failure_threshold, int success_threshold) {
    run_ = (has_last_ && last_ok_ == ok) ? run_ + 1 : 1;
    has_last_ = true;
    last_ok_ = ok;
    if (ok && health_ != Health::Healthy && run_ >= success_threshold) {
        Health before = health_;
        health_ = Health::Healthy;
        return before == Health::Failed ? Transition::Recovered : Transition::BecameHealthy;
    }
    if (!ok && health_ != Health::Failed && run_ >= failure_threshold) {
        health_ = Health::Failed;
        return Transition::BecameFailed;
    }
    return Transition::None;
}

void Backoff::acted(Clock::time_point now) {
    gap_in_force_ = gap_;
    gap_ = std::min<std::chrono::milliseconds>(gap_ * 2, kMaxGap);
    last_action_ = now;
    acted_ = true;
}

void Backoff::healthy_since(Clock::time_point since, Clock::time_point now) {
    if (acted_ && now - since >= gap_in_force_) {
        gap_ = base_;
        gap_in_force_ = std::chrono::milliseconds(0);
        acted_ = false;
    }
}

}  // namespace hc::supervise
