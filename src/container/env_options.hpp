#pragma once
// Container-mode options read from HC_* environment variables. An
// exec-form Docker HEALTHCHECK runs no shell, so it can not expand $PORT
// in its arguments; ENV HC_URL=... (or `docker run -e HC_URL=...`) can be
// set per container instead. One variable per option; an option given on
// the command line wins over its variable; an empty variable counts as
// unset.
#include <set>
#include <string>
#include <vector>

#include "container/cli.hpp"
#include "util/result.hpp"

namespace hc::container {

enum class EnvKind {
    Value,  // the option's value, as on the command line (lists split at commas)
    Lines,  // one value per line (-H, --regex, --json-path: values may hold commas)
    Flag,   // 1/true/yes/on sets it, 0/false/no/off leaves it off
};

struct EnvOption {
    const char* var;
    const char* option;  // long name
    EnvKind kind;
};

extern const std::vector<EnvOption> kEnvOptions;

// Arguments ("--timeout=5000", "--insecure") for each variable that is set
// and whose option is not in `given` (long names the command line used).
// `used` gets the names of the variables taken, for messages.
Result<std::vector<std::string>> env_arguments(const std::set<std::string>& given, const EnvLookup& env,
                                               std::vector<std::string>& used);

// A lookup over this process's HC_* variables, found in one pass over the
// environment: a getenv() per option scanned all of it 19 times, 8% of a
// check's instructions.
EnvLookup process_env();

}  // namespace hc::container
