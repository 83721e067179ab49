#include "http/keep_alive.hpp"

#include <algorithm>

namespace hc::http {

std::optional<IdleConnection> ConnectionSlot::take(const std::vector<net::Address>& addresses) {
    if (!idle_) return std::nullopt;
    std::optional<IdleConnection> c = std::move(idle_);
    clear();
    const bool same_peer = std::find(addresses.begin(), addresses.end(), c->peer) != addresses.end();
    if (!same_peer || Clock::now() - c->opened >= max_age_ || !net::still_open(c->transport->fd()))
        return std::nullopt;  // c closes here
    return c;
}

void ConnectionSlot::keep(IdleConnection c) {
    clear();
    if (!c.transport || Clock::now() - c.opened >= max_age_ || !budget_->acquire()) return;
    idle_ = std::move(c);
}

void ConnectionSlot::clear() {
    if (!idle_) return;
    idle_.reset();
    budget_->release();
}

}  // namespace hc::http
