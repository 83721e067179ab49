#pragma once
// One HTTP/1.1 request/response over one connection, as a non-blocking
// state machine: Connecting -> Establishing (TLS) -> Sending -> Receiving ->
// Done | Failed. It never blocks; a driver polls fd() for wait_events()
// and calls step(), or on_timeout() when the attempt deadline passes.
// Both the one-shot client (http/client) and the supervise event loop
// drive it.
#include <memory>
#include <string>
#include <vector>

#include "http/keep_alive.hpp"
#include "http/message.hpp"
#include "http/response_parser.hpp"
#include "net/address.hpp"
#include "net/tls.hpp"
#include "net/transport.hpp"
#include "util/deadline.hpp"

namespace hc::http {

struct ExchangeOptions {
    ParserLimits limits;
    std::string user_agent;
    std::shared_ptr<net::TlsConfig> tls;  // required for https URLs
    // Ask to keep the connection (no "Connection: close"); take_connection()
    // then hands it over when the response allows another request.
    bool keep_alive = false;
};

class Exchange {
public:
    enum class State { Connecting, Sending, Receiving, Done, Failed };

    // reuse: a kept connection (keep_alive.hpp) to one of `addresses`. When
    // it turns out closed before any byte of the response (the server timed
    // it out as we sent), the request is sent again on a new connection.
    Exchange(const Request& request, std::vector<net::Address> addresses, ExchangeOptions options, Deadline deadline,
             std::optional<IdleConnection> reuse = std::nullopt);

    // Advances as far as possible without blocking.
    void step();
    // The deadline (or this address's share of it) has passed.
    void on_timeout();

    State state() const { return state_; }
    bool finished() const { return state_ == State::Done || state_ == State::Failed; }
    int fd() const { return transport_ ? transport_->fd() : -1; }
    short wait_events() const { return wait_events_; }
    Deadline timer() const { return attempt_deadline_; }
    const std::string& error() const { return error_; }
    // What kind of failure (Connect, Timeout, Tls, Protocol, LocalResource...).
    ErrorKind error_kind() const { return error_kind_; }
    Error failure() const { return Error{error_, error_kind_}; }
    Response& response() { return parser_.response(); }
    // Done with a keep_alive request and the server keeps the connection:
    // the connection, for the next request; else nothing.
    std::optional<IdleConnection> take_connection();
    bool reused_connection() const { return reused_; }

private:
    void start_attempt();
    bool retry_fresh();  // after a kept connection failed before any response byte
    void next_address(Error why);
    void do_establish();
    void do_send();
    void do_receive();
    void fail(std::string why, ErrorKind kind = ErrorKind::Other);
    void fail(Error why) { fail(std::move(why.message), why.kind); }

    std::string wire_;
    std::string host_;
    bool tls_;
    std::vector<net::Address> addresses_;
    size_t address_index_ = 0;
    ExchangeOptions options_;
    Deadline deadline_;
    Deadline attempt_deadline_;
    Clock::time_point started_;
    std::unique_ptr<net::Transport> transport_;
    ResponseParser parser_;
    bool head_request_;
    bool reused_ = false;            // on a kept connection
    bool response_started_ = false;  // a byte of the response arrived
    Clock::time_point opened_{};     // when this connection was made
    size_t sent_ = 0;
    short wait_events_ = 0;
    State state_ = State::Connecting;
    bool established_ = false;
    std::string error_;
    ErrorKind error_kind_ = ErrorKind::Other;
    std::string last_connect_error_;
};

}  // namespace hc::http
