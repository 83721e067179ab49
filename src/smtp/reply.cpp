#include "smtp/reply.hpp"

#include <cctype>

#include "util/text.hpp"

namespace hc::smtp {

std::string Reply::summary() const {
    std::string joined;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i) joined += "; ";
        joined += lines[i];
    }
    std::string out = std::to_string(code);
    if (!joined.empty()) out += " " + printable(joined, 512, true);
    return out;
}

ReplyParser::State ReplyParser::fail(std::string message) {
    error_ = std::move(message);
    state_ = State::Error;
    return state_;
}

void ReplyParser::reset() {
    reply_ = Reply{};
    state_ = State::NeedMore;
    error_.clear();
    bytes_ = 0;
}

ReplyParser::State ReplyParser::feed_line(std::string_view line) {
    if (state_ != State::NeedMore) return state_;
    bytes_ += line.size() + 2;
    if (bytes_ > kMaxBytes) return fail("reply longer than 64 KiB");
    if (reply_.lines.size() >= kMaxLines) return fail("reply has more than 100 lines");
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
        !std::isdigit(static_cast<unsigned char>(line[1])) || !std::isdigit(static_cast<unsigned char>(line[2])))
        return fail("malformed reply line: [" + printable(line, 100, true) + "]");
    if (line[0] < '2' || line[0] > '5' || line[1] > '5')
        return fail("reply code out of range: [" + printable(line, 100, true) + "]");
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    bool last;
    if (line.size() == 3) {
        last = true;
    } else if (line[3] == ' ') {
        last = true;
    } else if (line[3] == '-') {
        last = false;
    } else {
        return fail("malformed reply line: [" + printable(line, 100, true) + "]");
    }
    if (!reply_.lines.empty() && code != reply_.code)
        return fail("reply code changed within a multi-line reply (" + std::to_string(reply_.code) + " then " +
                    std::to_string(code) + ")");
    reply_.code = code;
    reply_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
    if (last) state_ = State::Complete;
    return state_;
}

namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        size_t b = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
        if (i > b) out.emplace_back(s.substr(b, i - b));
    }
    return out;
}

}  // namespace

Extensions parse_ehlo(const Reply& reply) {
    Extensions ext;
    for (size_t i = 1; i < reply.lines.size(); ++i) {
        std::string line = upper(reply.lines[i]);
        // Old servers announce "AUTH=LOGIN PLAIN".
        if (line.compare(0, 5, "AUTH=") == 0) line[4] = ' ';
        auto w = words(line);
        if (w.empty()) continue;
        if (w[0] == "STARTTLS") ext.starttls = true;
        if (w[0] == "AUTH") {
            ext.auth = true;
            for (size_t k = 1; k < w.size(); ++k) {
                ext.auth_mechanisms.push_back(w[k]);
                if (w[k] == "PLAIN") ext.auth_plain = true;
                if (w[k] == "LOGIN") ext.auth_login = true;
            }
        }
    }
    return ext;
}

}  // namespace hc::smtp
