#include "supervise/run.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cxxopts.hpp>

#include "supervise/config.hpp"
#include "supervise/control_client.hpp"
#include "supervise/daemon.hpp"
#include "supervise/log.hpp"
#include "util/text.hpp"

namespace hc::supervise {
namespace {

// Whether any of the 8 bytes at p needs escaping: a control byte other
// than '\n', DEL or a backslash (bytes >= 0x80 never do). Exact per byte:
// no carry crosses from one byte to the next.
bool word_needs_escape(const char* p) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL, kLow = ~kHigh;
    uint64_t x = 0;
    std::memcpy(&x, p, sizeof x);
    const auto zero_bytes = [](uint64_t y) { return ~(((y & kLow) + kLow) | y) & kHigh; };
    const uint64_t control = ~(((x & kLow) + kOnes * 0x60) | x) & kHigh;  // bytes < 0x20
    const uint64_t escaped =
        (control & ~zero_bytes(x ^ (kOnes * '\n'))) | zero_bytes(x ^ (kOnes * 0x7f)) | zero_bytes(x ^ (kOnes * '\\'));
    return escaped != 0;
}

// Config errors and --test show check names and values from the file: a
// control byte (ESC) in them must not reach the terminal. The line breaks
// stay; every other byte goes through escape_control's rules. Runs of safe
// bytes are copied whole: a 10,000-check listing is 4 MB.
//
// The scan skips 8 safe bytes at a time and reads a plain pointer (a
// byte loop over text[i] cost about 7,000 instructions a check of a
// 10,000-check listing, issue 14.4).
std::string terminal_safe(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    const char* const p = text.data();
    const size_t n = text.size();
    size_t run = 0;  // start of the bytes not yet copied
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n && !word_needs_escape(p + i)) {
            i += 8;
            continue;
        }
        const size_t end = i + 8 < n ? i + 8 : n;
        for (; i < end; ++i) {
            const auto c = static_cast<unsigned char>(p[i]);
            if (c >= 0x20 ? c != 0x7f && c != '\\' : c == '\n') continue;
            out.append(p + run, i - run);
            out += escape_control(std::string_view(p + i, 1));
            run = i + 1;
        }
    }
    out.append(p + run, n - run);
    return out;
}

constexpr const char* kDefaultConfig = "/etc/supervisord.d/scripts/config.yaml";

// A SIGHUP reload runs the same load below the event loop's frames, about
// 700 bytes deeper in the stack than the first load runs from here. The
// first load runs below a page it writes first, so a reload of the same
// file touches no stack page the first load did not (issue 14.4: a reload
// stays within the first load's peak). Costs at most that one page.
[[gnu::noinline]] Result<Config> load_at_reload_depth(const std::string& path) {
    constexpr size_t kReloadGap = 4096;
    auto* gap = static_cast<volatile char*>(__builtin_alloca(kReloadGap));
    for (size_t i = 0; i < kReloadGap; i += 512) gap[i] = 0;
    Result<Config> config = load_config_file(path);
    asm volatile("" : : "r"(gap) : "memory");  // the gap outlives the call: no tail call
    return config;
}

std::string usage() {
    return "usage: healthcheck supervise [-c CONFIG] [--test | --once] [--log-format text|json]\n"
           "  -c, --config FILE    YAML config (default /etc/supervisord.d/scripts/config.yaml)\n"
           "      --test           validate the config, print the resolved checks, exit 0 or 2\n"
           "      --once           run every check once now, one line each; exit 0 if all pass, else 1\n"
           "      --log-format F   text (default) or json\n"
           "      --debug          also log debug events (passing probes while a check is not yet healthy)\n"
           "Signals: SIGTERM/SIGINT stop, SIGHUP reloads the config, SIGUSR1 logs statistics.\n"
           "Control a running daemon: healthcheck supervise status | pause CHECK|all | resume CHECK|all\n"
           "  [-c CONFIG | --socket PATH] (see healthcheck supervise status --help)\n";
}

}  // namespace

int run(const std::vector<std::string>& args) {
    // The status socket's client: `supervise status`, `pause CHECK`, `resume CHECK`.
    if (!args.empty() && (args[0] == "status" || args[0] == "pause" || args[0] == "resume"))
        return run_control(args, kDefaultConfig);
    std::vector<const char*> argv{"healthcheck supervise"};
    for (const auto& a : args) argv.push_back(a.c_str());
    std::string path = kDefaultConfig, format = "text";
    bool test = false, once = false, debug = false;
    try {
        cxxopts::Options o("healthcheck supervise", "");
        o.add_options()("c,config", "", cxxopts::value<std::string>())("test", "")("once", "")(
            "log-format", "", cxxopts::value<std::string>())("debug", "")("h,help", "");
        auto r = o.parse(static_cast<int>(argv.size()), argv.data());
        if (r.count("help")) {
            std::fputs(usage().c_str(), stdout);
            return 0;
        }
        if (!r.unmatched().empty()) throw cxxopts::exceptions::exception("unexpected argument " + r.unmatched()[0]);
        if (r.count("config")) path = r["config"].as<std::string>();
        if (r.count("log-format")) format = r["log-format"].as<std::string>();
        test = r.count("test") > 0;
        once = r.count("once") > 0;
        debug = r.count("debug") > 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "healthcheck supervise: %s\n\n%s", e.what(), usage().c_str());
        return 2;
    }
    if (format != "text" && format != "json") {
        std::fprintf(stderr, "healthcheck supervise: --log-format must be text or json\n\n%s", usage().c_str());
        return 2;
    }
    Logger log(format == "json" ? Logger::Format::Json : Logger::Format::Text);
    log.set_debug(debug);
    auto config = load_at_reload_depth(path);
    if (!config) {
        std::fprintf(stderr, "%s\n", terminal_safe(config.error()).c_str());
        return 2;
    }
    if (test) {
        std::fputs(terminal_safe(describe(*config)).c_str(), stdout);
        return 0;
    }
    // The daemon logs the config warnings (a world-readable file with
    // secrets among them) itself at start; --once logs them here, after the
    // Daemon has given the logger its secrets to scrub.
    const std::vector<std::string> once_warnings = once ? config->warnings : std::vector<std::string>();
    Daemon daemon(std::move(*config), log);
    for (const auto& w : once_warnings) log.warn("config", w);
    return once ? daemon.run_once() : daemon.run();
}

}  // namespace hc::supervise
