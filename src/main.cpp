// healthcheck: container check mode (default), `supervise` mode, and
// `sendmail` (one mail through the SMTP client, for testing a mail: setup).
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "container/run.hpp"
#include "sendmail/cli.hpp"
#include "supervise/run.hpp"

int main(int argc, char** argv) {
    // A peer that closes early must surface as an error, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "supervise") {
        args.erase(args.begin());
        return hc::supervise::run(args);
    }
    if (!args.empty() && args[0] == "sendmail") {
        args.erase(args.begin());
        return hc::sendmail::run(args);
    }
    return hc::container::run(args);
}
