#include "supervise/status.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace hc::supervise {

namespace {

constexpr size_t kMaxReason = 160;

std::string seconds_text(long s) { return std::to_string(s) + " s"; }

}  // namespace

ControlRequest parse_control(const std::string& request) {
    ControlRequest r;
    std::string line = trim(request.substr(0, request.find('\n')));
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
        size_t j = line.find_first_of(" \t", i);
        if (j == std::string::npos) j = line.size();
        if (j > i) words.push_back(line.substr(i, j - i));
        i = j + 1;
    }
    if (words.size() == 1 && words[0] == "status") {
        r.verb = ControlRequest::Verb::Status;
    } else if (words.size() == 2 && (words[0] == "pause" || words[0] == "resume")) {
        r.verb = words[0] == "pause" ? ControlRequest::Verb::Pause : ControlRequest::Verb::Resume;
        r.target = words[1];
    } else {
        r.error = "expected: status | pause CHECK|all | resume CHECK|all";
    }
    return r;
}

std::string state_word(const PolicyState& s) {
    if (s.paused) return "paused";
    if (s.given_up) return "given up";
    if (s.phase == Phase::Holding) return "holding";
    return to_string(s.counters.health());
}

std::string next_action_text(const PolicyState& s, const CheckConfig& cfg, Clock::time_point now) {
    if (s.paused) return "none while paused";
    if (s.given_up) return "none (given up: resume or SIGHUP re-arms)";
    const bool program_action = cfg.actions.restart || cfg.actions.exec || cfg.actions.kill;
    if (!program_action) return "-";
    const char* what = cfg.actions.restart ? "restart" : cfg.actions.exec ? "exec" : "kill";
    if (s.phase == Phase::Holding) return std::string("holding after ") + what + " until RUNNING";
    auto wait_s = [&] {
        return static_cast<long>(std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::seconds>(s.backoff.next_allowed() - now).count()));
    };
    if (s.counters.health() == Health::Failed) {
        if (!s.action_pending) return "-";
        if (!s.backoff.may_act(now)) return std::string(what) + " in " + seconds_text(wait_s()) + " (backoff)";
        return std::string(what) + " on the next failing probe";
    }
    int left = cfg.failure_threshold - (s.counters.last_ok() ? 0 : s.counters.run());
    if (s.counters.run() == 0) left = cfg.failure_threshold;
    return std::string(what) + " after " + std::to_string(std::max(1, left)) + " more failure" + (left == 1 ? "" : "s");
}

std::string render_status(const std::vector<CheckStatus>& rows) {
    const std::vector<std::string> head{"CHECK", "PROGRAM", "TYPE",       "STATE",      "LAST",
                                        "FAILS", "PASSES",  "NEXT PROBE", "NEXT ACTION"};
    std::vector<std::vector<std::string>> table{head};
    for (const auto& r : rows) {
        table.push_back({escape_control(r.name), escape_control(r.program), r.type, r.state, r.last,
                         std::to_string(r.fails), std::to_string(r.passes),
                         r.next_probe_s < 0 ? "-" : "in " + seconds_text(r.next_probe_s), r.next_action});
    }
    std::vector<size_t> width(head.size(), 0);
    for (const auto& line : table)
        for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
    std::string out;
    for (size_t n = 0; n < table.size(); ++n) {
        std::string line;
        for (size_t i = 0; i < table[n].size(); ++i) {
            line += table[n][i];
            line += std::string(width[i] - table[n][i].size() + 2, ' ');
        }
        if (n == 0) {
            line += "REASON";
        } else {
            const std::string& reason = rows[n - 1].reason;
            std::string shown =
                escape_control(reason.size() > kMaxReason ? reason.substr(0, kMaxReason) + "..." : reason);
            line += shown.empty() ? std::string("-") : shown;
        }
        out += line + "\n";
    }
    return out;
}

}  // namespace hc::supervise
