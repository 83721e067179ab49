#include "supervise/serve.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>

namespace hc::supervise {

struct Server::Shared {
    ServeLimits limits;
    ServeHandler handler;
    size_t clients = 0;
    bool closed = false;
    bool unix_peer_check = false;
};

namespace {

constexpr int kBacklog = 64;
constexpr int kAcceptBatch = 64;           // accepts per readiness, so one wake-up cannot starve the loop
constexpr long kDrainMs = 1000;            // after the reply, for the client to close
constexpr size_t kMaxDrain = 1024 * 1024;  // bytes dropped after the reply at most

// A peer of another uid (0600 already keeps them out; this also covers a
// socket directory with looser rules).
bool peer_allowed(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
    return cred.uid == 0 || cred.uid == ::geteuid();
}

class ClientTask : public Task {
public:
    ClientTask(net::Fd fd, std::shared_ptr<Server::Shared> shared)
        : fd_(std::move(fd)), shared_(std::move(shared)), deadline_(Deadline::after_ms(shared_->limits.deadline_ms)) {
        ++shared_->clients;
    }
    ~ClientTask() override { --shared_->clients; }

    int fd() const override { return fd_.get(); }
    short events() const override { return writing_ ? POLLOUT : POLLIN; }  // POLLIN: reading or draining
    Deadline timer() const override { return deadline_; }
    bool finished() const override { return done_; }
    void complete() override {}
    void on_timeout() override { done_ = true; }  // slow or stuck client: dropped

    void on_ready() override {
        if (draining_)
            drain();
        else if (writing_)
            write_some();
        else
            read_some();
    }

private:
    void read_some() {
        char buf[4096];
        for (;;) {
            ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (n <= 0) {
                // EOF before a whole request: answer what came (a client may
                // shut down its write side after "status"), else drop.
                if (n == 0 && !request_.empty()) return reply(false);
                done_ = true;
                return;
            }
            request_.append(buf, static_cast<size_t>(n));
            if (request_.size() > shared_->limits.max_request) return reply(true);
            if (shared_->handler.complete(request_)) return reply(false);
        }
    }

    void reply(bool too_long) {
        out_ = shared_->handler.respond(request_, too_long);
        request_.clear();
        request_.shrink_to_fit();
        writing_ = true;
        deadline_ = Deadline::after_ms(shared_->limits.write_ms);
        write_some();
    }

    void write_some() {
        while (sent_ < out_.size()) {
            ssize_t n = ::send(fd_.get(), out_.data() + sent_, out_.size() - sent_, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (n <= 0) break;
            sent_ += static_cast<size_t>(n);
        }
        ::shutdown(fd_.get(), SHUT_WR);
        // Closing with unread bytes (the rest of a request too long) would
        // reset the connection and could destroy the reply before the client
        // reads it: read and drop what still comes, boundedly, until EOF.
        writing_ = false;
        draining_ = true;
        deadline_ = Deadline::after_ms(kDrainMs);
        drain();
    }

    void drain() {
        char buf[4096];
        for (;;) {
            ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            drained_ += n > 0 ? static_cast<size_t>(n) : 0;
            if (n <= 0 || drained_ > kMaxDrain) break;
        }
        done_ = true;
    }

    net::Fd fd_;
    std::shared_ptr<Server::Shared> shared_;
    Deadline deadline_;
    std::string request_, out_;
    size_t sent_ = 0, drained_ = 0;
    bool writing_ = false, draining_ = false;
    bool done_ = false;
};

// The listening socket, polled like any task; finished once the Server is gone.
class ListenTask : public Task {
public:
    ListenTask(EventLoop& loop, net::Fd fd, std::shared_ptr<Server::Shared> shared)
        : loop_(loop), fd_(std::move(fd)), shared_(std::move(shared)) {}
    int fd() const override { return fd_.get(); }
    short events() const override { return POLLIN; }
    Deadline timer() const override { return Deadline::never(); }
    bool finished() const override { return shared_->closed; }
    void complete() override {}
    void on_timeout() override {}

    void on_ready() override {
        for (int i = 0; i < kAcceptBatch && !shared_->closed; ++i) {
            int c = ::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (c < 0) return;  // EAGAIN, or EMFILE: the client waits in the backlog
            net::Fd client(c);
            if (shared_->clients >= shared_->limits.max_clients) continue;  // closed: busy
            if (shared_->unix_peer_check && !peer_allowed(c)) continue;
            loop_.add(std::make_unique<ClientTask>(std::move(client), shared_));
        }
    }

private:
    EventLoop& loop_;
    net::Fd fd_;
    std::shared_ptr<Server::Shared> shared_;
};

Result<net::Fd> listening_socket(const net::Address& a, bool reuse) {
    net::Fd fd(::socket(a.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return sys_err("socket", errno, ErrorKind::LocalResource);
    int one = 1;
    if (reuse) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), a.sa(), a.length) != 0) return sys_err("bind " + a.str(), errno, ErrorKind::LocalResource);
    if (::listen(fd.get(), kBacklog) != 0) return sys_err("listen " + a.str(), errno, ErrorKind::LocalResource);
    return fd;
}

// An existing path: a socket nobody answers on is stale and removed; one that
// answers belongs to a running daemon; anything else is not ours to delete.
Status clear_stale(const std::string& path, const net::Address& a) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return ok_status();
    if (!S_ISSOCK(st.st_mode)) return err(path + " exists and is not a socket", ErrorKind::Config);
    net::Fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!probe.valid()) return sys_err("socket", errno, ErrorKind::LocalResource);
    if (::connect(probe.get(), a.sa(), a.length) == 0)
        return err(path + " is in use (another healthcheck daemon serves it)", ErrorKind::Config);
    if (errno != ECONNREFUSED) return sys_err("connect " + path, errno, ErrorKind::LocalResource);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return sys_err("remove stale " + path, errno, ErrorKind::Other);
    return ok_status();
}

}  // namespace

Result<std::unique_ptr<Server>> Server::unix_socket(EventLoop& loop, const std::string& path, ServeLimits limits,
                                                    ServeHandler handler) {
    auto a = net::make_unix(path);
    if (!a) return err(path + ": path too long for a unix socket", ErrorKind::Config);
    if (auto s = clear_stale(path, *a); !s) return s.failure();
    // 0600 from the start: the umask covers the window between bind and
    // chmod (the loop thread is the only one creating files).
    const mode_t old = ::umask(0177);
    auto fd = listening_socket(*a, false);
    ::umask(old);
    if (!fd) return fd.failure();
    ::chmod(path.c_str(), 0600);
    std::unique_ptr<Server> s(new Server());
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        s->dev_ = st.st_dev;
        s->ino_ = st.st_ino;
    }
    s->unix_path_ = path;
    s->where_ = path;
    s->shared_ = std::make_shared<Shared>(Shared{limits, std::move(handler), 0, false, true});
    loop.add(std::make_unique<ListenTask>(loop, std::move(*fd), s->shared_));
    return s;
}

Result<std::unique_ptr<Server>> Server::tcp(EventLoop& loop, const net::Address& address, ServeLimits limits,
                                            ServeHandler handler) {
    auto fd = listening_socket(address, true);
    if (!fd) return fd.failure();
    std::unique_ptr<Server> s(new Server());
    s->where_ = address.str();
    s->shared_ = std::make_shared<Shared>(Shared{limits, std::move(handler), 0, false, false});
    loop.add(std::make_unique<ListenTask>(loop, std::move(*fd), s->shared_));
    return s;
}

Server::~Server() {
    if (shared_) shared_->closed = true;
    if (unix_path_.empty()) return;
    // Only our own socket: another daemon may have replaced a stale one.
    struct stat st {};
    if (::lstat(unix_path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) ::unlink(unix_path_.c_str());
}

}  // namespace hc::supervise
