#pragma once
// Command line of container mode. Accepts every spelling the original
// (Nim parseopt) accepted: -n=V, -n:V, -n V, --name=V, --name:V, --name V,
// with DingTalk robot tokens as positional arguments anywhere.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "container/conditions.hpp"
#include "util/result.hpp"

namespace hc::container {

struct Options {
    std::string name;
    std::string url;
    long timeout_ms = 8000;
    std::string match;
    std::string state_file = "/dev/shm/status";
    std::string report_url;
    std::vector<std::string> dingtalk;  // TOKEN or TOKEN:SECRET
    std::vector<std::string> wecom;     // KEY
    std::vector<std::string> feishu;    // ID or ID:SECRET
    std::vector<std::string> webhook;   // URL
    std::string cacert;
    std::string cert;  // client certificate for https:// and tls:// probes (mTLS)
    std::string key;   // its unencrypted key; never printed
    bool insecure = false;
    bool verify_probe = false;
    // The probe's request (request_options.hpp). Header values and the
    // body may hold secrets: never printed.
    std::string method = "GET";       // --method; POST when --data is given
    http::Headers headers;            // -H "Name: value", in order
    std::optional<std::string> data;  // --data
    Conditions conditions;            // --status, -m, --regex, --json-path
    bool help = false;
    bool version = false;
};

// Rewrites "-n=V" / "-n:V" / "--name:V" into forms cxxopts understands.
std::vector<std::string> normalize_argv(const std::vector<std::string>& args);

Result<Options> parse_cli(const std::vector<std::string>& args);
// The same, with the HC_* environment variables (env_options.hpp) filling
// in the options the command line leaves out: the command line wins.
using EnvLookup = std::function<const char*(const char*)>;
Result<Options> parse_cli(const std::vector<std::string>& args, const EnvLookup& env);
std::string usage();

}  // namespace hc::container
