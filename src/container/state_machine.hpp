#pragma once
// The container check's state machine (seed 000). Pure: given what the
// state file held and whether the probe passed, says what to write, which
// notice to send and the exit code.
#include <string>

namespace hc::container {

enum class Stored { Missing, Starting = 1, Passing = 2, Failing = 3, Recovered = 4, Garbled };

struct Decision {
    int new_state;       // 1-4, written to the state file
    int exit_code;       // 0, 10-15, 20
    std::string notice;  // title of the DingTalk message; empty = no notice
};

Decision decide(Stored previous, bool passed, const std::string& name);

// Report-mode status: the state written (README "State table and exit codes").
inline int report_status(const Decision& d) { return d.new_state; }

}  // namespace hc::container
