#pragma once
// A small SMTP client for supervise mode's email action: plain, STARTTLS or
// implicit TLS (verified by default), AUTH PLAIN/LOGIN, one deadline for the
// whole conversation. Failures name the step and the server's reply and
// never carry the password.
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/deadline.hpp"
#include "util/result.hpp"

namespace hc::smtp {

// How the connection is secured: implicit TLS (ssl), STARTTLS or none.
// ByPort picks by port: 465 -> Ssl, 587 -> StartTls, else None. Parsed once
// from the user's text (sendmail --tls, supervise mail.tls), then passed as is.
enum class TlsMode { ByPort, Ssl, StartTls, None };

// "ssl", "starttls", "none"; "" for ByPort.
inline const char* tls_mode_name(TlsMode mode) {
    switch (mode) {
        case TlsMode::Ssl: return "ssl";
        case TlsMode::StartTls: return "starttls";
        case TlsMode::None: return "none";
        case TlsMode::ByPort: break;
    }
    return "";
}

// "ssl", "starttls" or "none" (exactly); nullopt for anything else.
inline std::optional<TlsMode> parse_tls_mode(std::string_view text) {
    if (text == "ssl") return TlsMode::Ssl;
    if (text == "starttls") return TlsMode::StartTls;
    if (text == "none") return TlsMode::None;
    return std::nullopt;
}

// The mode in effect: ByPort resolved by port; never ByPort.
inline TlsMode resolve_tls_mode(TlsMode mode, int port) {
    if (mode != TlsMode::ByPort) return mode;
    return port == 465 ? TlsMode::Ssl : port == 587 ? TlsMode::StartTls : TlsMode::None;
}

struct MailServer {
    std::string host;
    int port = 25;
    TlsMode tls = TlsMode::ByPort;
    std::string user, pass;
    std::string cafile;     // empty: $SSL_CERT_FILE, then system paths
    bool insecure = false;  // skip certificate verification (caller logs a warning)
    std::string helo_name;  // empty: this host's name
    // AUTH over a connection without TLS sends the password in clear: only
    // when the caller's configuration says so explicitly.
    bool allow_plain_auth = false;
    // The end of the refusal message: how to fix it in the caller's terms.
    std::string plain_auth_hint = "use tls: ssl or starttls, or set mail.allowPlainAuth: true";
};

struct Message {
    std::string from;             // "a@b" or "Name <a@b>"
    std::vector<std::string> to;  // same forms
    std::string subject;          // UTF-8
    std::string body;             // UTF-8
};

// The server's mode in effect (ByPort resolved by its port).
inline TlsMode tls_mode(const MailServer& server) { return resolve_tls_mode(server.tls, server.port); }

// What can be checked before connecting: host, port and TLS mode; no
// control byte (CR/LF would inject SMTP commands or header lines) in the
// HELO name, user, addresses or subject; a password only over TLS unless
// allow_plain_auth. send_mail checks it too.
Status validate(const MailServer& server, const Message& message);

// Sends one message. Each wait for a reply is also bounded by 10 s.
Status send_mail(const MailServer& server, const Message& message, Deadline whole);

// The RFC 5322 message (headers + base64 body), CRLF line ends, not yet
// dot-stuffed. Date uses local time per TZ with a numeric offset.
std::string format_message(const Message& message, std::time_t now, const std::string& hostname);

// "Thu, 26 Nov 2026 09:30:00 +0800"
std::string rfc5322_date(std::time_t now);

// Subject header value: as is when plain printable ASCII, else RFC 2047
// encoded-words (=?UTF-8?B?...?=, each <= 75 chars, whole UTF-8 characters)
// folded with CRLF SP.
std::string encode_subject(const std::string& subject);

// The DATA payload: CRLF line ends, leading dots doubled, ending CRLF.CRLF.
std::string dot_stuff(const std::string& message);

// "Name <a@b>" -> "a@b"; "a@b" -> "a@b".
std::string envelope_address(const std::string& address);

}  // namespace hc::smtp
