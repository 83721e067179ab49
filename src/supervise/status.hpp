#pragma once
// What `healthcheck supervise status` prints, and the control protocol of
// the status socket (pure: the daemon fills the rows and carries out the
// commands; control_client.cpp is the other end).
//
// Protocol: one request line ("status", "pause NAME|all", "resume NAME|all"),
// one text reply, then the daemon closes. A reply whose first line starts with
// "error: " is a refusal (the client exits 1).
#include <string>
#include <vector>

#include "supervise/config.hpp"
#include "supervise/policy.hpp"

namespace hc::supervise {

constexpr size_t kMaxControlRequest = 512;

struct ControlRequest {
    enum class Verb { Status, Pause, Resume, Bad } verb = Verb::Bad;
    std::string target;  // check name or "all" (pause/resume)
    std::string error;   // Bad: why
};
// The first line of `request` (trailing CR/LF and blanks trimmed).
ControlRequest parse_control(const std::string& request);

struct CheckStatus {
    std::string name, program, type;
    std::string state;          // unknown, healthy, failed, holding, paused, given up
    std::string last;           // pass, fail, error, wait or "-" (no result yet)
    std::string reason;         // the last result's reason, already scrubbed of secrets
    int fails = 0, passes = 0;  // consecutive, as counted for the thresholds
    long next_probe_s = -1;     // -1: none scheduled (paused)
    std::string next_action;
};

// The state word and the next-action text, from the policy's state.
std::string state_word(const PolicyState& s);
std::string next_action_text(const PolicyState& s, const CheckConfig& cfg, Clock::time_point now);

// One header and one aligned line per check; control bytes escaped, the
// reason cut at 160 bytes.
std::string render_status(const std::vector<CheckStatus>& rows);

}  // namespace hc::supervise
