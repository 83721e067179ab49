// Container-mode command line (src/container/cli): the input is split on
// NUL into arguments, normalised, then parsed with cxxopts. Invariants:
// normalize_argv never drops an argument and never touches anything after
// "--", and parse_cli turns every failure into an error (no exception
// escapes, no crash). (It is not idempotent by design: in "-t=-t=5" the
// value "-t=5" looks like an option once split off.)
#include "container/cli.hpp"
#include "fuzz_common.hpp"

HC_FUZZ_TARGET(argv) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> args;
    if (!in.empty()) args = hc_fuzz::split(in, '\0');
    if (args.size() > 64) args.resize(64);
    auto norm = hc::container::normalize_argv(args);
    FUZZ_CHECK(norm.size() >= args.size() && norm.size() <= 2 * args.size());
    for (size_t i = 0, j = 0; i < args.size() && j < norm.size(); ++i) {
        if (args[i] == "--") {
            // Everything from here on is passed through untouched.
            FUZZ_CHECK(std::vector<std::string>(args.begin() + static_cast<long>(i), args.end()) ==
                       std::vector<std::string>(norm.begin() + static_cast<long>(j), norm.end()));
            break;
        }
        // Unchanged or "--name:V" -> "--name=V" take one slot, "-n=V" two.
        j += norm[j] == args[i] || args[i].compare(0, 2, "--") == 0 ? 1 : 2;
    }
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
