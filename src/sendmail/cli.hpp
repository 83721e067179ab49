#pragma once
// `healthcheck sendmail ...`: sends one message with the supervise-mode
// SMTP client. For operators testing their mail settings and for tests.
// A mode of its own (like container/ and supervise/), above the smtp/
// protocol layer it drives.
#include <string>
#include <vector>

namespace hc::sendmail {

// args exclude "sendmail" itself. Returns the process exit code:
// 0 sent, 1 sending failed, 2 bad usage.
int run(const std::vector<std::string>& args);

}  // namespace hc::sendmail
