#include "container/env_options.hpp"

#include <unistd.h>

#include <cstring>

#include "util/text.hpp"

namespace hc::container {

// README.md (Container check mode, "Environment variables") lists the same.
const std::vector<EnvOption> kEnvOptions = {
    {"HC_NAME", "name", EnvKind::Value},       {"HC_URL", "url", EnvKind::Value},
    {"HC_TIMEOUT", "timeout", EnvKind::Value}, {"HC_MATCH", "match", EnvKind::Value},
    {"HC_FILE", "file", EnvKind::Value},       {"HC_REPORT", "report", EnvKind::Value},
    {"HC_STATUS", "status", EnvKind::Value},   {"HC_METHOD", "method", EnvKind::Value},
    {"HC_HEADERS", "header", EnvKind::Lines},  {"HC_DATA", "data", EnvKind::Value},
    {"HC_REGEX", "regex", EnvKind::Lines},     {"HC_JSON_PATH", "json-path", EnvKind::Lines},
    {"HC_CACERT", "cacert", EnvKind::Value},   {"HC_INSECURE", "insecure", EnvKind::Flag},
    {"HC_VERIFY", "verify", EnvKind::Flag},    {"HC_DINGTALK", "dingtalk", EnvKind::Value},
    {"HC_WECOM", "wecom", EnvKind::Value},     {"HC_FEISHU", "feishu", EnvKind::Value},
    {"HC_WEBHOOK", "webhook", EnvKind::Value}, {"HC_CERT", "cert", EnvKind::Value},
    {"HC_KEY", "key", EnvKind::Value},
};

namespace {

Result<bool> flag_value(const char* var, const std::string& v) {
    std::string l = to_lower(trim(v));
    if (l == "1" || l == "true" || l == "yes" || l == "on") return true;
    if (l == "0" || l == "false" || l == "no" || l == "off") return false;
    return err(std::string(var) + ": want 1, true, yes, on or 0, false, no, off");
}

}  // namespace

Result<std::vector<std::string>> env_arguments(const std::set<std::string>& given, const EnvLookup& env,
                                               std::vector<std::string>& used) {
    std::vector<std::string> out;
    for (const auto& e : kEnvOptions) {
        const char* raw = env(e.var);
        if (!raw || !*raw || given.count(e.option)) continue;
        std::string value = raw;
        std::string prefix = std::string("--") + e.option;
        used.push_back(e.var);
        if (e.kind == EnvKind::Flag) {
            auto on = flag_value(e.var, value);
            if (!on) return on.failure();
            if (*on) out.push_back(prefix);
        } else if (e.kind == EnvKind::Lines) {
            for (size_t start = 0; start < value.size();) {
                size_t nl = value.find('\n', start);
                if (nl == std::string::npos) nl = value.size();
                std::string line = value.substr(start, nl - start);
                if (!line.empty() && line.back() == '\r') line.pop_back();  // a file edited on Windows
                if (!trim(line).empty()) out.push_back(prefix + "=" + line);
                start = nl + 1;
            }
        } else {
            out.push_back(prefix + "=" + value);
        }
    }
    return out;
}

EnvLookup process_env() {
    std::vector<const char*> ours;
    for (char** e = environ; e && *e; ++e)
        if (std::strncmp(*e, "HC_", 3) == 0) ours.push_back(*e);
    return [ours = std::move(ours)](const char* name) -> const char* {
        const size_t n = std::strlen(name);
        for (const char* v : ours)
            if (std::strncmp(v, name, n) == 0 && v[n] == '=') return v + n + 1;
        return nullptr;
    };
}

}  // namespace hc::container
