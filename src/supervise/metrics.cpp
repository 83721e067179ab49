#include "supervise/metrics.hpp"

#include <cstdio>

#include "util/text.hpp"

namespace hc::supervise {

namespace {

// Label values in the exposition format's escapes (\\, \", \n); other
// control bytes as a literal \xHH (an escaped backslash, then xHH), so no
// byte of a check name can end a label or a line.
std::string label_value(const std::string& v) {
    std::string out;
    for (unsigned char c : v) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\\\x%02X", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string labels(const CheckMetrics& m, const std::string& extra = {}) {
    std::string s = "{check=\"" + label_value(m.name) + "\",program=\"" + label_value(m.program) + "\",type=\"" +
                    label_value(m.type) + "\"";
    if (!extra.empty()) s += "," + extra;
    return s + "}";
}

void family(std::string& out, const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void histogram(std::string& out, const CheckMetrics& m) {
    const char* n = "healthcheck_probe_duration_seconds";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < ProbeHistogram::kCount; ++i) {
        cumulative += m.probe.buckets[i];
        out += std::string(n) + "_bucket" + labels(m, "le=\"" + number(ProbeHistogram::kBuckets[i]) + "\"") + " " +
               std::to_string(cumulative) + "\n";
    }
    out += std::string(n) + "_bucket" + labels(m, "le=\"+Inf\"") + " " + std::to_string(m.probe.count) + "\n";
    out += std::string(n) + "_sum" + labels(m) + " " + number(m.probe.sum) + "\n";
    out += std::string(n) + "_count" + labels(m) + " " + std::to_string(m.probe.count) + "\n";
}

}  // namespace

void ProbeHistogram::observe(double seconds) {
    for (size_t i = 0; i < kCount; ++i) {
        if (seconds <= kBuckets[i]) {
            ++buckets[i];
            break;
        }
    }
    ++count;
    sum += seconds;
}

std::string render_metrics(const std::vector<const CheckMetrics*>& checks) {
    std::string out;
    family(out, "healthcheck_check_up", "gauge",
           "1 when the check is healthy, 0 when it failed (absent while unknown).");
    for (const auto* m : checks)
        if (m->up >= 0) out += "healthcheck_check_up" + labels(*m) + " " + std::to_string(m->up) + "\n";
    family(out, "healthcheck_check_paused", "gauge", "1 while the check is paused (healthcheck supervise pause).");
    for (const auto* m : checks) out += "healthcheck_check_paused" + labels(*m) + " " + (m->paused ? "1" : "0") + "\n";
    family(out, "healthcheck_check_given_up", "gauge",
           "1 when the check gave up after maxRestarts actions (resume or SIGHUP re-arms).");
    for (const auto* m : checks)
        out += "healthcheck_check_given_up" + labels(*m) + " " + (m->given_up ? "1" : "0") + "\n";
    family(out, "healthcheck_probe_duration_seconds", "histogram", "Time each probe took.");
    for (const auto* m : checks) histogram(out, *m);
    family(out, "healthcheck_actions_total", "counter", "Program actions taken (restart, exec, kill).");
    for (const auto* m : checks) {
        std::map<std::string, uint64_t> actions = m->actions;
        if (!m->action.empty()) actions.emplace(m->action, 0);
        for (const auto& [kind, n] : actions)
            out += "healthcheck_actions_total" + labels(*m, "action=\"" + label_value(kind) + "\"") + " " +
                   std::to_string(n) + "\n";
    }
    family(out, "healthcheck_notices_total", "counter", "Notices queued (failed, resolved, reminder, gave_up).");
    for (const auto* m : checks) {
        std::map<std::string, uint64_t> notices = m->notices;
        for (const char* k : {"failed", "resolved", "reminder", "gave_up"}) notices.emplace(k, 0);
        for (const auto& [kind, n] : notices)
            out += "healthcheck_notices_total" + labels(*m, "kind=\"" + label_value(kind) + "\"") + " " +
                   std::to_string(n) + "\n";
    }
    return out;
}

bool http_request_complete(const std::string& request) {
    return request.find("\r\n\r\n") != std::string::npos || request.find("\n\n") != std::string::npos;
}

std::string http_response(int status, const std::string& reason, const std::string& content_type,
                          const std::string& content) {
    return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
           "\r\nContent-Length: " + std::to_string(content.size()) + "\r\nConnection: close\r\n\r\n" + content;
}

MetricsRoute route_metrics(const std::string& request) {
    const size_t eol = request.find('\n');
    std::string line = trim(request.substr(0, eol));
    const size_t sp1 = line.find(' ');
    const size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string::npos || line.find(' ', sp2 + 1) != std::string::npos) return MetricsRoute::Bad;
    const std::string method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                      version = line.substr(sp2 + 1);
    if (version.rfind("HTTP/1.", 0) != 0) return MetricsRoute::Bad;
    const std::string path = target.substr(0, target.find('?'));
    return method == "GET" && path == "/metrics" ? MetricsRoute::Metrics : MetricsRoute::NotFound;
}

}  // namespace hc::supervise
