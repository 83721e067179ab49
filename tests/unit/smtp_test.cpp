// SMTP client: message formatting (RFC 5322 / 2047 / base64 body),
// dot-stuffing, the reply parser, and send_mail against a scripted
// in-process server on 127.0.0.1 (edge cases a real server won't produce).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <mbedtls/base64.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "smtp/reply.hpp"
#include "smtp/smtp.hpp"
#include "util/crypto.hpp"

namespace {

using hc::Deadline;
using hc::smtp::Message;
using hc::smtp::ReplyParser;

std::string b64decode(const std::string& in) {
    std::string out(in.size(), '\0');
    size_t n = 0;
    int rc = mbedtls_base64_decode(reinterpret_cast<unsigned char*>(&out[0]), out.size(), &n,
                                   reinterpret_cast<const unsigned char*>(in.data()), in.size());
    EXPECT_EQ(rc, 0) << "bad base64: " << in;
    out.resize(n);
    return out;
}

std::vector<std::string> split_crlf(const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0;
    for (;;) {
        size_t e = s.find("\r\n", pos);
        if (e == std::string::npos) {
            out.push_back(s.substr(pos));
            return out;
        }
        out.push_back(s.substr(pos, e - pos));
        pos = e + 2;
    }
}

bool valid_utf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

struct Parsed {
    std::vector<std::pair<std::string, std::string>> headers;  // unfolded values
    std::vector<std::string> raw_header_lines;
    std::string body;
    std::string header(const std::string& name) const {
        for (auto& h : headers)
            if (h.first == name) return h.second;
        return "<missing>";
    }
};

Parsed parse(const std::string& msg) {
    Parsed p;
    size_t sep = msg.find("\r\n\r\n");
    EXPECT_NE(sep, std::string::npos);
    auto lines = split_crlf(msg.substr(0, sep));
    p.raw_header_lines = lines;
    for (auto& l : lines) {
        if (!l.empty() && (l[0] == ' ' || l[0] == '\t')) {
            p.headers.back().second += l;  // unfold: CRLF removed, WSP kept
        } else {
            auto colon = l.find(':');
            EXPECT_NE(colon, std::string::npos) << l;
            p.headers.emplace_back(l.substr(0, colon), l.substr(colon + 2));
        }
    }
    p.body = msg.substr(sep + 4);
    return p;
}

// Decodes a header value made of =?UTF-8?B?...?= words (whitespace between
// words is dropped, per RFC 2047 section 6.2). Checks each word's length.
std::string decode_words(const std::string& value) {
    std::regex word("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=");
    std::string out;
    auto begin = std::sregex_iterator(value.begin(), value.end(), word);
    size_t covered = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        EXPECT_LE(it->length(0), 75) << it->str(0);
        std::string chunk = b64decode((*it)[1].str());
        EXPECT_TRUE(valid_utf8(chunk)) << "encoded-word splits a character: " << it->str(0);
        out += chunk;
        covered += it->length(0);
    }
    EXPECT_GT(covered, 0u) << value;
    return out;
}

std::time_t utc(int y, int mon, int d, int h, int mi, int s) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return timegm(&tm);
}

class TzGuard {
public:
    explicit TzGuard(const char* tz) {
        const char* old = std::getenv("TZ");
        had_ = old != nullptr;
        if (had_) old_ = old;
        setenv("TZ", tz, 1);
        tzset();
    }
    ~TzGuard() {
        if (had_)
            setenv("TZ", old_.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }

private:
    bool had_ = false;
    std::string old_;
};

Message sample() {
    Message m;
    m.from = "Health <hc@example.com>";
    m.to = {"ops@example.com", "Dev Team <dev@example.com>"};
    m.subject = "[Supervisor] cat1 Health check failed";
    m.body = "DateTime: 2026-11-26 09:30:00\nProgram: cat1\nMsg: 进程内存超限 (1200 MB > 1024 MB)\n";
    return m;
}

TEST(SmtpFormat, DateIsRfc5322WithNumericOffset) {
    TzGuard tz("CST-8");
    EXPECT_EQ(hc::smtp::rfc5322_date(utc(2026, 11, 26, 1, 30, 0)), "Thu, 26 Nov 2026 09:30:00 +0800");
    TzGuard tz2("EST5");
    EXPECT_EQ(hc::smtp::rfc5322_date(utc(2026, 1, 2, 3, 4, 5)), "Thu, 01 Jan 2026 22:04:05 -0500");
    TzGuard tz3("IST-5:30");
    EXPECT_EQ(hc::smtp::rfc5322_date(utc(2026, 1, 2, 3, 4, 5)), "Fri, 02 Jan 2026 08:34:05 +0530");
}

TEST(SmtpFormat, HeadersAndBase64Body) {
    TzGuard tz("CST-8");
    Message m = sample();
    std::string msg = hc::smtp::format_message(m, utc(2026, 11, 26, 1, 30, 0), "web-1.example");
    // CRLF everywhere: no bare LF or CR.
    for (size_t i = 0; i < msg.size(); ++i) {
        if (msg[i] == '\n') {
            ASSERT_TRUE(i > 0 && msg[i - 1] == '\r') << "bare LF at " << i;
        }
        if (msg[i] == '\r') {
            ASSERT_TRUE(i + 1 < msg.size() && msg[i + 1] == '\n') << "bare CR at " << i;
        }
    }
    Parsed p = parse(msg);
    EXPECT_EQ(p.header("Date"), "Thu, 26 Nov 2026 09:30:00 +0800");
    EXPECT_TRUE(std::regex_match(p.header("Message-ID"), std::regex("<[0-9a-f]{32}@web-1\\.example>")))
        << p.header("Message-ID");
    EXPECT_EQ(p.header("From"), "Health <hc@example.com>");
    EXPECT_EQ(p.header("To"), "ops@example.com, Dev Team <dev@example.com>");
    EXPECT_EQ(p.header("Subject"), "[Supervisor] cat1 Health check failed");
    EXPECT_EQ(p.header("MIME-Version"), "1.0");
    EXPECT_EQ(p.header("Content-Type"), "text/plain; charset=UTF-8");
    EXPECT_EQ(p.header("Content-Transfer-Encoding"), "base64");
    std::string joined;
    auto lines = split_crlf(p.body);
    ASSERT_EQ(lines.back(), "");  // body ends with CRLF
    lines.pop_back();
    for (auto& l : lines) {
        EXPECT_LE(l.size(), 76u);
        joined += l;
    }
    std::string expected =
        "DateTime: 2026-11-26 09:30:00\r\nProgram: cat1\r\nMsg: 进程内存超限 (1200 MB > 1024 MB)\r\n";
    EXPECT_EQ(b64decode(joined), expected);
}

TEST(SmtpFormat, LongBodyWrapsAt76) {
    Message m = sample();
    m.body.clear();
    for (int i = 0; i < 200; ++i) m.body += "第" + std::to_string(i) + "行 line\n";
    Parsed p = parse(hc::smtp::format_message(m, 0, "h"));
    auto lines = split_crlf(p.body);
    lines.pop_back();
    std::string joined;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i + 1 < lines.size()) {
            EXPECT_EQ(lines[i].size(), 76u);
        }
        joined += lines[i];
    }
    std::string crlf_body;
    for (char c : m.body) crlf_body += (c == '\n') ? std::string("\r\n") : std::string(1, c);
    EXPECT_EQ(b64decode(joined), crlf_body);
}

TEST(SmtpFormat, MessageIdIsRandom) {
    Message m = sample();
    auto a = parse(hc::smtp::format_message(m, 0, "h")).header("Message-ID");
    auto b = parse(hc::smtp::format_message(m, 0, "h")).header("Message-ID");
    EXPECT_NE(a, b);
    // A hostname with odd bytes cannot break the header.
    auto c = parse(hc::smtp::format_message(m, 0, "bad host\r\nX: y")).header("Message-ID");
    EXPECT_TRUE(std::regex_match(c, std::regex("<[0-9a-f]{32}@[A-Za-z0-9.-]+>"))) << c;
    auto d = parse(hc::smtp::format_message(m, 0, "")).header("Message-ID");
    EXPECT_TRUE(std::regex_match(d, std::regex("<[0-9a-f]{32}@localhost>"))) << d;
}

TEST(SmtpFormat, ChineseSubjectIsEncodedWords) {
    Message m = sample();
    m.subject = "[Supervisor] 网关服务 Health check failed";
    Parsed p = parse(hc::smtp::format_message(m, 0, "h"));
    std::string v = p.header("Subject");
    EXPECT_EQ(v.rfind("=?UTF-8?B?", 0), 0u) << v;
    EXPECT_EQ(decode_words(v), m.subject);
}

TEST(SmtpFormat, LongChineseSubjectSplitsOnCharacters) {
    Message m = sample();
    m.subject = "[Supervisor] ";
    for (int i = 0; i < 60; ++i) m.subject += "健康检查失败";  // 1080 bytes of 3-byte chars
    m.subject += " end";
    std::string msg = hc::smtp::format_message(m, 0, "h");
    Parsed p = parse(msg);
    for (auto& l : p.raw_header_lines) EXPECT_LE(l.size(), 78u) << l;
    std::string v = p.header("Subject");
    EXPECT_EQ(decode_words(v), m.subject);
    // Four-byte characters (emoji) too.
    m.subject = "告警 😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀 done";
    EXPECT_EQ(decode_words(parse(hc::smtp::format_message(m, 0, "h")).header("Subject")), m.subject);
}

TEST(SmtpFormat, SubjectCannotInjectHeaders) {
    Message m = sample();
    m.subject = "hi\r\nBcc: victim@example.com";
    Parsed p = parse(hc::smtp::format_message(m, 0, "h"));
    for (auto& h : p.headers) EXPECT_NE(h.first, "Bcc");
    m.subject = "=?UTF-8?B?Zm9v?= looks encoded";
    EXPECT_EQ(decode_words(hc::smtp::encode_subject(m.subject)), m.subject);
    EXPECT_EQ(hc::smtp::encode_subject("plain ascii"), "plain ascii");
    EXPECT_EQ(hc::smtp::encode_subject(""), "");
}

TEST(SmtpFormat, DotStuffing) {
    EXPECT_EQ(hc::smtp::dot_stuff(".a\n..b\nc"), "..a\r\n...b\r\nc\r\n.\r\n");
    EXPECT_EQ(hc::smtp::dot_stuff("x\r\n.\r\ny\r\n"), "x\r\n..\r\ny\r\n.\r\n");
    EXPECT_EQ(hc::smtp::dot_stuff(""), ".\r\n");
    EXPECT_EQ(hc::smtp::dot_stuff("a.b\r\n"), "a.b\r\n.\r\n");
    EXPECT_EQ(hc::smtp::dot_stuff("a\rb"), "a\r\nb\r\n.\r\n");
}

TEST(SmtpFormat, EnvelopeAddress) {
    EXPECT_EQ(hc::smtp::envelope_address("a@b.c"), "a@b.c");
    EXPECT_EQ(hc::smtp::envelope_address(" Name <a@b.c> "), "a@b.c");
    EXPECT_EQ(hc::smtp::envelope_address("\"运维\" <ops@b.c>"), "ops@b.c");
}

TEST(SmtpReply, SingleLine) {
    ReplyParser p;
    EXPECT_EQ(p.feed_line("220 mx.example ESMTP ready\r"), ReplyParser::State::Complete);
    EXPECT_EQ(p.reply().code, 220);
    EXPECT_EQ(p.reply().summary(), "220 mx.example ESMTP ready");
    p.reset();
    EXPECT_EQ(p.feed_line("250"), ReplyParser::State::Complete);
    EXPECT_EQ(p.reply().summary(), "250");
}

TEST(SmtpReply, MultiLineAndEhlo) {
    ReplyParser p;
    EXPECT_EQ(p.feed_line("250-mx.example"), ReplyParser::State::NeedMore);
    EXPECT_EQ(p.feed_line("250-SIZE 1000"), ReplyParser::State::NeedMore);
    EXPECT_EQ(p.feed_line("250-starttls"), ReplyParser::State::NeedMore);
    EXPECT_EQ(p.feed_line("250 AUTH PLAIN LOGIN CRAM-MD5"), ReplyParser::State::Complete);
    auto ext = hc::smtp::parse_ehlo(p.reply());
    EXPECT_TRUE(ext.starttls);
    EXPECT_TRUE(ext.auth_plain);
    EXPECT_TRUE(ext.auth_login);
    EXPECT_EQ(ext.auth_mechanisms.size(), 3u);
    EXPECT_EQ(p.reply().summary(), "250 mx.example; SIZE 1000; starttls; AUTH PLAIN LOGIN CRAM-MD5");

    ReplyParser q;
    q.feed_line("250-mx");
    q.feed_line("250 AUTH=LOGIN");
    auto e2 = hc::smtp::parse_ehlo(q.reply());
    EXPECT_TRUE(e2.auth_login);
    EXPECT_FALSE(e2.auth_plain);
    EXPECT_FALSE(e2.starttls);
    // The greeting line (first) is not a keyword.
    ReplyParser r;
    r.feed_line("250 STARTTLS");
    EXPECT_FALSE(hc::smtp::parse_ehlo(r.reply()).starttls);
}

TEST(SmtpReply, Malformed) {
    for (const char* bad : {"", "25", "hello", "250x ok", "2a0 ok", "199 no", "600 no", "260 no", " 250 ok"}) {
        ReplyParser p;
        EXPECT_EQ(p.feed_line(bad), ReplyParser::State::Error) << "[" << bad << "]";
        EXPECT_FALSE(p.error().empty());
        // Stays in error.
        EXPECT_EQ(p.feed_line("250 ok"), ReplyParser::State::Error);
    }
    ReplyParser p;
    p.feed_line("250-a");
    EXPECT_EQ(p.feed_line("251 b"), ReplyParser::State::Error);
    EXPECT_NE(p.error().find("250 then 251"), std::string::npos) << p.error();
}

TEST(SmtpReply, OverLong) {
    ReplyParser lines;
    for (int i = 0; i < 100; ++i) ASSERT_EQ(lines.feed_line("250-x"), ReplyParser::State::NeedMore);
    EXPECT_EQ(lines.feed_line("250 x"), ReplyParser::State::Error);
    EXPECT_NE(lines.error().find("100 lines"), std::string::npos);

    ReplyParser bytes;
    std::string big = "250-" + std::string(20000, 'a');
    EXPECT_EQ(bytes.feed_line(big), ReplyParser::State::NeedMore);
    EXPECT_EQ(bytes.feed_line(big), ReplyParser::State::NeedMore);
    EXPECT_EQ(bytes.feed_line(big), ReplyParser::State::NeedMore);
    EXPECT_EQ(bytes.feed_line(big), ReplyParser::State::Error);
    EXPECT_NE(bytes.error().find("64 KiB"), std::string::npos);

    ReplyParser one;
    EXPECT_EQ(one.feed_line("250 " + std::string(70000, 'b')), ReplyParser::State::Error);
}

TEST(SmtpReply, SummaryIsLogSafe) {
    ReplyParser p;
    p.feed_line("550 bad\x01\x1b[31mred");
    std::string s = p.reply().summary();
    EXPECT_EQ(s.find('\x1b'), std::string::npos);
    EXPECT_EQ(s.find('\x01'), std::string::npos);
    ReplyParser q;
    q.feed_line("550 " + std::string(5000, 'z'));
    EXPECT_LT(q.reply().summary().size(), 600u);
}

TEST(SmtpReply, FuzzDoesNotCrash) {
    unsigned seed = 12345;
    auto rnd = [&] { return seed = seed * 1103515245 + 12345; };
    const char alphabet[] = "0123456789- \r\nAZaz\x01\xff";
    for (int iter = 0; iter < 20000; ++iter) {
        ReplyParser p;
        for (int k = 0; k < 4; ++k) {
            std::string line;
            size_t n = rnd() % 12;
            for (size_t i = 0; i < n; ++i) line += alphabet[(rnd() >> 8) % (sizeof alphabet - 1)];
            if (rnd() % 2) line = std::to_string(200 + rnd() % 400) + line;
            auto st = p.feed_line(line);
            if (st == ReplyParser::State::Complete) {
                EXPECT_GE(p.reply().code, 200);
                EXPECT_LE(p.reply().code, 559);
                (void)hc::smtp::parse_ehlo(p.reply());
                break;
            }
            if (st == ReplyParser::State::Error) break;
        }
    }
}

TEST(SmtpTlsMode, ByPort) {
    using hc::smtp::TlsMode;
    hc::smtp::MailServer s;
    s.port = 465;
    EXPECT_EQ(hc::smtp::tls_mode(s), TlsMode::Ssl);
    s.port = 587;
    EXPECT_EQ(hc::smtp::tls_mode(s), TlsMode::StartTls);
    s.port = 25;
    EXPECT_EQ(hc::smtp::tls_mode(s), TlsMode::None);
    s.tls = TlsMode::StartTls;
    EXPECT_EQ(hc::smtp::tls_mode(s), TlsMode::StartTls);
}

// The user's text is parsed once (sendmail --tls, supervise mail.tls): only
// the three exact names; the names round-trip.
TEST(SmtpTlsMode, ParseAndName) {
    using hc::smtp::TlsMode;
    for (TlsMode m : {TlsMode::Ssl, TlsMode::StartTls, TlsMode::None})
        EXPECT_EQ(hc::smtp::parse_tls_mode(hc::smtp::tls_mode_name(m)), m);
    EXPECT_FALSE(hc::smtp::parse_tls_mode("tls"));
    EXPECT_FALSE(hc::smtp::parse_tls_mode(""));
    EXPECT_FALSE(hc::smtp::parse_tls_mode("SSL"));
    EXPECT_STREQ(hc::smtp::tls_mode_name(TlsMode::ByPort), "");
}

// ---- send_mail against a scripted server on 127.0.0.1 ----

// Accepts one connection; for each line the client sends (and once at the
// start with an empty line), script returns what to write back; "<close>"
// closes the connection.
class ScriptServer {
public:
    using Script = std::function<std::string(const std::string& line, bool in_data)>;
    explicit ScriptServer(Script script) : script_(std::move(script)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        ::listen(fd_, 4);
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~ScriptServer() {
        ::shutdown(fd_, SHUT_RDWR);
        if (thread_.joinable()) thread_.join();
        ::close(fd_);
    }
    int port() const { return port_; }
    // Waits for the client to hang up; returns all it sent.
    std::string finish() {
        if (thread_.joinable()) thread_.join();
        return received;
    }

private:
    std::string received;

private:
    void serve() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return;
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string buf;
        bool in_data = false;
        auto reply = [&](const std::string& line) {
            std::string out = script_(line, in_data);
            if (out == "<close>") return false;
            if (!out.empty()) (void)!::write(c, out.data(), out.size());
            return true;
        };
        if (reply("")) {
            char tmp[4096];
            for (;;) {
                pollfd q{c, POLLIN, 0};
                if (::poll(&q, 1, 5000) <= 0) break;
                ssize_t n = ::read(c, tmp, sizeof tmp);
                if (n <= 0) break;
                received.append(tmp, static_cast<size_t>(n));
                buf.append(tmp, static_cast<size_t>(n));
                size_t nl;
                bool open = true;
                while (open && (nl = buf.find("\r\n")) != std::string::npos) {
                    std::string line = buf.substr(0, nl);
                    buf.erase(0, nl + 2);
                    open = reply(line);
                    if (line == "DATA") in_data = true;
                    if (in_data && line == ".") in_data = false;
                }
                if (!open) break;
            }
        }
        ::close(c);
    }

    int fd_ = -1;
    int port_ = 0;
    Script script_;
    std::thread thread_;
};

hc::smtp::MailServer local(int port) {
    hc::smtp::MailServer s;
    s.host = "127.0.0.1";
    s.port = port;
    s.tls = hc::smtp::TlsMode::None;
    s.helo_name = "client.test";
    return s;
}

std::string standard(const std::string& line, bool in_data) {
    if (in_data) return line == "." ? "250 queued\r\n" : "";
    if (line.empty()) return "220 scripted ESMTP\r\n";
    if (line.rfind("EHLO", 0) == 0) return "250-scripted\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n";
    if (line.rfind("MAIL", 0) == 0 || line.rfind("RCPT", 0) == 0) return "250 ok\r\n";
    if (line == "DATA") return "354 go\r\n";
    if (line == "QUIT") return "221 bye\r\n";
    return "500 what\r\n";
}

TEST(SmtpSend, WireFormat) {
    ScriptServer srv(standard);
    auto st = hc::smtp::send_mail(local(srv.port()), sample(), Deadline::after_ms(5000));
    EXPECT_TRUE(st.ok()) << st.error();
    std::string received = srv.finish();
    EXPECT_EQ(received.rfind("EHLO client.test\r\nMAIL FROM:<hc@example.com>\r\n", 0), 0u) << received;
    EXPECT_NE(received.find("RCPT TO:<ops@example.com>\r\nRCPT TO:<dev@example.com>\r\nDATA\r\n"), std::string::npos);
    EXPECT_NE(received.find("\r\n.\r\nQUIT\r\n"), std::string::npos) << received;
}

TEST(SmtpSend, EhloRejectedFallsBackToHelo) {
    ScriptServer srv([](const std::string& line, bool in_data) {
        if (line.rfind("EHLO", 0) == 0) return std::string("502 5.5.1 no EHLO here\r\n");
        if (line.rfind("HELO", 0) == 0) return std::string("250 hi\r\n");
        return standard(line, in_data);
    });
    auto st = hc::smtp::send_mail(local(srv.port()), sample(), Deadline::after_ms(5000));
    EXPECT_TRUE(st.ok()) << st.error();
    std::string received = srv.finish();
    EXPECT_NE(received.find("HELO client.test\r\n"), std::string::npos);
}

TEST(SmtpSend, AuthFailureNeverShowsPassword) {
    const std::string pass = "Tr0ub4dor&3-secret";
    ScriptServer srv([&](const std::string& line, bool in_data) {
        // A hostile server echoing the credentials back.
        if (line.rfind("AUTH PLAIN ", 0) == 0)
            return "535 5.7.8 bad credentials " + line.substr(11) + " " + pass + " " + hc::base64_encode(pass) + "\r\n";
        return standard(line, in_data);
    });
    auto s = local(srv.port());
    s.user = "bob";
    s.pass = pass;
    s.allow_plain_auth = true;
    auto st = hc::smtp::send_mail(s, sample(), Deadline::after_ms(5000));
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().rfind("smtp: AUTH failed: 535 5.7.8 bad credentials", 0), 0u) << st.error();
    EXPECT_EQ(st.error().find(pass), std::string::npos) << st.error();
    EXPECT_EQ(st.error().find(hc::base64_encode(pass)), std::string::npos) << st.error();
    EXPECT_EQ(st.error().find(hc::base64_encode(std::string(1, '\0') + "bob" + std::string(1, '\0') + pass)),
              std::string::npos);
}

TEST(SmtpSend, AuthNotOffered) {
    ScriptServer srv([](const std::string& line, bool in_data) {
        if (line.rfind("EHLO", 0) == 0) return std::string("250-x\r\n250 AUTH CRAM-MD5\r\n");
        return standard(line, in_data);
    });
    auto s = local(srv.port());
    s.user = "bob";
    s.pass = "pw";
    s.allow_plain_auth = true;
    auto st = hc::smtp::send_mail(s, sample(), Deadline::after_ms(5000));
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().find("neither PLAIN nor LOGIN (offers: CRAM-MD5)"), std::string::npos) << st.error();
}

// A password over a connection without TLS: refused before connecting
// (port 1 is closed: a connect would fail differently), naming the setting.
TEST(SmtpSend, PlainAuthRefusedWithoutTls) {
    for (int port : {25, 1, 2525}) {
        auto s = local(1);
        s.tls = port == 1 ? hc::smtp::TlsMode::None : hc::smtp::TlsMode::ByPort;  // none by choice, or by port
        s.port = port == 1 ? 1 : port;
        s.host = "127.0.0.1";
        s.user = "bob";
        s.pass = "pw-123456";
        auto st = hc::smtp::send_mail(s, sample(), Deadline::after_ms(2000));
        ASSERT_FALSE(st.ok());
        EXPECT_EQ(st.error(), "smtp: refusing to send the password over an unencrypted connection to 127.0.0.1:" +
                                  std::to_string(s.port) +
                                  "; use tls: ssl or starttls, or set mail.allowPlainAuth: true");
        EXPECT_FALSE(hc::smtp::validate(s, sample()).ok());
        s.plain_auth_hint = "add --allow-plain-auth";
        EXPECT_NE(hc::smtp::validate(s, sample()).error().find("; add --allow-plain-auth"), std::string::npos);
        // Without a password nothing secret is sent: no refusal.
        s.pass.clear();
        EXPECT_TRUE(hc::smtp::validate(s, sample()).ok());
    }
}

TEST(SmtpSend, PlainAuthWhenAllowed) {
    ScriptServer srv([](const std::string& line, bool in_data) {
        if (line.rfind("AUTH PLAIN ", 0) == 0) return std::string("235 ok\r\n");
        return standard(line, in_data);
    });
    auto s = local(srv.port());
    s.user = "bob";
    s.pass = "pw-123456";
    s.allow_plain_auth = true;
    auto st = hc::smtp::send_mail(s, sample(), Deadline::after_ms(5000));
    EXPECT_TRUE(st.ok()) << st.error();
    std::string received = srv.finish();
    EXPECT_NE(received.find("AUTH PLAIN " + hc::base64_encode(std::string("\0bob\0pw-123456", 14)) + "\r\n"),
              std::string::npos)
        << received;
}

// STARTTLS asked for and not offered: no AUTH in clear, even when plain
// AUTH would be allowed.
TEST(SmtpSend, StarttlsNotOfferedNeverFallsBackToPlainAuth) {
    ScriptServer srv(standard);
    auto s = local(srv.port());
    s.tls = hc::smtp::TlsMode::StartTls;
    s.insecure = true;
    s.user = "bob";
    s.pass = "pw-123456";
    s.allow_plain_auth = true;
    auto st = hc::smtp::send_mail(s, sample(), Deadline::after_ms(5000));
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error(), "smtp: STARTTLS failed: server does not offer STARTTLS");
    std::string received = srv.finish();
    EXPECT_EQ(received.find("AUTH"), std::string::npos) << received;
    EXPECT_EQ(received.find(hc::base64_encode("pw-123456")), std::string::npos) << received;
}

// CR/LF or any control byte in a value that reaches a command or header
// line: refused before connecting (port 1 is closed), shown escaped.
TEST(SmtpValidate, ControlBytesRefused) {
    struct Case {
        const char* what;
        std::function<void(hc::smtp::MailServer&, Message&)> set;
        std::string expected;
    } cases[] = {
        {"helo", [](auto& s, auto&) { s.helo_name = "x\r\nRSET"; },
         "smtp: bad HELO name [x\\x0d\\x0aRSET]: control characters are not allowed"},
        {"user", [](auto& s, auto&) { s.user = "bob\nRSET"; },
         "smtp: bad user name [bob\\x0aRSET]: control characters are not allowed"},
        {"host", [](auto& s, auto&) { s.host = "127.0.0.1\r"; },
         "smtp: bad mail server host [127.0.0.1\\x0d]: control characters are not allowed"},
        {"from", [](auto&, auto& m) { m.from = "Evil\x1b[2J <hc@example.com>"; },
         "smtp: bad sender address [Evil\\x1b[2J <hc@example.com>]: control characters are not allowed"},
        {"to", [](auto&, auto& m) { m.to.push_back("x@example.com\r\nRSET"); },
         "smtp: bad recipient address [x@example.com\\x0d\\x0aRSET]: control characters are not allowed"},
        {"subject", [](auto&, auto& m) { m.subject = "hi\r\nBcc: x@example.com"; },
         "smtp: bad subject [hi\\x0d\\x0aBcc: x@example.com]: control characters are not allowed"},
    };
    for (const auto& c : cases) {
        auto s = local(1);
        Message m = sample();
        c.set(s, m);
        EXPECT_EQ(hc::smtp::validate(s, m).error(), c.expected) << c.what;
        EXPECT_EQ(hc::smtp::send_mail(s, m, Deadline::after_ms(2000)).error(), c.expected) << c.what;
    }
    EXPECT_TRUE(hc::smtp::validate(local(1), sample()).ok());
}

TEST(SmtpSend, StarttlsNotOffered) {
    ScriptServer srv(standard);
    auto s = local(srv.port());
    s.tls = hc::smtp::TlsMode::StartTls;
    s.insecure = true;
    auto st = hc::smtp::send_mail(s, sample(), Deadline::after_ms(5000));
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error(), "smtp: STARTTLS failed: server does not offer STARTTLS");
}

TEST(SmtpSend, StarttlsResponseInjectionRefused) {
    ScriptServer srv([](const std::string& line, bool in_data) {
        if (line.rfind("EHLO", 0) == 0) return std::string("250-x\r\n250 STARTTLS\r\n");
        if (line == "STARTTLS") return std::string("220 go ahead\r\n250 injected\r\n");
        return standard(line, in_data);
    });
    auto s = local(srv.port());
    s.tls = hc::smtp::TlsMode::StartTls;
    s.insecure = true;
    auto st = hc::smtp::send_mail(s, sample(), Deadline::after_ms(5000));
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().find("server sent data before the TLS handshake"), std::string::npos) << st.error();
}

TEST(SmtpSend, RecipientRejections) {
    ScriptServer srv([](const std::string& line, bool in_data) {
        if (line == "RCPT TO:<dev@example.com>") return std::string("550 5.1.1 no such user\r\n");
        return standard(line, in_data);
    });
    auto st = hc::smtp::send_mail(local(srv.port()), sample(), Deadline::after_ms(5000));
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error(),
              "smtp: delivered to 1 of 2 recipients; RCPT TO:<dev@example.com> failed: 550 5.1.1 no such user");
}

TEST(SmtpSend, ErrorsNameStepAndReply) {
    struct Case {
        std::string trigger, reply, expected;
    } cases[] = {
        {"", "554 5.3.2 go away\r\n", "smtp: greeting failed: 554 5.3.2 go away"},
        {"MAIL", "451 4.3.0 try later\r\n", "smtp: MAIL FROM failed: 451 4.3.0 try later"},
        {"DATA", "503 5.5.1 nope\r\n", "smtp: DATA failed: 503 5.5.1 nope"},
        {".", "552 5.3.4 too big\r\n", "smtp: message failed: 552 5.3.4 too big"},
        {"MAIL", "<close>", "smtp: MAIL FROM failed: connection closed by server"},
        {"MAIL", "250-a\r\n251 b\r\n",
         "smtp: MAIL FROM failed: bad reply: reply code changed within a multi-line "
         "reply (250 then 251)"},
    };
    for (const auto& c : cases) {
        ScriptServer srv([&](const std::string& line, bool in_data) {
            bool hit = c.trigger.empty() ? line.empty() && !in_data : line.rfind(c.trigger, 0) == 0;
            if (c.trigger == "." && line != ".") hit = false;
            if (hit) return c.reply;
            return standard(line, in_data);
        });
        auto st = hc::smtp::send_mail(local(srv.port()), sample(), Deadline::after_ms(5000));
        ASSERT_FALSE(st.ok()) << c.expected;
        EXPECT_EQ(st.error(), c.expected);
    }
}

TEST(SmtpSend, HugeReplyIsCapped) {
    ScriptServer srv([](const std::string& line, bool in_data) {
        if (line.rfind("EHLO", 0) == 0) {
            std::string out;
            for (int i = 0; i < 2000; ++i) out += "250-" + std::string(60, 'x') + "\r\n";
            return out + "250 end\r\n";
        }
        return standard(line, in_data);
    });
    auto st = hc::smtp::send_mail(local(srv.port()), sample(), Deadline::after_ms(5000));
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().find("smtp: EHLO failed: bad reply:"), std::string::npos) << st.error();
}

TEST(SmtpSend, SilentServerTimesOutWithinDeadline) {
    ScriptServer srv([](const std::string& line, bool) { return std::string(); });
    auto start = std::chrono::steady_clock::now();
    auto st = hc::smtp::send_mail(local(srv.port()), sample(), Deadline::after_ms(700));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error(), "smtp: greeting failed: timed out waiting for the server's reply");
    EXPECT_GE(ms, 650);
    EXPECT_LT(ms, 1500);
}

TEST(SmtpSend, BadInputRejectedBeforeConnecting) {
    auto s = local(1);
    Message m = sample();
    m.to = {"a@b\r\nRCPT TO:<evil@x>"};
    EXPECT_EQ(hc::smtp::send_mail(s, m, Deadline::after_ms(1000)).error().rfind("smtp: bad recipient address", 0), 0u);
    m.to.clear();
    EXPECT_EQ(hc::smtp::send_mail(s, m, Deadline::after_ms(1000)).error(), "smtp: no recipients");
    m = sample();
    m.from = "";
    EXPECT_EQ(hc::smtp::send_mail(s, m, Deadline::after_ms(1000)).error().rfind("smtp: bad sender address", 0), 0u);
}

TEST(SmtpSend, ConnectRefused) {
    int port;
    {
        ScriptServer srv([](const std::string&, bool) { return std::string("<close>"); });
        port = srv.port();
        // Make the server accept and close so its listener goes away.
        int c = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<uint16_t>(port));
        ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::close(c);
    }
    auto st = hc::smtp::send_mail(local(port), sample(), Deadline::after_ms(2000));
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().rfind("smtp: connect to 127.0.0.1:" + std::to_string(port) + " failed: ", 0), 0u)
        << st.error();
}

}  // namespace
