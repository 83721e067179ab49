#pragma once
// What a probed HTTP response must satisfy to pass in container mode: its
// status (--status, default 200), a keyword (-m), POSIX regexes (--regex)
// and JSON values (--json-path). Parsed once from the command line, where
// a bad one is a usage error (exit 2); checked against the final response.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "http/status_list.hpp"
#include "util/deadline.hpp"
#include "util/regex.hpp"
#include "util/result.hpp"

namespace hc::container {

// --json-path PATH[=VALUE]. PATH is keys and array indexes joined by dots
// ("items.0.name"). With =VALUE the value there must equal VALUE: a
// string's text, a number numerically ("1.0" equals 1), true, false or
// null. Without it, the value must exist and be neither null nor false
// (as `jq -e`).
struct JsonCondition {
    std::vector<std::string> path;
    std::optional<std::string> want;
    std::string text;  // as given, for messages
};

constexpr size_t kMaxJsonPathBytes = 1024;
constexpr size_t kMaxJsonPathSegments = 32;

Result<JsonCondition> parse_json_condition(const std::string& spec);

struct Conditions {
    http::StatusList status = http::StatusList::single(200);
    std::string keyword;                                // -m
    std::vector<std::shared_ptr<const Regex>> regexes;  // --regex, each must match
    std::vector<JsonCondition> json;                    // --json-path, each must hold
    bool reads_body() const { return !keyword.empty() || !regexes.empty() || !json.empty(); }
};

// Why the response fails, as text to append to "HTTP 200 from URL in N ms"
// (" (want 200)", ", but the body lacks \"OK\""), or nullopt when it
// passes. Regex searches share `deadline` (see search_bounded).
std::optional<std::string> failed_condition(const Conditions& c, const http::Response& response, Deadline deadline);

// The JSON conditions alone: nullopt when all hold, else the first failure.
std::optional<std::string> failed_json(const std::vector<JsonCondition>& conditions, const std::string& body);

// glibc's regexec is quadratic or worse on some patterns ("(a|aa)*c" takes
// 10 s on 16 KiB of "a"), so the search runs in a forked child that is
// killed at the deadline: a hostile body costs at most the probe's -t.
enum class Found { Yes, No, OutOfTime, Failed };
Found search_bounded(const Regex& re, std::string_view text, Deadline deadline);

}  // namespace hc::container
