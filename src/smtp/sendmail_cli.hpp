#pragma once
// `healthcheck sendmail ...`: sends one message with the supervise-mode
// SMTP client. For operators testing their mail settings and for tests.
#include <string>
#include <vector>

namespace hc::smtp {

// args exclude "sendmail" itself. Returns the process exit code:
// 0 sent, 1 sending failed, 2 bad usage.
int sendmail_main(const std::vector<std::string>& args);

}  // namespace hc::smtp
