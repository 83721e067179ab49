#include "container/request_options.hpp"

#include "util/text.hpp"

namespace hc::container {
namespace {

constexpr size_t kMaxMethodBytes = 32;

const std::vector<std::string>* values(const std::map<std::string, std::vector<std::string>>& given, const char* name) {
    auto it = given.find(name);
    return it == given.end() || it->second.empty() ? nullptr : &it->second;
}

Result<std::string> parse_method(const std::string& given) {
    std::string m;
    for (char c : given) m += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (m.size() > kMaxMethodBytes || !http::valid_header_name(m))
        return err("--method: \"" + printable(given, 40) + "\" is not an HTTP method (e.g. GET, HEAD, POST)");
    return m;
}

Status parse_conditions(const std::map<std::string, std::vector<std::string>>& given, Options& opt) {
    Conditions& c = opt.conditions;
    c.keyword = opt.match;
    if (auto v = values(given, "status")) {
        if (v->size() > 1) return err("--status: given more than once (use one list: 200-399,401)");
        auto list = http::StatusList::parse(v->front());
        if (!list) return err("--status: " + list.error());
        c.status = *list;
    }
    if (auto v = values(given, "regex"))
        for (const auto& p : *v) {
            auto re = Regex::compile(p);
            if (!re) return err("--" + re.error());
            c.regexes.push_back(*re);
        }
    if (auto v = values(given, "json-path"))
        for (const auto& spec : *v) {
            auto j = parse_json_condition(spec);
            if (!j) return j.failure();
            c.json.push_back(*j);
        }
    return ok_status();
}

}  // namespace

const std::vector<std::string> kRequestOptions = {"status", "method", "header", "data", "regex", "json-path"};

Result<std::pair<std::string, std::string>> parse_header(const std::string& spec) {
    // The header is never shown: a typo in "Authorization: Bearer ..."
    // must not print the token.
    size_t colon = spec.find(':');
    if (colon == std::string::npos)
        return err("-H/--header: want \"Name: value\" (the header given is not shown: it may hold a secret)");
    std::string name = spec.substr(0, colon);
    if (!http::valid_header_name(name))
        return err("-H/--header: the text before ':' is not a header name (not shown: it may hold a secret)");
    std::string value(trim_view(std::string_view(spec).substr(colon + 1), " \t"));
    // The HTTP layer's own rule (it refuses to send such a header too).
    if (!http::valid_header_value(value))
        return err("-H/--header " + name + ": control characters in the value (the value is not shown)");
    for (const char* framing : {"Content-Length", "Transfer-Encoding", "Connection"})
        if (http::iequals(name, framing)) return err("-H/--header " + name + ": set by healthcheck itself");
    return std::make_pair(name, value);
}

Status apply_request_options(const std::map<std::string, std::vector<std::string>>& given, Options& opt,
                             const std::string& scheme) {
    if (scheme == "tcp" || scheme == "tls" || scheme == "grpc" || scheme == "grpcs")
        for (const auto& name : kRequestOptions)
            if (values(given, name.c_str()))
                return err((name == "header" ? "-H/--header" : "--" + name) + " needs an HTTP target: a " + scheme +
                           ":// probe sends no HTTP request");
    if (auto v = values(given, "data")) {
        if (v->size() > 1) return err("--data: given more than once");
        opt.data = v->front();
    }
    opt.method = opt.data ? "POST" : "GET";
    if (auto v = values(given, "method")) {
        if (v->size() > 1) return err("--method: given more than once");
        auto m = parse_method(v->front());
        if (!m) return m.failure();
        opt.method = *m;
    }
    if (auto v = values(given, "header"))
        for (const auto& spec : *v) {
            auto h = parse_header(spec);
            if (!h) return h.failure();
            opt.headers.push_back(*h);
        }
    if (auto st = parse_conditions(given, opt); !st) return st;
    if (opt.method == "HEAD" && opt.conditions.reads_body())
        return err("--method HEAD: the answer has no body for -m, --regex or --json-path to check");
    return ok_status();
}

}  // namespace hc::container
