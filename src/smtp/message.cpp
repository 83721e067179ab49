#include <sys/random.h>

#include <cctype>
#include <cstdint>
#include <cstdio>

#include "smtp/smtp.hpp"
#include "util/crypto.hpp"
#include "util/text.hpp"

namespace hc::smtp {

namespace {

const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string random_hex(size_t bytes) {
    std::string raw(bytes, '\0');
    size_t got = 0;
    while (got < bytes) {
        ssize_t n = ::getrandom(&raw[got], bytes - got, 0);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    if (got < bytes) {  // practically never; still unique enough per process
        static unsigned long counter = 0;
        unsigned long v = static_cast<unsigned long>(std::time(nullptr)) ^ (++counter << 20) ^
                          static_cast<unsigned long>(reinterpret_cast<uintptr_t>(&raw));
        for (size_t i = got; i < bytes; ++i) raw[i] = static_cast<char>(v >> ((i % 8) * 8));
    }
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : raw) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

std::string safe_hostname(const std::string& hostname) {
    std::string out;
    for (char c : hostname)
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') out += c;
    return out.empty() ? "localhost" : out;
}

// Header values must not smuggle in new header lines.
std::string one_line(const std::string& s) {
    std::string out;
    for (char c : s) out += (c == '\r' || c == '\n') ? ' ' : c;
    return out;
}

bool plain_ascii(const std::string& s) {
    for (unsigned char c : s)
        if (c < 0x20 || c > 0x7e) return false;
    return s.find("=?") == std::string::npos;
}

// Longest prefix of s[pos..] of at most max bytes that ends on a UTF-8
// character boundary (at least one byte so we always progress).
size_t utf8_chunk(const std::string& s, size_t pos, size_t max) {
    size_t end = pos + max;
    if (end >= s.size()) return s.size() - pos;
    while (end > pos && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    if (end == pos) end = pos + max;  // invalid UTF-8: split anywhere
    return end - pos;
}

std::string crlf(const std::string& text) {
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\r') {
            out += "\r\n";
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        } else if (c == '\n') {
            out += "\r\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string rfc5322_date(std::time_t now) {
    std::tm tm{};
    localtime_r(&now, &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", kDays[tm.tm_wday % 7], tm.tm_mday,
                  kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60,
                  off % 60);
    return buf;
}

std::string encode_subject(const std::string& subject_in) {
    std::string subject = one_line(subject_in);
    if (plain_ascii(subject) && subject.size() <= 900) return subject;
    // "=?UTF-8?B?" + base64 + "?=" <= 75 chars: base64 <= 63 -> 60 chars ->
    // 45 bytes. The first word shares its line with "Subject: ", so keep it
    // to 42 bytes to stay within 78 columns.
    std::string out;
    size_t pos = 0;
    bool first = true;
    if (subject.empty()) return subject;
    while (pos < subject.size()) {
        size_t n = utf8_chunk(subject, pos, first ? 42 : 45);
        if (!first) out += "\r\n ";
        out += "=?UTF-8?B?" + base64_encode(subject.substr(pos, n)) + "?=";
        pos += n;
        first = false;
    }
    return out;
}

std::string envelope_address(const std::string& address) {
    auto lt = address.rfind('<');
    auto gt = address.rfind('>');
    if (lt != std::string::npos && gt != std::string::npos && gt > lt) return trim(address.substr(lt + 1, gt - lt - 1));
    return trim(address);
}

// "Name <a@b>" with a non-ASCII name: the name becomes RFC 2047
// encoded-words (a raw UTF-8 display name is a header defect).
static std::string encode_mailbox(const std::string& mailbox_in) {
    std::string mailbox = one_line(mailbox_in);
    auto lt = mailbox.rfind('<');
    if (lt == std::string::npos || lt == 0) return mailbox;
    std::string name = trim(mailbox.substr(0, lt));
    bool ascii = true;
    for (unsigned char c : name) ascii = ascii && c < 0x80;
    if (ascii || name.empty()) return mailbox;
    return encode_subject(name) + " " + mailbox.substr(lt);
}

std::string format_message(const Message& message, std::time_t now, const std::string& hostname) {
    std::string to;
    for (size_t i = 0; i < message.to.size(); ++i) {
        if (i) to += ", ";
        to += encode_mailbox(message.to[i]);
    }
    std::string out;
    out += "Date: " + rfc5322_date(now) + "\r\n";
    out += "Message-ID: <" + random_hex(16) + "@" + safe_hostname(hostname) + ">\r\n";
    out += "From: " + encode_mailbox(message.from) + "\r\n";
    out += "To: " + to + "\r\n";
    out += "Subject: " + encode_subject(message.subject) + "\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: text/plain; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: base64\r\n";
    out += "\r\n";
    std::string b64 = base64_encode(crlf(message.body));
    for (size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
    return out;
}

std::string dot_stuff(const std::string& message) {
    std::string text = crlf(message);
    std::string out;
    out.reserve(text.size() + 8);
    bool line_start = true;
    for (char c : text) {
        if (line_start && c == '.') out += '.';
        out += c;
        line_start = (c == '\n');
    }
    if (!out.empty() && !line_start) out += "\r\n";
    out += ".\r\n";
    return out;
}

}  // namespace hc::smtp
