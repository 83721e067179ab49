#include "http/client.hpp"

#include <poll.h>

#include <cerrno>

namespace hc::http {

#ifndef HC_VERSION
#define HC_VERSION "dev"
#endif

std::string default_user_agent() { return "healthcheck/" HC_VERSION; }

namespace {

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool same_origin(const net::Url& a, const net::Url& b) {
    return a.scheme == b.scheme && a.host == b.host && a.port == b.port && a.socket_path == b.socket_path;
}

// Credentials follow a redirect only to the same scheme, host and port
// (RFC 9110 15.4): never to another server, and never from https down to
// plain http or from http up to an https hop. resolve_location() already
// drops the URL's own userinfo; this also covers userinfo a Location
// carries and every header the caller set: container mode's -H may carry
// a token under any name (X-Api-Key) or a Host meant for the first server.
void drop_credentials_unless_same_origin(Request& next, const net::Url& from) {
    if (same_origin(next.url, from)) return;
    next.url.userinfo.clear();
    next.headers.clear();
}

// Waits for any of the exchanges, then steps the ready ones and times out
// the late ones. Returns after one round.
void drive_round(std::vector<Exchange*>& live) {
    std::vector<pollfd> fds;
    Deadline next = Deadline::never();
    for (auto* ex : live) {
        fds.push_back(pollfd{ex->fd(), ex->wait_events(), 0});
        next = next.earlier(ex->timer());
    }
    int rc = ::poll(fds.data(), fds.size(), next.remaining_ms());
    if (rc < 0 && errno == EINTR) return;
    for (size_t i = 0; i < live.size(); ++i) {
        if (fds[i].revents != 0)
            live[i]->step();
        else if (live[i]->timer().expired())
            live[i]->on_timeout();
    }
}

void drive(std::vector<Exchange*> live) {
    for (;;) {
        std::vector<Exchange*> still;
        for (auto* ex : live)
            if (!ex->finished()) still.push_back(ex);
        if (still.empty()) return;
        drive_round(still);
        live = std::move(still);
    }
}

}  // namespace

Result<std::shared_ptr<net::TlsConfig>> Client::tls_config() {
    if (!tls_) {
        auto made = net::make_tls_config(options_.tls);
        if (!made) return err(made.error());
        tls_ = *made;
    }
    return tls_;
}

Result<std::unique_ptr<Exchange>> Client::start(const Request& request, Deadline deadline) {
    ExchangeOptions ex_options{options_.limits, options_.user_agent, nullptr};
    if (request.url.tls()) {
        auto tls = tls_config();
        if (!tls) return err(tls.error());
        ex_options.tls = *tls;
    }
    // unix:// (docker.sock-style services): the socket file is the address.
    if (request.url.scheme == "unix") {
        auto address = net::make_unix(request.url.socket_path);
        if (!address) return err("unix socket path too long", ErrorKind::Config);
        return std::make_unique<Exchange>(request, std::vector<net::Address>{*address}, std::move(ex_options),
                                          deadline);
    }
    auto addresses = net::resolve(request.url.host, request.url.port, deadline, options_.resolver);
    if (!addresses) return err(addresses.error());
    return std::make_unique<Exchange>(request, std::move(*addresses), std::move(ex_options), deadline);
}

Result<Response> Client::fetch_once(const Request& request, Deadline deadline) {
    auto ex = start(request, deadline);
    if (!ex) return err(ex.error());
    drive({ex->get()});
    if ((*ex)->state() == Exchange::State::Failed) return err((*ex)->error());
    Response response = std::move((*ex)->response());
    response.final_url = request.url.redacted();
    return response;
}

Result<Response> Client::fetch(Request request, Deadline deadline) {
    for (int redirects = 0;; ++redirects) {
        auto response = fetch_once(request, deadline);
        if (!response) return response;
        const std::string* location = response->header("Location");
        if (!is_redirect(response->status) || !location) {
            response->redirects = redirects;
            return response;
        }
        if (redirects >= options_.max_redirects) {
            // Redirects off (notices): the Location may repeat a robot's
            // path token, and is of no use. Else it is shown redacted.
            if (options_.max_redirects == 0)
                return err("HTTP " + std::to_string(response->status) + " redirect not followed");
            auto last = net::resolve_location(request.url, *location);
            return err("too many redirects (more than " + std::to_string(options_.max_redirects) + "), last to " +
                       (last ? last->redacted() : std::string("an unparsable Location")));
        }
        auto next = net::resolve_location(request.url, *location);
        if (!next) return err("bad redirect: " + next.error());
        // A verified https probe that went on over plain http would check
        // nothing: the answer could come from anyone on the path.
        if (options_.tls.verify && request.url.tls() && !next->tls())
            return err("redirect from https to plain http refused (certificate verification is on): " +
                       next->redacted());
        net::Url from = request.url;
        request.url = *next;
        drop_credentials_unless_same_origin(request, from);
        int status = response->status;
        if (status == 303 || ((status == 301 || status == 302) && request.method == "POST")) {
            request.method = "GET";
            request.body.clear();
        }
    }
}

std::vector<Result<Response>> Client::fetch_all(const std::vector<Request>& requests, Deadline deadline) {
    std::vector<Result<std::unique_ptr<Exchange>>> started;
    std::vector<Exchange*> live;
    for (const auto& r : requests) {
        started.push_back(start(r, deadline));
        if (started.back()) live.push_back(started.back()->get());
    }
    drive(live);
    std::vector<Result<Response>> out;
    for (size_t i = 0; i < requests.size(); ++i) {
        auto& s = started[i];
        if (!s) {
            out.emplace_back(err(s.error()));
        } else if ((*s)->state() == Exchange::State::Failed) {
            out.emplace_back(err((*s)->error()));
        } else {
            Response resp = std::move((*s)->response());
            resp.final_url = requests[i].url.redacted();
            out.emplace_back(std::move(resp));
        }
    }
    return out;
}

}  // namespace hc::http
