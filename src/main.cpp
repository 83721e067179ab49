// healthcheck: container check mode (default) and `supervise` mode.
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "container/run.hpp"
#include "supervise/run.hpp"

int main(int argc, char** argv) {
    // A peer that closes early must surface as an error, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "supervise") {
        args.erase(args.begin());
        return hc::supervise::run(args);
    }
    return hc::container::run(args);
}
