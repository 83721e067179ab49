#pragma once
#include <string>
#include <vector>

namespace hc::supervise {

// `healthcheck supervise`: the daemon that watches supervisord programs.
int run(const std::vector<std::string>& args);

}  // namespace hc::supervise
