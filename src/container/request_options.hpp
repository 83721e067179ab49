#pragma once
// The probe's request and pass-condition options of container mode:
// --status, --method, -H/--header, --data, --regex, --json-path. Each is
// checked here, once, so a bad one is a usage error (exit 2) before any
// request; header values and --data may hold secrets and are never put in
// a message.
#include <map>
#include <string>
#include <vector>

#include "container/cli.hpp"
#include "util/result.hpp"

namespace hc::container {

// Option long names handled here (cxxopts registers them as plain strings,
// so a value keeps its commas; repeats are all kept, in order).
extern const std::vector<std::string> kRequestOptions;

// `given`: option long name -> every value given, in command-line order.
// `scheme`: the -u URL's; tcp://, tls:// and grpc(s):// send no HTTP
// request, so these options with them are usage errors, not ignored.
Status apply_request_options(const std::map<std::string, std::vector<std::string>>& given, Options& opt,
                             const std::string& scheme);

// "Name: value" -> {Name, value}; optional spaces around the value.
Result<std::pair<std::string, std::string>> parse_header(const std::string& spec);

}  // namespace hc::container
