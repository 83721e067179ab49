#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "net/transport.hpp"

namespace hc::net {
namespace {

class TcpTransport final : public Transport {
public:
    TcpTransport(Fd fd, const Address& peer) : fd_(std::move(fd)), peer_(peer) {}

    int fd() const override { return fd_.get(); }
    bool connected() const override { return connected_; }

    IoResult establish() override {
        if (connected_) return IoResult::done();
        pollfd p{fd_.get(), POLLOUT, 0};
        if (::poll(&p, 1, 0) == 0) return IoResult::want_write();
        int so_error = 0;
        socklen_t len = sizeof so_error;
        if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) so_error = errno;
        if (so_error != 0) return IoResult::failed(sys_err("connect " + peer_.str(), so_error, ErrorKind::Connect));
        connected_ = true;
        return IoResult::done();
    }

    IoResult read(char* buf, size_t len) override {
        for (;;) {
            ssize_t n = ::recv(fd_.get(), buf, len, 0);
            if (n > 0) return IoResult::done(static_cast<size_t>(n));
            if (n == 0) return IoResult::eof();
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::want_read();
            return IoResult::failed(sys_err("read from " + peer_.str(), errno, ErrorKind::Other));
        }
    }

    IoResult write(const char* buf, size_t len) override {
        for (;;) {
            ssize_t n = ::send(fd_.get(), buf, len, MSG_NOSIGNAL);
            if (n >= 0) return IoResult::done(static_cast<size_t>(n));
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return IoResult::want_write();
            return IoResult::failed(sys_err("write to " + peer_.str(), errno, ErrorKind::Other));
        }
    }

private:
    Fd fd_;
    Address peer_;
    bool connected_ = false;
};

}  // namespace

Result<std::unique_ptr<Transport>> tcp_connect_start(const Address& addr) {
    Fd fd(::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    // Whatever socket() says (EMFILE, ENOBUFS, EAFNOSUPPORT...), it is about
    // this host, not the peer.
    if (!fd.valid()) return err("socket: " + errno_text(errno), ErrorKind::LocalResource);
    int one = 1;
    if (addr.family() != AF_UNIX) ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd.get(), addr.sa(), addr.length) != 0 && errno != EINPROGRESS)
        return sys_err("connect " + addr.str(), errno, ErrorKind::Connect);
    return std::unique_ptr<Transport>(new TcpTransport(std::move(fd), addr));
}

bool still_open(int fd) {
    char byte;
    ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

bool wait_ready(int fd, short events, Deadline deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int rc = ::poll(&p, 1, deadline.remaining_ms());
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR) return true;  // let the next I/O call report the error
    }
}

Status establish_blocking(Transport& t, Deadline deadline, const std::string& what) {
    for (;;) {
        auto r = t.establish();
        if (r.state == Io::Done) return ok_status();
        if (r.state == Io::Failed) return err(r.error, r.kind);
        if (r.state == Io::Eof) return err(what + ": connection closed");
        if (!wait_ready(t.fd(), r.poll_events(), deadline)) return err(what + ": timed out", ErrorKind::Timeout);
    }
}

Status write_all_blocking(Transport& t, const std::string& data, Deadline deadline) {
    size_t off = 0;
    while (off < data.size()) {
        auto r = t.write(data.data() + off, data.size() - off);
        if (r.state == Io::Done) {
            off += r.bytes;
            continue;
        }
        if (r.state == Io::Failed) return err(r.error, r.kind);
        if (r.state == Io::Eof) return err("connection closed while writing");
        if (!wait_ready(t.fd(), r.poll_events(), deadline)) return err("write timed out", ErrorKind::Timeout);
    }
    return ok_status();
}

}  // namespace hc::net
