#include "http/message.hpp"

#include <cctype>

#include "util/crypto.hpp"

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

namespace {

bool safe_header_text(const std::string& s) {
    for (char c : s)
        if (c == '\r' || c == '\n' || c == '\0') return false;
    return true;
}

}  // namespace

std::string serialize_request(const Request& req, const std::string& user_agent) {
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
    std::string out = req.method + " " + req.url.target + " HTTP/1.1\r\n";
    for (const auto& h : all) {
        // Header injection from config or a redirect must never split lines.
        if (!safe_header_text(h.first) || !safe_header_text(h.second)) continue;
        if (iequals(h.first, "Connection") || iequals(h.first, "Content-Length")) continue;
        out += h.first + ": " + h.second + "\r\n";
    }
    out += "Connection: close\r\n";
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT")
        out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
    out += "\r\n";
    out += req.body;
    return out;
}

}  // namespace hc::http
