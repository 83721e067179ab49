#pragma once
// Loop tasks over the transport and HTTP layers: an HTTP exchange and a
// bare TCP connect (the tcp check), each with a completion callback.
#include <functional>
#include <memory>

#include "http/exchange.hpp"
#include "net/transport.hpp"
#include "supervise/loop.hpp"

namespace hc::supervise {

class ExchangeTask final : public Task {
public:
    using Done = std::function<void(http::Exchange&)>;
    ExchangeTask(std::unique_ptr<http::Exchange> ex, Done done) : ex_(std::move(ex)), done_(std::move(done)) {}
    int fd() const override { return ex_->fd(); }
    short events() const override { return ex_->wait_events(); }
    Deadline timer() const override { return ex_->timer(); }
    void on_ready() override { ex_->step(); }
    void on_timeout() override { ex_->on_timeout(); }
    bool finished() const override { return ex_->finished(); }
    void complete() override { done_(*ex_); }

private:
    std::unique_ptr<http::Exchange> ex_;
    Done done_;
};

// Connects to each address in turn (equal share of the deadline each);
// success = one connect completes. A failure keeps the last attempt's kind
// (Connect, Timeout, LocalResource when socket() fails).
class ConnectTask final : public Task {
public:
    using Done = std::function<void(const Status&)>;
    ConnectTask(std::vector<net::Address> addresses, Deadline deadline, Done done);
    int fd() const override { return transport_ ? transport_->fd() : -1; }
    short events() const override { return POLLOUT; }
    Deadline timer() const override { return attempt_deadline_; }
    void on_ready() override;
    void on_timeout() override;
    bool finished() const override { return finished_; }
    void complete() override { done_(result_); }

private:
    void start_attempt();
    void finish(Status s);

    std::vector<net::Address> addresses_;
    size_t index_ = 0;
    Deadline deadline_;
    Deadline attempt_deadline_;
    std::unique_ptr<net::Transport> transport_;
    Done done_;
    bool finished_ = false;
    Status result_ = ok_status();
    Error last_error_;
};

}  // namespace hc::supervise
