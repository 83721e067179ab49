#pragma once
// Non-blocking byte streams (plain TCP or TLS over TCP). Every call returns
// at once; a caller that must wait polls fd() for the event asked for. The
// same transports serve the one-shot container check (a poll loop with one
// deadline) and the supervise event loop (many at once).
#include <poll.h>

#include <cstddef>
#include <memory>
#include <string>

#include "net/address.hpp"
#include "net/fd.hpp"
#include "util/deadline.hpp"
#include "util/result.hpp"

namespace hc::net {

enum class Io { Done, WantRead, WantWrite, Eof, Failed };

struct IoResult {
    Io state = Io::Done;
    size_t bytes = 0;
    std::string error;                  // set when state == Failed
    ErrorKind kind = ErrorKind::Other;  // set when state == Failed

    static IoResult done(size_t n = 0) { return {Io::Done, n, {}, ErrorKind::Other}; }
    static IoResult want_read() { return {Io::WantRead, 0, {}, ErrorKind::Other}; }
    static IoResult want_write() { return {Io::WantWrite, 0, {}, ErrorKind::Other}; }
    static IoResult eof() { return {Io::Eof, 0, {}, ErrorKind::Other}; }
    static IoResult failed(std::string e, ErrorKind k = ErrorKind::Other) { return {Io::Failed, 0, std::move(e), k}; }
    static IoResult failed(Error e) { return {Io::Failed, 0, std::move(e.message), e.kind}; }
    short poll_events() const { return state == Io::WantWrite ? POLLOUT : POLLIN; }
};

class Transport {
public:
    virtual ~Transport() = default;
    virtual int fd() const = 0;
    // Completes connection set-up (TCP connect, TLS handshake); Done = ready.
    virtual IoResult establish() = 0;
    virtual IoResult read(char* buf, size_t len) = 0;
    virtual IoResult write(const char* buf, size_t len) = 0;
    // True once the TCP connection is up (a TLS handshake may still be due);
    // lets timeouts say which step was slow.
    virtual bool connected() const = 0;
    // The protocol the server chose by ALPN ("h2"), "" for none or plain TCP.
    virtual std::string alpn_protocol() const { return ""; }
    // True for the TLS layer (net/tls.cpp): lets it find its own state
    // without RTTI, which the size-optimised musl build leaves out.
    virtual bool is_tls() const { return false; }
};

// Starts a non-blocking TCP connect to one address. A socket() failure
// has kind LocalResource, a refused connect kind Connect.
Result<std::unique_ptr<Transport>> tcp_connect_start(const Address& addr);

// For an idle connection kept for another request: false when the peer
// closed or reset it, or sent something unasked (one non-blocking peek).
bool still_open(int fd);

// Waits (poll) until fd is ready for `events` or the deadline passes.
// Returns false on timeout.
bool wait_ready(int fd, short events, Deadline deadline);

// Blocking helpers over a non-blocking transport, bounded by deadline.
Status establish_blocking(Transport& t, Deadline deadline, const std::string& what);
Status write_all_blocking(Transport& t, const std::string& data, Deadline deadline);

}  // namespace hc::net
