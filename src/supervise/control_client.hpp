#pragma once
// `healthcheck supervise status | pause CHECK|all | resume CHECK|all`: the
// client side of the daemon's status socket (status.hpp has the protocol).
#include <string>
#include <vector>

namespace hc::supervise {

// args[0] is the verb. Exit 0 on an answer, 1 when the daemon refused the
// command or could not be reached, 2 on a usage or config error.
int run_control(const std::vector<std::string>& args, const std::string& default_config);

}  // namespace hc::supervise
