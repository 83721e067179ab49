// YAML configuration loader of supervise mode (src/supervise/config on
// libyaml via src/yaml/doc). Invariants: errors name the file;
// a loaded config describes itself without crashing, compares equal to
// itself, and describe() shows every password field as *** or (none).
#include "fuzz_common.hpp"
#include "supervise/config.hpp"

HC_FUZZ_TARGET(yaml_config) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto r = hc::supervise::load_config_text(text, "fuzz.yaml");
    if (!r) {
        FUZZ_CHECK(r.error().find("fuzz.yaml") != std::string::npos);
        return 0;
    }
    std::string d = hc::supervise::describe(*r);
    FUZZ_CHECK(!d.empty());
    FUZZ_CHECK(r->global == r->global);
    for (const auto& c : r->checks) {
        FUZZ_CHECK(c == c);
        FUZZ_CHECK(!c.program.empty());
        (void)c.actions.str();
    }
    (void)r->global.mail.effective_tls();
    for (const auto& line : hc_fuzz::split(d, '\n')) {
        for (const char* key : {"  password: ", "    pass: ", "  supervisordPass: "}) {
            if (line.rfind(key, 0) == 0) {
                std::string value = line.substr(std::string(key).size());
                FUZZ_CHECK(value == "***" || value == "(none)");
            }
        }
    }
    return 0;
}
