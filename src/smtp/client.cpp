#include <unistd.h>

#include <cctype>
#include <memory>

#include "net/resolver.hpp"
#include "net/tls.hpp"
#include "net/transport.hpp"
#include "smtp/reply.hpp"
#include "smtp/smtp.hpp"
#include "util/crypto.hpp"
#include "util/text.hpp"

namespace hc::smtp {

namespace {

constexpr long long kPerReplyMs = 10000;
constexpr long long kQuitMs = 2000;

std::string local_hostname() {
    char buf[256] = {0};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    std::string out;
    for (const char* p = buf; *p; ++p)
        if (std::isalnum(static_cast<unsigned char>(*p)) || *p == '.' || *p == '-') out += *p;
    return out.empty() ? "localhost" : out;
}

bool valid_envelope(const std::string& a) {
    if (a.empty()) return false;
    for (unsigned char c : a)
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>') return false;
    return true;
}

// A value shown in an error: control bytes escaped, bounded.
std::string shown(const std::string& value) { return "[" + escape_control(value.substr(0, 200)) + "]"; }

Status control_error(const std::string& what, const std::string& value) {
    return err("smtp: bad " + what + " " + shown(value) + ": control characters are not allowed");
}

void replace_all(std::string& s, const std::string& what, const std::string& with) {
    if (what.empty()) return;
    for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + with.size()))
        s.replace(pos, what.size(), with);
}

class Session {
public:
    Session(const MailServer& server, Deadline whole) : server_(server), whole_(whole) {}

    Status run(const Message& message);

private:
    Status connect(TlsMode mode);
    Status send(const std::string& line, const std::string& step);
    Result<Reply> read_reply(const std::string& step, Deadline limit);
    Result<Reply> read_reply(const std::string& step) {
        return read_reply(step, whole_.earlier(Deadline::after_ms(kPerReplyMs)));
    }
    Result<Reply> command(const std::string& line, const std::string& step) {
        if (auto st = send(line, step); !st) return err(st.error());
        return read_reply(step);
    }
    static Status expect(const Result<Reply>& reply, const std::string& step, int a, int b = 0) {
        if (!reply) return err(reply.error());
        if (reply->code == a || (b && reply->code == b)) return ok_status();
        return err("smtp: " + step + " failed: " + reply->summary());
    }
    Result<Extensions> hello();
    Status starttls();
    Status authenticate(const Extensions& ext);

    const MailServer& server_;
    Deadline whole_;
    std::shared_ptr<net::TlsConfig> tls_;
    std::unique_ptr<net::Transport> t_;
    std::string buf_;
    ReplyParser parser_;
};

Status Session::connect(TlsMode mode) {
    if (mode != TlsMode::None) {
        net::TlsOptions options;
        options.verify = !server_.insecure;
        options.cafile = server_.cafile;
        auto config = net::make_tls_config(options);
        if (!config) return err("smtp: " + config.error());
        tls_ = *config;
    }
    auto port = static_cast<uint16_t>(server_.port);
    auto addresses = net::resolve(server_.host, port, whole_);
    if (!addresses) return err("smtp: resolve " + server_.host + ": " + addresses.error());
    std::string errors;
    for (const auto& addr : *addresses) {
        if (whole_.expired()) break;
        auto tcp = net::tcp_connect_start(addr);
        if (!tcp) {
            errors += (errors.empty() ? "" : "; ") + tcp.error();
            continue;
        }
        std::unique_ptr<net::Transport> t = std::move(*tcp);
        if (mode == TlsMode::Ssl) t = net::tls_wrap(std::move(t), tls_, server_.host);
        auto st = net::establish_blocking(*t, whole_.earlier(Deadline::after_ms(kPerReplyMs)), "connect " + addr.str());
        if (st) {
            t_ = std::move(t);
            return ok_status();
        }
        errors += (errors.empty() ? "" : "; ") + st.error();
    }
    if (errors.empty()) errors = "timed out";
    return err("smtp: connect to " + server_.host + ":" + std::to_string(server_.port) + " failed: " + errors);
}

Status Session::send(const std::string& line, const std::string& step) {
    auto st = net::write_all_blocking(*t_, line, whole_.earlier(Deadline::after_ms(kPerReplyMs)));
    if (!st) return err("smtp: " + step + " failed: " + st.error());
    return ok_status();
}

Result<Reply> Session::read_reply(const std::string& step, Deadline limit) {
    parser_.reset();
    char tmp[4096];
    for (;;) {
        size_t nl;
        while ((nl = buf_.find('\n')) != std::string::npos) {
            std::string line = buf_.substr(0, nl);
            buf_.erase(0, nl + 1);
            auto state = parser_.feed_line(line);
            if (state == ReplyParser::State::Complete) return parser_.reply();
            if (state == ReplyParser::State::Error)
                return err("smtp: " + step + " failed: bad reply: " + parser_.error());
        }
        if (parser_.bytes() + buf_.size() > ReplyParser::kMaxBytes)
            return err("smtp: " + step + " failed: bad reply: reply longer than 64 KiB");
        auto r = t_->read(tmp, sizeof tmp);
        switch (r.state) {
            case net::Io::Done: buf_.append(tmp, r.bytes); continue;
            case net::Io::Eof: return err("smtp: " + step + " failed: connection closed by server");
            case net::Io::Failed: return err("smtp: " + step + " failed: " + r.error);
            default: break;
        }
        if (!net::wait_ready(t_->fd(), r.poll_events(), limit))
            return err("smtp: " + step + " failed: timed out waiting for the server's reply");
    }
}

Result<Extensions> Session::hello() {
    std::string name = server_.helo_name.empty() ? local_hostname() : server_.helo_name;
    auto reply = command("EHLO " + name + "\r\n", "EHLO");
    if (!reply) return err(reply.error());
    if (reply->code == 250) return parse_ehlo(*reply);
    if (reply->code < 500) return err("smtp: EHLO failed: " + reply->summary());
    auto helo = command("HELO " + name + "\r\n", "HELO");
    if (auto st = expect(helo, "HELO", 250); !st) return err(st.error());
    return Extensions{};
}

Status Session::starttls() {
    if (auto st = expect(command("STARTTLS\r\n", "STARTTLS"), "STARTTLS", 220); !st) return st;
    // Anything sent before the handshake could be injected (CVE-2011-0411).
    if (!buf_.empty()) return err("smtp: STARTTLS failed: server sent data before the TLS handshake");
    t_ = net::tls_wrap(std::move(t_), tls_, server_.host);
    auto st = net::establish_blocking(*t_, whole_.earlier(Deadline::after_ms(kPerReplyMs)), "tls handshake");
    if (!st) return err("smtp: STARTTLS failed: " + st.error());
    return ok_status();
}

Status Session::authenticate(const Extensions& ext) {
    if (ext.auth_plain) {
        std::string cred = base64_encode(std::string(1, '\0') + server_.user + std::string(1, '\0') + server_.pass);
        auto reply = command("AUTH PLAIN " + cred + "\r\n", "AUTH");
        if (reply && reply->code == 334) reply = command(cred + "\r\n", "AUTH");
        return expect(reply, "AUTH", 235);
    }
    if (ext.auth_login) {
        if (auto st = expect(command("AUTH LOGIN\r\n", "AUTH"), "AUTH", 334); !st) return st;
        if (auto st = expect(command(base64_encode(server_.user) + "\r\n", "AUTH"), "AUTH", 334); !st) return st;
        return expect(command(base64_encode(server_.pass) + "\r\n", "AUTH"), "AUTH", 235);
    }
    if (!ext.auth) return err("smtp: AUTH failed: server does not offer AUTH");
    std::string offered;
    for (const auto& m : ext.auth_mechanisms) offered += (offered.empty() ? "" : " ") + m;
    return err("smtp: AUTH failed: server offers neither PLAIN nor LOGIN (offers: " + printable(offered, 200, true) +
               ")");
}

Status Session::run(const Message& message) {
    if (auto st = validate(server_, message); !st) return st;
    auto mode = tls_mode(server_);
    std::string from = envelope_address(message.from);
    std::vector<std::string> rcpts;
    for (const auto& to : message.to) rcpts.push_back(envelope_address(to));

    if (auto st = connect(mode); !st) return st;
    if (auto st = expect(read_reply("greeting"), "greeting", 220); !st) return st;
    auto ext = hello();
    if (!ext) return err(ext.error());
    if (mode == TlsMode::StartTls) {
        if (!ext->starttls) return err("smtp: STARTTLS failed: server does not offer STARTTLS");
        if (auto st = starttls(); !st) return st;
        ext = hello();
        if (!ext) return err(ext.error());
    }
    if (!server_.user.empty() && !server_.pass.empty()) {
        if (auto st = authenticate(*ext); !st) return st;
    }
    if (auto st = expect(command("MAIL FROM:<" + from + ">\r\n", "MAIL FROM"), "MAIL FROM", 250); !st) return st;
    std::string rejected;
    size_t accepted = 0;
    for (const auto& rcpt : rcpts) {
        std::string step = "RCPT TO:<" + rcpt + ">";
        auto reply = command(step + "\r\n", step);
        if (!reply) return err(reply.error());
        if (reply->code == 250 || reply->code == 251) {
            ++accepted;
        } else {
            rejected += (rejected.empty() ? "" : "; ") + step + " failed: " + reply->summary();
        }
    }
    if (accepted == 0) return err("smtp: " + rejected);
    if (auto st = expect(command("DATA\r\n", "DATA"), "DATA", 354); !st) return st;
    std::string hostname = server_.helo_name.empty() ? local_hostname() : server_.helo_name;
    std::string payload = dot_stuff(format_message(message, std::time(nullptr), hostname));
    if (auto st = send(payload, "message"); !st) return st;
    if (auto st = expect(read_reply("message"), "message", 250); !st) return st;
    // The message is accepted; a failing QUIT changes nothing.
    if (send("QUIT\r\n", "QUIT")) (void)read_reply("QUIT", whole_.earlier(Deadline::after_ms(kQuitMs)));
    if (!rejected.empty())
        return err("smtp: delivered to " + std::to_string(accepted) + " of " + std::to_string(rcpts.size()) +
                   " recipients; " + rejected);
    return ok_status();
}

}  // namespace

Status validate(const MailServer& server, const Message& message) {
    TlsMode mode = tls_mode(server);
    if (server.host.empty()) return err("smtp: no mail server host");
    if (has_control(server.host)) return control_error("mail server host", server.host);
    if (server.port <= 0 || server.port > 65535)
        return err("smtp: bad mail server port " + std::to_string(server.port));
    // Each of these ends up in a command line or a header line.
    if (has_control(server.helo_name)) return control_error("HELO name", server.helo_name);
    if (has_control(server.user)) return control_error("user name", server.user);
    if (has_control(message.from)) return control_error("sender address", message.from);
    if (!valid_envelope(envelope_address(message.from))) return err("smtp: bad sender address " + shown(message.from));
    for (const auto& to : message.to) {
        if (has_control(to)) return control_error("recipient address", to);
        if (!valid_envelope(envelope_address(to))) return err("smtp: bad recipient address " + shown(to));
    }
    if (message.to.empty()) return err("smtp: no recipients");
    if (has_control(message.subject)) return control_error("subject", message.subject);
    if (!server.user.empty() && !server.pass.empty() && mode == TlsMode::None && !server.allow_plain_auth)
        return err("smtp: refusing to send the password over an unencrypted connection to " + server.host + ":" +
                   std::to_string(server.port) + "; " + server.plain_auth_hint);
    return ok_status();
}

Status send_mail(const MailServer& server, const Message& message, Deadline whole) {
    Session session(server, whole);
    auto st = session.run(message);
    if (st) return st;
    // Our own messages never carry the password; a server could echo it.
    std::string text = st.error();
    if (!server.pass.empty()) {
        replace_all(text, base64_encode(std::string(1, '\0') + server.user + std::string(1, '\0') + server.pass),
                    "***");
        replace_all(text, base64_encode(server.pass), "***");
        if (server.pass.size() >= 4) replace_all(text, server.pass, "***");
    }
    return err(text);
}

}  // namespace hc::smtp
