#pragma once
// Small one-request servers inside the daemon's event loop: the status socket
// (control_socket.hpp) and the Prometheus endpoint (metrics.hpp). Each client
// is a loop Task, so nothing here ever blocks a probe: a client that sends
// slowly, never stops sending or never reads is cut off by its deadline or
// the request cap, and at most max_clients are served at once (the rest are
// closed at accept). One request, one reply, then the connection closes.
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "net/address.hpp"
#include "net/fd.hpp"
#include "supervise/loop.hpp"
#include "util/result.hpp"

namespace hc::supervise {

struct ServeLimits {
    size_t max_request = 4096;  // bytes; more -> the handler's "too long" reply
    long deadline_ms = 3000;    // from accept to the whole request read
    long write_ms = 5000;       // to hand the whole reply to the kernel
    size_t max_clients = 16;    // served at once
};

struct ServeHandler {
    // True once `request` holds a whole request (a line, a header block).
    std::function<bool(const std::string& request)> complete;
    // The reply to a whole request, or to one past max_request (too_long).
    std::function<std::string(const std::string& request, bool too_long)> respond;
};

class Server {
public:
    // A unix stream socket, mode 0600, only for clients of our own uid or
    // root (SO_PEERCRED). An existing socket nobody answers on is replaced;
    // one that answers (another daemon) or a non-socket file is an error.
    static Result<std::unique_ptr<Server>> unix_socket(EventLoop& loop, const std::string& path, ServeLimits limits,
                                                       ServeHandler handler);
    // A TCP listener (the metrics endpoint).
    static Result<std::unique_ptr<Server>> tcp(EventLoop& loop, const net::Address& address, ServeLimits limits,
                                               ServeHandler handler);
    // Stops accepting and removes the unix socket file (if it is still ours);
    // clients being served finish on their own.
    ~Server();

    const std::string& where() const { return where_; }
    struct Shared;

private:
    Server() = default;
    std::shared_ptr<Shared> shared_;
    std::string where_;
    std::string unix_path_;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
};

}  // namespace hc::supervise
