#include "supervise/control_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "net/address.hpp"
#include "net/fd.hpp"
#include "supervise/config.hpp"
#include "supervise/status.hpp"
#include "util/result.hpp"
#include "util/text.hpp"

namespace hc::supervise {

namespace {

constexpr long kTimeoutSeconds = 10;
constexpr size_t kMaxReply = 64 * 1024 * 1024;

std::string usage() {
    return "usage: healthcheck supervise status [-c CONFIG | --socket PATH]\n"
           "       healthcheck supervise pause CHECK|all [-c CONFIG | --socket PATH]\n"
           "       healthcheck supervise resume CHECK|all [-c CONFIG | --socket PATH]\n"
           "  status   every check's state, last result, consecutive counts, next probe and action\n"
           "  pause    no probe and no action for the check until resume (maintenance)\n"
           "  resume   probe again, judged afresh; also re-arms a check that gave up (maxRestarts)\n"
           "The socket is config.statusSocket, by default the config path with .sock for its extension.\n";
}

Result<std::string> ask_daemon(const std::string& path, const std::string& request) {
    auto a = net::make_unix(path);
    if (!a) return err(path + ": path too long for a unix socket");
    net::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return sys_err("socket", errno, ErrorKind::LocalResource);
    timeval tv{kTimeoutSeconds, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd.get(), a->sa(), a->length) != 0)
        return sys_err("cannot reach the daemon at " + path + " (is `healthcheck supervise` running?)", errno,
                       ErrorKind::Connect);
    if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
        return sys_err("send to " + path, errno, ErrorKind::Connect);
    ::shutdown(fd.get(), SHUT_WR);
    std::string reply;
    char buf[16384];
    for (;;) {
        ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_err("read from " + path, errno, ErrorKind::Timeout);
        if (n == 0) break;
        reply.append(buf, static_cast<size_t>(n));
        if (reply.size() > kMaxReply) return err("reply from " + path + " too large");
    }
    // The daemon closes without a word when it serves its maximum of clients.
    if (reply.empty()) return err("the daemon at " + path + " closed the connection without an answer (busy?)");
    return reply;
}

// The reply again through escape_control, line by line (a daemon of another
// version must not be able to send terminal escapes either).
void print_reply(const std::string& reply) {
    size_t start = 0;
    while (start < reply.size()) {
        size_t nl = reply.find('\n', start);
        if (nl == std::string::npos) nl = reply.size();
        std::string line = escape_control(std::string_view(reply).substr(start, nl - start));
        std::fprintf(stdout, "%s\n", line.c_str());
        start = nl + 1;
    }
}

}  // namespace

int run_control(const std::vector<std::string>& args, const std::string& default_config) {
    const std::string verb = args.at(0);
    std::string config = default_config, socket, target;
    bool config_given = false;
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= args.size()) return false;
            out = args[++i];
            return true;
        };
        bool ok = true;
        if (a == "-h" || a == "--help") {
            std::fputs(usage().c_str(), stdout);
            return 0;
        } else if (a == "-c" || a == "--config") {
            ok = value(config);
            config_given = true;
        } else if (a.rfind("--config=", 0) == 0) {
            config = a.substr(9);
            config_given = true;
        } else if (a == "--socket") {
            ok = value(socket);
        } else if (a.rfind("--socket=", 0) == 0) {
            socket = a.substr(9);
        } else if (!a.empty() && a[0] != '-' && target.empty() && verb != "status") {
            target = a;
        } else {
            ok = false;
        }
        if (!ok) {
            std::fprintf(stderr, "healthcheck supervise %s: unexpected argument %s\n\n%s", verb.c_str(),
                         escape_control(a).c_str(), usage().c_str());
            return 2;
        }
    }
    if (verb != "status" && target.empty()) {
        std::fprintf(stderr, "healthcheck supervise %s: which check? (a name or all)\n\n%s", verb.c_str(),
                     usage().c_str());
        return 2;
    }
    if (!socket.empty() && config_given) {
        std::fprintf(stderr, "healthcheck supervise %s: give -c or --socket, not both\n", verb.c_str());
        return 2;
    }
    if (socket.empty()) {
        auto cfg = load_config_file(config);
        if (!cfg) {
            std::fprintf(stderr, "%s\n", escape_control(cfg.error()).c_str());
            return 2;
        }
        socket = status_socket_path(*cfg);
        if (socket.empty()) {
            std::fprintf(stderr, "healthcheck supervise %s: statusSocket is off in %s\n", verb.c_str(),
                         escape_control(config).c_str());
            return 2;
        }
    }
    std::string request = verb + (target.empty() ? "" : " " + target) + "\n";
    if (request.size() > kMaxControlRequest || has_control(target)) {
        std::fprintf(stderr, "healthcheck supervise %s: bad check name\n", verb.c_str());
        return 2;
    }
    auto reply = ask_daemon(socket, request);
    if (!reply) {
        std::fprintf(stderr, "healthcheck supervise %s: %s\n", verb.c_str(), escape_control(reply.error()).c_str());
        return 1;
    }
    print_reply(*reply);
    return reply->rfind("error: ", 0) == 0 ? 1 : 0;
}

}  // namespace hc::supervise
