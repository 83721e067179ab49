#pragma once
#include <string>
#include <vector>

namespace hc::container {

// Container check mode: probe, update the state file, notify, report.
// Returns the process exit code.
int run(const std::vector<std::string>& args);

}  // namespace hc::container
