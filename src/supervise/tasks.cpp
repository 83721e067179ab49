#include "supervise/tasks.hpp"

namespace hc::supervise {

ConnectTask::ConnectTask(std::vector<net::Address> addresses, Deadline deadline, Done done)
    : addresses_(std::move(addresses)), deadline_(deadline), attempt_deadline_(deadline), done_(std::move(done)) {
    if (addresses_.empty())
        finish(err("no address to connect to", ErrorKind::Resolve));
    else
        start_attempt();
}

void ConnectTask::finish(Status s) {
    finished_ = true;
    result_ = std::move(s);
    transport_.reset();
}

void ConnectTask::start_attempt() {
    while (index_ < addresses_.size()) {
        auto left = deadline_.at() - Clock::now();
        attempt_deadline_ = Deadline(Clock::now() + left / static_cast<long>(addresses_.size() - index_));
        auto t = net::tcp_connect_start(addresses_[index_]);
        if (t) {
            transport_ = std::move(*t);
            return;
        }
        last_error_ = t.failure();  // socket() failed (LocalResource): try the next address as before
        ++index_;
    }
    finish(last_error_);
}

void ConnectTask::on_ready() {
    auto r = transport_->establish();
    if (r.state == net::Io::Done) {
        finish(ok_status());
    } else if (r.state == net::Io::Failed || r.state == net::Io::Eof) {
        last_error_ = r.error.empty() ? err("connection closed") : err(r.error, r.kind);
        ++index_;
        transport_.reset();
        start_attempt();
    }
}

void ConnectTask::on_timeout() {
    last_error_ = err("connect " + addresses_[index_].str() + ": timed out", ErrorKind::Timeout);
    ++index_;
    transport_.reset();
    if (deadline_.expired())
        finish(last_error_);
    else
        start_attempt();
}

}  // namespace hc::supervise
