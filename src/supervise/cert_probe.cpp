#include "supervise/cert_probe.hpp"

#include <sys/stat.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <map>
#include <utility>

#include "net/url.hpp"
#include "util/text.hpp"

namespace hc::supervise {

namespace {

constexpr int64_t kDay = 86400;

struct CachedTls {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    std::shared_ptr<net::TlsConfig> config;
};

// Connects to each address in turn (an equal share of the deadline each)
// and completes a TLS handshake. A refused or timed-out connect tries the
// next address; a TLS failure (verification, handshake) is the server's
// answer and ends the task.
class HandshakeTask final : public Task {
public:
    using Done = std::function<void(Result<net::PeerCertificate>)>;
    HandshakeTask(std::vector<net::Address> addresses, std::shared_ptr<net::TlsConfig> tls, std::string host,
                  Deadline deadline, Done done)
        : addresses_(std::move(addresses)),
          tls_(std::move(tls)),
          host_(std::move(host)),
          deadline_(deadline),
          attempt_deadline_(deadline),
          done_(std::move(done)) {
        start_attempt();
    }
    int fd() const override { return transport_ ? transport_->fd() : -1; }
    short events() const override { return events_; }
    Deadline timer() const override { return attempt_deadline_; }
    bool finished() const override { return finished_; }
    void complete() override { done_(std::move(result_)); }

    void on_ready() override {
        auto r = transport_->establish();
        if (r.state == net::Io::Done) return finish(net::peer_certificate(*transport_));
        if (r.state == net::Io::WantRead || r.state == net::Io::WantWrite) {
            events_ = r.poll_events();
            return;
        }
        Error e =
            r.error.empty() ? err("connection closed during the TLS handshake", ErrorKind::Tls) : err(r.error, r.kind);
        if (e.kind == ErrorKind::Tls || transport_->connected()) return finish(e);
        next(e);
    }

    void on_timeout() override {
        const bool connected = transport_ && transport_->connected();
        Error e = err((connected ? "tls handshake with " : "connect ") + addresses_[index_].str() + ": timed out",
                      ErrorKind::Timeout);
        if (connected || deadline_.expired()) return finish(e);
        next(e);
    }

private:
    void start_attempt() {
        while (index_ < addresses_.size()) {
            auto left = deadline_.at() - Clock::now();
            attempt_deadline_ = Deadline(Clock::now() + left / static_cast<long>(addresses_.size() - index_));
            auto t = net::tcp_connect_start(addresses_[index_]);
            if (t) {
                transport_ = net::tls_wrap(std::move(*t), tls_, host_);
                events_ = POLLOUT;
                return;
            }
            last_error_ = t.failure();
            ++index_;
        }
        finish(last_error_.message.empty() ? err("no address to connect to", ErrorKind::Resolve) : last_error_);
    }
    void next(Error e) {
        last_error_ = std::move(e);
        transport_.reset();
        ++index_;
        start_attempt();
    }
    void finish(Result<net::PeerCertificate> r) {
        finished_ = true;
        result_ = std::move(r);
        transport_.reset();
    }

    std::vector<net::Address> addresses_;
    std::shared_ptr<net::TlsConfig> tls_;
    std::string host_;
    size_t index_ = 0;
    Deadline deadline_, attempt_deadline_;
    std::unique_ptr<net::Transport> transport_;
    short events_ = POLLOUT;
    bool finished_ = false;
    Result<net::PeerCertificate> result_ = err("not run");
    Error last_error_;
    Done done_;
};

}  // namespace

std::string format_utc(int64_t epoch_seconds) {
    std::time_t tt = static_cast<std::time_t>(epoch_seconds);
    std::tm tm{};
    if (::gmtime_r(&tt, &tm) == nullptr) return std::to_string(epoch_seconds);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

Outcome judge_cert(const std::string& shown, const net::PeerCertificate& cert, int warn_days, int64_t now) {
    const int64_t left = cert.not_after - now;
    // Whole days left, rounded down: 47 hours is "1 day left".
    const int64_t days = left >= 0 ? left / kDay : -((-left + kDay - 1) / kDay);
    std::string what = shown + ": certificate";
    if (!cert.subject.empty()) what += " " + printable(cert.subject, 120, true);
    if (left < 0) {
        return Outcome::fail(what + " expired " + format_utc(cert.not_after) + " (" + std::to_string(-days) +
                             " days ago)");
    }
    if (cert.not_before > now) return Outcome::fail(what + " is not valid before " + format_utc(cert.not_before));
    what += " expires " + format_utc(cert.not_after) + " (" + std::to_string(days) + (days == 1 ? " day" : " days") +
            " left, warnDays " + std::to_string(warn_days) + ")";
    return left < static_cast<int64_t>(warn_days) * kDay ? Outcome::fail(what) : Outcome::pass(what);
}

Result<std::shared_ptr<net::TlsConfig>> tls_config_for(const CheckConfig& cfg) {
    static std::shared_ptr<net::TlsConfig> unverified;
    static std::map<std::string, CachedTls> verified;  // by CA bundle path
    if (cfg.tls->insecure_skip_verify) {
        if (!unverified) {
            auto c = net::make_tls_config(net::TlsOptions{});
            if (!c) return c;
            unverified = *c;
        }
        return unverified;
    }
    auto path = net::find_ca_bundle(cfg.tls->ca_file);
    if (!path) return path.failure();
    struct stat st {};
    if (::stat(path->c_str(), &st) != 0) return err("tls: cannot read CA file " + *path, ErrorKind::Config);
    const int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    CachedTls& slot = verified[*path];
    if (slot.config && slot.dev == st.st_dev && slot.ino == st.st_ino && slot.size == st.st_size &&
        slot.mtime_ns == mtime_ns)
        return slot.config;
    net::TlsOptions o;
    o.verify = true;
    o.cafile = *path;
    auto c = net::make_tls_config(o);
    if (!c) {
        verified.erase(*path);
        return c;
    }
    slot = CachedTls{st.st_dev, st.st_ino, st.st_size, mtime_ns, *c};
    return slot.config;
}

void probe_cert(EventLoop& loop, Worker& worker, const CheckConfig& cfg, OutcomeFn done) {
    auto deadline = Deadline::after_ms(cfg.timeout_seconds * 1000LL);
    const std::string shown = "tls " + net::bracket_host(cfg.host) + ":" + std::to_string(cfg.port);
    auto tls = tls_config_for(cfg);
    // No CA bundle to verify with: we cannot tell, the server is not at fault.
    if (!tls) return done(Outcome::error(shown + ": " + tls.error()));
    const int warn_days = cfg.tls->warn_days;
    const std::string host = cfg.host;
    resolve_async(worker, cfg.host, static_cast<uint16_t>(cfg.port), deadline,
                  [&loop, tls = *tls, host, deadline, shown, warn_days, done](Addresses addresses) {
                      if (!addresses) return done(Outcome::fail(shown + ": " + addresses.error()));
                      auto on_cert = [shown, warn_days, done](const Result<net::PeerCertificate>& cert) {
                          if (!cert) return done(judge_connect_error(shown, cert.failure()));
                          done(judge_cert(shown, *cert, warn_days, static_cast<int64_t>(std::time(nullptr))));
                      };
                      loop.add(std::make_unique<HandshakeTask>(std::move(*addresses), tls, host, deadline, on_cert));
                  });
}

}  // namespace hc::supervise
