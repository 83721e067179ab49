#include "sendmail/cli.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "smtp/smtp.hpp"
#include "util/file.hpp"

namespace hc::sendmail {

using smtp::MailServer;
using smtp::Message;

namespace {

const char* const kUsage =
    "usage: healthcheck sendmail --host H [--port P] [--tls ssl|starttls|none]\n"
    "         [--user U --pass-env VAR] --from F --to A [--to B ...]\n"
    "         [--subject S] [--body-file F|-] [--cafile F] [--insecure]\n"
    "         [--helo NAME] [--timeout-ms N] [--allow-plain-auth]\n"
    "Sends one text/plain UTF-8 message. The password is read from the\n"
    "environment variable named by --pass-env, never from the command line.\n"
    "--tls defaults by port: 465 ssl, 587 starttls, else none. The password\n"
    "is sent only over TLS unless --allow-plain-auth is given.\n"
    "Exit: 0 sent, 1 failed, 2 bad usage.\n";

constexpr size_t kMaxBodyBytes = 10 * 1024 * 1024;

int usage_error(const std::string& message) {
    std::fprintf(stderr, "healthcheck sendmail: %s\n%s", message.c_str(), kUsage);
    return 2;
}

bool parse_int(const std::string& s, long long lo, long long hi, long long& out) {
    if (s.empty() || s.size() > 12) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    out = std::stoll(s);
    return out >= lo && out <= hi;
}

}  // namespace

int run(const std::vector<std::string>& args) {
    MailServer server;
    Message message;
    std::string body_file, pass_env;
    long long timeout_ms = 30000;
    bool have_port = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (a == "--insecure") {
            server.insecure = true;
            continue;
        }
        if (a == "--allow-plain-auth") {
            server.allow_plain_auth = true;
            continue;
        }
        if (i + 1 >= args.size()) return usage_error("unknown option or missing value: " + a);
        const std::string& v = args[++i];
        long long n = 0;
        if (a == "--host")
            server.host = v;
        else if (a == "--port") {
            if (!parse_int(v, 1, 65535, n)) return usage_error("bad --port " + v);
            server.port = static_cast<int>(n);
            have_port = true;
        } else if (a == "--tls") {
            auto mode = smtp::parse_tls_mode(v);
            if (!mode) return usage_error("bad --tls " + v);
            server.tls = *mode;
        } else if (a == "--user")
            server.user = v;
        else if (a == "--pass-env")
            pass_env = v;
        else if (a == "--from")
            message.from = v;
        else if (a == "--to")
            message.to.push_back(v);
        else if (a == "--subject")
            message.subject = v;
        else if (a == "--body-file")
            body_file = v;
        else if (a == "--cafile")
            server.cafile = v;
        else if (a == "--helo")
            server.helo_name = v;
        else if (a == "--timeout-ms") {
            if (!parse_int(v, 1, 3600000, n)) return usage_error("bad --timeout-ms " + v);
            timeout_ms = n;
        } else
            return usage_error("unknown option " + a);
    }
    if (server.host.empty()) return usage_error("--host is required");
    if (message.from.empty()) return usage_error("--from is required");
    if (message.to.empty()) return usage_error("at least one --to is required");
    if (!have_port) {
        server.port = server.tls == smtp::TlsMode::Ssl ? 465 : server.tls == smtp::TlsMode::StartTls ? 587 : 25;
    }
    if (!pass_env.empty()) {
        const char* p = std::getenv(pass_env.c_str());
        if (!p) return usage_error("environment variable " + pass_env + " (from --pass-env) is not set");
        server.pass = p;
    }
    if (!body_file.empty()) {
        Result<std::string> body = body_file == "-" ? read_fd(STDIN_FILENO, "standard input", kMaxBodyBytes)
                                                    : read_file(body_file, kMaxBodyBytes);
        if (!body) return usage_error("cannot read --body-file: " + body.error());
        message.body = std::move(*body);
    }
    server.plain_auth_hint = "use --tls ssl or --tls starttls, or add --allow-plain-auth";
    // Control bytes in a value, a password without TLS: refused before any
    // connection, as a usage error.
    if (auto st = validate(server, message); !st) {
        std::fprintf(stderr, "healthcheck sendmail: %s\n", st.error().c_str());
        return 2;
    }
    if (server.insecure)
        std::fputs("healthcheck sendmail: warning: --insecure: the mail server's certificate is not verified\n",
                   stderr);
    auto st = smtp::send_mail(server, message, Deadline::after_ms(timeout_ms));
    if (!st) {
        std::fprintf(stderr, "%s\n", st.error().c_str());
        return 1;
    }
    std::printf("sent to %zu recipient%s\n", message.to.size(), message.to.size() == 1 ? "" : "s");
    return 0;
}

}  // namespace hc::sendmail
