#include "http/message.hpp"

#include <cctype>

#include "util/crypto.hpp"
#include "util/text.hpp"

namespace hc::http {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

const std::string* find_header(const Headers& headers, std::string_view name) {
    for (const auto& h : headers)
        if (iequals(h.first, name)) return &h.second;
    return nullptr;
}

bool valid_header_name(std::string_view name) {
    if (name.empty()) return false;
    for (char ch : name) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos) continue;
        return false;
    }
    return true;
}

bool valid_header_value(std::string_view value) {
    for (size_t start = 0; start <= value.size();) {
        size_t tab = value.find('\t', start);
        if (tab == std::string_view::npos) tab = value.size();
        if (has_control(value.substr(start, tab - start))) return false;
        start = tab + 1;
    }
    return true;
}

Result<std::string> serialize_request(const Request& req, const std::string& user_agent, bool keep_alive) {
    Headers all = {{"Host", req.url.host_header()}, {"User-Agent", user_agent}, {"Accept", "*/*"}};
    if (!req.url.userinfo.empty()) all.emplace_back("Authorization", "Basic " + base64_encode(req.url.userinfo));
    for (const auto& h : req.headers) {
        bool replaced = false;
        for (auto& existing : all)
            if (iequals(existing.first, h.first)) {
                existing.second = h.second;
                replaced = true;
            }
        if (!replaced) all.push_back(h);
    }
    // Header injection from a config, a command line or a redirect must
    // never split lines: refuse the request rather than send part of it.
    if (!valid_header_name(req.method))
        return err("refusing to send a request with the method [" + escape_control(req.method) + "]");
    if (req.url.target.empty() || req.url.target.find(' ') != std::string::npos || has_control(req.url.target))
        return err("refusing to send a request with a space or control character in its target");
    for (const auto& h : all) {
        if (!valid_header_name(h.first))
            return err("refusing to send the header [" + escape_control(h.first) + "]: not a valid header name");
        if (!valid_header_value(h.second))
            return err("refusing to send the header " + h.first + ": control characters in its value");
    }
    std::string out = req.method + " " + req.url.target + " HTTP/1.1\r\n";
    for (const auto& h : all) {
        if (iequals(h.first, "Connection") || iequals(h.first, "Content-Length")) continue;
        out += h.first + ": " + h.second + "\r\n";
    }
    if (!keep_alive) out += "Connection: close\r\n";
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT")
        out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
    out += "\r\n";
    out += req.body;
    return out;
}

}  // namespace hc::http
