#include "container/conditions.hpp"

#include <fcntl.h>
#include <picojson.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "util/text.hpp"

namespace hc::container {
namespace {

constexpr size_t kMaxShownValue = 60;
constexpr int kMinRegexBudgetMs = 100;  // a fast answer at the edge of -t still gets searched

std::string quoted(std::string_view s) { return "\"" + printable(s, kMaxShownValue, true) + "\""; }

bool all_digits(const std::string& s) {
    if (s.empty() || s.size() > 9) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// The value at `path`, or nullptr with `missing` naming the path up to
// the first step that is not there.
const picojson::value* walk(const picojson::value& root, const std::vector<std::string>& path, std::string& missing) {
    const picojson::value* v = &root;
    std::string so_far;
    for (const auto& key : path) {
        so_far += (so_far.empty() ? "" : ".") + key;
        const picojson::value* next = nullptr;
        if (v->is<picojson::object>()) {
            const auto& obj = v->get<picojson::object>();
            if (auto it = obj.find(key); it != obj.end()) next = &it->second;
        } else if (v->is<picojson::array>() && all_digits(key)) {
            const auto& arr = v->get<picojson::array>();
            if (size_t i = std::strtoul(key.c_str(), nullptr, 10); i < arr.size()) next = &arr[i];
        }
        if (!next) {
            missing = so_far;
            return nullptr;
        }
        v = next;
    }
    return v;
}

const char* kind_of(const picojson::value& v) {
    if (v.is<picojson::object>()) return "an object";
    if (v.is<picojson::array>()) return "an array";
    return "a value";
}

bool same_number(const picojson::value& v, const std::string& want) {
    if (want.empty()) return false;
    char* end = nullptr;
    double w = std::strtod(want.c_str(), &end);
    if (end != want.c_str() + want.size()) return false;
    if (v.is<int64_t>()) return static_cast<double>(v.get<int64_t>()) == w;
    return v.get<double>() == w;
}

// Why `v` does not satisfy `c` (nullopt when it does).
std::optional<std::string> mismatch(const JsonCondition& c, const picojson::value& v) {
    std::string where = c.text.substr(0, c.text.find('='));
    if (!c.want) {
        if (v.is<picojson::null>() || (v.is<bool>() && !v.get<bool>())) return where + " is " + v.to_str();
        return std::nullopt;
    }
    const std::string& want = *c.want;
    bool ok = false;
    if (v.is<std::string>())
        ok = v.get<std::string>() == want;
    else if (v.is<double>())  // int64 values answer is<double> too
        ok = same_number(v, want);
    else if (v.is<bool>() || v.is<picojson::null>())
        ok = v.to_str() == want;
    else
        return where + " is " + kind_of(v) + " (want " + quoted(want) + ")";
    if (ok) return std::nullopt;
    std::string shown = v.is<std::string>() ? quoted(v.get<std::string>()) : printable(v.to_str(), kMaxShownValue);
    return where + " is " + shown + " (want " + quoted(want) + ")";
}

}  // namespace

Result<JsonCondition> parse_json_condition(const std::string& spec) {
    const std::string form = " (want a.b.c or a.b.c=VALUE, e.g. items.0.status=UP)";
    if (spec.size() > kMaxJsonPathBytes)
        return err("--json-path: longer than " + std::to_string(kMaxJsonPathBytes) + " bytes");
    if (has_control(spec)) return err("--json-path: control characters in \"" + escape_control(spec) + "\"");
    JsonCondition c;
    c.text = spec;
    size_t eq = spec.find('=');
    std::string path = spec.substr(0, eq);
    if (eq != std::string::npos) c.want = spec.substr(eq + 1);
    if (path.empty()) return err("--json-path: empty path in \"" + spec + "\"" + form);
    for (size_t start = 0;;) {
        size_t dot = path.find('.', start);
        std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (key.empty()) return err("--json-path: empty step in \"" + spec + "\"" + form);
        c.path.push_back(key);
        if (c.path.size() > kMaxJsonPathSegments)
            return err("--json-path: more than " + std::to_string(kMaxJsonPathSegments) + " steps");
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return c;
}

std::optional<std::string> failed_json(const std::vector<JsonCondition>& conditions, const std::string& body) {
    if (conditions.empty()) return std::nullopt;
    picojson::value root;
    std::string error;
    auto end = body.end();
    try {
        end = picojson::parse(root, body.begin(), body.end(), &error);
    } catch (const std::overflow_error&) {  // picojson throws on numbers like 1e999
        error = "number out of range";
    }
    for (auto it = end; error.empty() && it != body.end(); ++it)
        if (*it != ' ' && *it != '\n' && *it != '\r' && *it != '\t') error = "more data after the JSON value";
    if (!error.empty()) return std::string("the body is not JSON (") + printable(trim(error), 80) + ")";
    for (const auto& c : conditions) {
        std::string missing;
        const picojson::value* v = walk(root, c.path, missing);
        if (!v) return "the body has no " + printable(missing, kMaxShownValue, true);
        if (auto why = mismatch(c, *v)) return why;
    }
    return std::nullopt;
}

Found search_bounded(const Regex& re, std::string_view text, Deadline deadline) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Found::Failed;
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return Found::Failed;
    }
    if (pid == 0) {
        // The child: its exit closes the pipe's write end, which wakes the
        // parent. _exit, so the parent's stdio buffers are not flushed twice.
        ::close(fds[0]);
        ::_exit(re.search(text) ? 0 : 1);
    }
    ::close(fds[1]);
    pollfd p{fds[0], POLLIN, 0};
    Deadline budget = deadline;
    if (budget.remaining_ms() < kMinRegexBudgetMs) budget = Deadline::after_ms(kMinRegexBudgetMs);
    int rc;
    while ((rc = ::poll(&p, 1, budget.remaining_ms())) < 0 && errno == EINTR) {
    }
    ::close(fds[0]);
    if (rc == 0) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (rc == 0) return Found::OutOfTime;
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) return Found::Failed;
    return WEXITSTATUS(status) == 0 ? Found::Yes : Found::No;
}

std::optional<std::string> failed_condition(const Conditions& c, const http::Response& r, Deadline deadline) {
    if (!c.status.contains(r.status)) return " (want " + c.status.str() + ")";
    const std::string cut = r.body_truncated ? " in its first 1 MiB" : "";
    if (!c.keyword.empty() && r.body.find(c.keyword) == std::string::npos)
        return ", but the body lacks \"" + c.keyword + "\"" + cut;
    for (const auto& re : c.regexes) {
        switch (search_bounded(*re, r.body, deadline)) {
            case Found::Yes: break;
            case Found::No: return ", but the body does not match the regex \"" + re->pattern() + "\"" + cut;
            case Found::OutOfTime:
                return ", but the search for the regex \"" + re->pattern() + "\" ran out of time (-t)";
            case Found::Failed: return ", but the search for the regex \"" + re->pattern() + "\" failed";
        }
    }
    if (auto why = failed_json(c.json, r.body)) return ", but " + *why;
    return std::nullopt;
}

}  // namespace hc::container
