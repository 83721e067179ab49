// Container-mode command line (src/container/cli): the input is split on
// NUL into arguments, normalised, then parsed with cxxopts. Invariants:
// normalize_argv never drops an argument, it is idempotent, and parse_cli
// turns every failure into an error (no exception escapes, no crash).
#include "container/cli.hpp"
#include "fuzz_common.hpp"

HC_FUZZ_TARGET(argv) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> args;
    if (!in.empty()) args = hc_fuzz::split(in, '\0');
    if (args.size() > 64) args.resize(64);
    auto norm = hc::container::normalize_argv(args);
    FUZZ_CHECK(norm.size() >= args.size() && norm.size() <= 2 * args.size());
    FUZZ_CHECK(hc::container::normalize_argv(norm) == norm);
    auto r = hc::container::parse_cli(args);
    if (r) {
        if (!r->help && !r->version) {
            FUZZ_CHECK(r->url.rfind("http://", 0) == 0 || r->url.rfind("https://", 0) == 0);
            FUZZ_CHECK(r->timeout_ms >= 1);
            FUZZ_CHECK(!r->state_file.empty());
        }
    } else {
        FUZZ_CHECK(!r.error().empty());
    }
    return 0;
}
