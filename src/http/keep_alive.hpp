#pragma once
// HTTP/1.1 connection reuse for a prober that asks the same server again and
// again (Envoy's health checker keeps its connection the same way): a probe
// every second over a fresh connection costs the prober and the server a TCP
// handshake and teardown each time, several times the request itself.
//
// A ConnectionSlot holds at most one idle connection, for one check. It gives
// it back only while it is safe: to one of the addresses the name resolves to
// now, younger than max_age (so a fresh connection, and the server's accept
// path, is still tried regularly), and not closed by the server meanwhile.
// An IdleBudget caps the idle connections of all slots together: each holds
// a descriptor, and a server slot at the other end.
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "net/address.hpp"
#include "net/transport.hpp"
#include "util/deadline.hpp"

namespace hc::http {

struct IdleConnection {
    net::Address peer;
    std::unique_ptr<net::Transport> transport;
    Clock::time_point opened{};  // when the connection was made
};

class IdleBudget {
public:
    explicit IdleBudget(size_t max) : max_(max) {}
    bool acquire() { return used_ < max_ ? (++used_, true) : false; }
    void release() {
        if (used_ > 0) --used_;
    }
    size_t used() const { return used_; }

private:
    size_t max_;
    size_t used_ = 0;
};

class ConnectionSlot {
public:
    ConnectionSlot(std::shared_ptr<IdleBudget> budget, Clock::duration max_age)
        : budget_(std::move(budget)), max_age_(max_age) {}
    ~ConnectionSlot() { clear(); }
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;

    // The kept connection when it may carry the next request to one of
    // `addresses`; otherwise it is closed and nothing is returned.
    std::optional<IdleConnection> take(const std::vector<net::Address>& addresses);
    // Keeps c for the next request, if the budget has room and c is young
    // enough; else c is closed.
    void keep(IdleConnection c);
    void clear();
    bool holds() const { return idle_.has_value(); }

private:
    std::shared_ptr<IdleBudget> budget_;
    Clock::duration max_age_;
    std::optional<IdleConnection> idle_;
};

}  // namespace hc::http
