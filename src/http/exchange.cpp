#include "http/exchange.hpp"

#include <poll.h>

#include <algorithm>

namespace hc::http {

Exchange::Exchange(const Request& request, std::vector<net::Address> addresses, ExchangeOptions options,
                   Deadline deadline, std::optional<IdleConnection> reuse)
    : host_(request.url.host),
      tls_(request.url.tls()),
      addresses_(std::move(addresses)),
      options_(std::move(options)),
      deadline_(deadline),
      attempt_deadline_(deadline),
      started_(Clock::now()),
      parser_(options_.limits, request.method == "HEAD"),
      head_request_(request.method == "HEAD") {
    auto wire = serialize_request(request, options_.user_agent, options_.keep_alive);
    if (!wire) {
        fail(wire.failure());
        return;
    }
    wire_ = std::move(*wire);
    if (addresses_.empty()) {
        fail("no address to connect to", ErrorKind::Resolve);
        return;
    }
    if (tls_ && !options_.tls) {
        fail("https requested without a TLS configuration", ErrorKind::Config);
        return;
    }
    if (reuse && reuse->transport && options_.keep_alive) {
        auto at = std::find(addresses_.begin(), addresses_.end(), reuse->peer);
        if (at != addresses_.end()) {
            address_index_ = static_cast<size_t>(at - addresses_.begin());
            transport_ = std::move(reuse->transport);
            opened_ = reuse->opened;
            reused_ = established_ = true;
            state_ = State::Sending;
            step();
            return;
        }
    }
    start_attempt();
}

bool Exchange::retry_fresh() {
    if (!reused_ || response_started_ || deadline_.expired()) return false;
    reused_ = false;
    transport_.reset();
    sent_ = 0;
    parser_ = ResponseParser(options_.limits, head_request_);
    address_index_ = 0;
    start_attempt();
    return true;
}

std::optional<IdleConnection> Exchange::take_connection() {
    if (state_ != State::Done || !transport_) return std::nullopt;
    return IdleConnection{addresses_[address_index_], std::move(transport_), opened_};
}

void Exchange::fail(std::string why, ErrorKind kind) {
    state_ = State::Failed;
    error_ = std::move(why);
    error_kind_ = kind;
    transport_.reset();
}

void Exchange::start_attempt() {
    state_ = State::Connecting;
    established_ = false;
    // Each remaining address gets an equal share of the time left, so one
    // black-holed address (say ::1 without IPv6) cannot eat the whole budget.
    auto left = deadline_.at() - Clock::now();
    auto share = left / static_cast<long>(addresses_.size() - address_index_);
    attempt_deadline_ = Deadline(Clock::now() + share).earlier(deadline_);
    opened_ = Clock::now();
    auto tcp = net::tcp_connect_start(addresses_[address_index_]);
    if (!tcp) {
        next_address(tcp.failure());
        return;
    }
    transport_ = tls_ ? net::tls_wrap(std::move(*tcp), options_.tls, host_) : std::move(*tcp);
    step();
}

void Exchange::next_address(Error why) {
    last_connect_error_ = why.message;
    transport_.reset();
    if (++address_index_ < addresses_.size() && !deadline_.expired()) {
        start_attempt();
        return;
    }
    fail(std::move(why));
}

void Exchange::step() {
    if (state_ == State::Connecting) do_establish();
    if (state_ == State::Sending) do_send();
    if (state_ == State::Receiving) do_receive();
}

void Exchange::do_establish() {
    auto r = transport_->establish();
    if (r.state == net::Io::WantRead || r.state == net::Io::WantWrite) {
        wait_events_ = r.poll_events();
        return;
    }
    if (r.state != net::Io::Done) {
        Error why = r.state == net::Io::Eof
                        ? err("connection closed during set-up with " + addresses_[address_index_].str())
                        : err(r.error, r.kind);
        // Only a failed TCP connect moves on; a TLS failure is the server's answer.
        if (!established_ && why.kind == ErrorKind::Connect)
            next_address(std::move(why));
        else
            fail(std::move(why));
        return;
    }
    established_ = true;
    attempt_deadline_ = deadline_;
    state_ = State::Sending;
}

void Exchange::do_send() {
    while (sent_ < wire_.size()) {
        auto r = transport_->write(wire_.data() + sent_, wire_.size() - sent_);
        if (r.state == net::Io::Done) {
            sent_ += r.bytes;
            continue;
        }
        if (r.state == net::Io::WantRead || r.state == net::Io::WantWrite) {
            wait_events_ = r.poll_events();
            return;
        }
        if (retry_fresh()) return;
        if (r.state == net::Io::Failed)
            fail(r.error, r.kind);
        else
            fail("connection closed while sending the request");
        return;
    }
    state_ = State::Receiving;
}

void Exchange::do_receive() {
    char buf[16384];
    for (;;) {
        auto r = transport_->read(buf, sizeof buf);
        if ((r.state == net::Io::Eof || r.state == net::Io::Failed) && retry_fresh()) return;
        if (r.state == net::Io::Done) {
            response_started_ = true;
            parser_.feed(buf, r.bytes);
        } else if (r.state == net::Io::Eof) {
            parser_.feed_eof();
        } else if (r.state == net::Io::WantRead || r.state == net::Io::WantWrite) {
            wait_events_ = r.poll_events();
            return;
        } else {
            fail(r.error, r.kind);
            return;
        }
        if (parser_.done()) {
            state_ = State::Done;
            if (!options_.keep_alive || !parser_.keeps_connection()) transport_.reset();
            return;
        }
        if (parser_.failed()) {
            fail(parser_.error(), ErrorKind::Protocol);
            return;
        }
    }
}

void Exchange::on_timeout() {
    if (finished()) return;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
    std::string after = " after " + std::to_string(ms) + " ms";
    if (state_ == State::Connecting && !(transport_ && transport_->connected())) {
        Error what = err("connect " + addresses_[address_index_].str() + ": timed out" + after, ErrorKind::Timeout);
        if (deadline_.expired())
            fail(std::move(what));
        else
            next_address(std::move(what));
        return;
    }
    if (state_ == State::Connecting)
        fail("tls handshake with " + addresses_[address_index_].str() + ": timed out" + after + " (is it a TLS port?)",
             ErrorKind::Timeout);
    else if (state_ == State::Sending)
        fail("sending the request timed out" + after, ErrorKind::Timeout);
    else if (!parser_.headers_complete())
        fail("timed out waiting for the response" + after, ErrorKind::Timeout);
    else
        fail("timed out reading the response body" + after, ErrorKind::Timeout);
}

}  // namespace hc::http
