#include "container/cli.hpp"

#include <cxxopts.hpp>

#include <cctype>
#include <map>
#include <set>

#include "container/env_options.hpp"
#include "container/grpc_target.hpp"
#include "container/request_options.hpp"
#include "net/url.hpp"

namespace hc::container {
namespace {

bool is_option_name(const std::string& s, size_t from, size_t to) {
    if (to <= from || !std::isalpha(static_cast<unsigned char>(s[from]))) return false;
    for (size_t i = from; i < to; ++i)
        if (!std::isalnum(static_cast<unsigned char>(s[i])) && s[i] != '-') return false;
    return true;
}

cxxopts::Options make_options() {
    cxxopts::Options o("healthcheck", "");
    o.add_options()("n,name", "", cxxopts::value<std::string>())("u,url", "", cxxopts::value<std::string>())(
        "t,timeout", "", cxxopts::value<std::string>())("m,match", "", cxxopts::value<std::string>())(
        "f,file", "", cxxopts::value<std::string>())("r,report", "", cxxopts::value<std::string>())(
        "cacert", "", cxxopts::value<std::string>())("cert", "", cxxopts::value<std::string>())(
        "key", "", cxxopts::value<std::string>())("wecom", "", cxxopts::value<std::vector<std::string>>())(
        "feishu", "", cxxopts::value<std::vector<std::string>>())(
        "webhook", "", cxxopts::value<std::vector<std::string>>())("insecure", "")("verify", "")("h,help", "")(
        "version", "")("tokens", "", cxxopts::value<std::vector<std::string>>());
    // Request and condition options (request_options.hpp): plain strings,
    // so commas stay in a value, and repeats are read from arguments().
    o.add_options()("status", "", cxxopts::value<std::string>())("method", "", cxxopts::value<std::string>())(
        "H,header", "", cxxopts::value<std::string>())("data", "", cxxopts::value<std::string>())(
        "regex", "", cxxopts::value<std::string>())("json-path", "", cxxopts::value<std::string>())(
        "dingtalk", "", cxxopts::value<std::vector<std::string>>());
    o.parse_positional({"tokens"});
    return o;
}

// The option table, built once and never freed. A check is one process that
// exits right after: freeing the table's ~200 allocations cost 35,000
// instructions and a dozen munmap calls (musl's malloc hands emptied pages
// back) in a check of 355,000. Parsing leaves it unchanged (cxxopts 3 keeps
// the values in the ParseResult), so the environment's second parse reuses it.
cxxopts::Options& option_table() {
    static cxxopts::Options* const table = new cxxopts::Options(make_options());
    return *table;
}

Result<long> parse_timeout(const std::string& v) {
    if (v.empty() || v.size() > 9) return err("-t/--timeout must be a number of milliseconds, got \"" + v + "\"");
    long ms = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return err("-t/--timeout must be a number of milliseconds, got \"" + v + "\"");
        ms = ms * 10 + (c - '0');
    }
    if (ms < 1) return err("-t/--timeout must be at least 1 ms");
    return ms;
}

// cxxopts quotes a value it can not take ("Argument 'http://u:pw@h/' failed
// to parse" for --insecure=URL): such URLs are shown redacted.
std::string without_urls(std::string message, const std::vector<std::string>& args) {
    for (const auto& a : args) {
        std::string value =
            a.size() > 1 && a[0] == '-' && a.find('=') != std::string::npos ? a.substr(a.find('=') + 1) : a;
        if (value.find("://") == std::string::npos) continue;
        std::string shown = net::redact_url_text(value);
        for (size_t p; (p = message.find(value)) != std::string::npos;) message.replace(p, value.size(), shown);
    }
    return message;
}

// cxxopts' result points into `spec`, which must outlive it.
cxxopts::ParseResult parse_normalized(cxxopts::Options& spec, const std::vector<std::string>& normalized) {
    std::vector<const char*> argv{"healthcheck"};
    for (const auto& a : normalized) argv.push_back(a.c_str());
    return spec.parse(static_cast<int>(argv.size()), argv.data());
}

// Throws what cxxopts throws for a value of the wrong type; callers word it.
Result<Options> options_from(const cxxopts::ParseResult& r) {
    Options opt;
    opt.help = r.count("help") > 0;
    opt.version = r.count("version") > 0;
    if (opt.help || opt.version) return opt;
    if (!r.count("url")) return err("missing -u/--url (or HC_URL)");
    opt.url = r["url"].as<std::string>();
    // A URL that can not be probed is a usage error (exit 2, state file
    // untouched), and the message never echoes it: it may hold a password.
    auto url = is_grpc_url(opt.url) ? parse_grpc_url(opt.url) : net::parse_probe_url(opt.url);
    if (!url) return err("-u/--url: " + url.error());
    // The default name goes to the output line and every notice.
    opt.name = r.count("name") ? r["name"].as<std::string>() : url->redacted();
    if (r.count("timeout")) {
        auto t = parse_timeout(r["timeout"].as<std::string>());
        if (!t) return err(t.error());
        opt.timeout_ms = *t;
    }
    if (r.count("match")) opt.match = r["match"].as<std::string>();
    if (r.count("file")) opt.state_file = r["file"].as<std::string>();
    if (opt.state_file.empty()) return err("-f/--file must not be empty");
    if (r.count("report")) opt.report_url = r["report"].as<std::string>();
    if (r.count("cacert")) opt.cacert = r["cacert"].as<std::string>();
    if (r.count("cert")) opt.cert = r["cert"].as<std::string>();
    if (r.count("key")) opt.key = r["key"].as<std::string>();
    opt.insecure = r.count("insecure") > 0;
    opt.verify_probe = r.count("verify") > 0;
    if (r.count("tokens")) opt.dingtalk = r["tokens"].as<std::vector<std::string>>();
    if (r.count("wecom")) opt.wecom = r["wecom"].as<std::vector<std::string>>();
    if (r.count("feishu")) opt.feishu = r["feishu"].as<std::vector<std::string>>();
    if (r.count("webhook")) opt.webhook = r["webhook"].as<std::vector<std::string>>();
    for (const auto& w : opt.webhook)
        if (auto parsed = net::parse_url(w); !parsed) return err("--webhook: " + parsed.error());
    if (r.count("dingtalk"))
        for (const auto& d : r["dingtalk"].as<std::vector<std::string>>()) opt.dingtalk.push_back(d);
    std::map<std::string, std::vector<std::string>> given;
    for (const auto& kv : r.arguments()) given[kv.key()].push_back(kv.value());
    if (auto st = apply_request_options(given, opt, url->scheme); !st) return st.failure();
    if (auto st = check_grpc_options(opt, *url); !st) return st.failure();
    return opt;
}

}  // namespace

std::vector<std::string> normalize_argv(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    bool options_done = false;
    for (const auto& a : args) {
        if (!options_done && a == "--") {
            options_done = true;
            out.push_back(a);
            continue;
        }
        if (options_done || a.size() < 3 || a[0] != '-') {
            out.push_back(a);
            continue;
        }
        bool is_long = a[1] == '-';
        size_t name_from = is_long ? 2 : 1;
        size_t sep = a.find_first_of("=:", name_from);
        if (sep == std::string::npos || !is_option_name(a, name_from, sep) || (!is_long && sep != 2)) {
            out.push_back(a);
            continue;
        }
        if (is_long) {
            out.push_back(a.substr(0, sep) + "=" + a.substr(sep + 1));
        } else {
            out.push_back(a.substr(0, 2));
            out.push_back(a.substr(sep + 1));
        }
    }
    return out;
}

std::string usage() {
    return "usage: healthcheck -n NAME -u URL [-t MS] [-m KEYWORD] [-f STATEFILE] [-r REPORT_URL]\n"
           "                   [--wecom KEY] [--feishu ID[:SECRET]] [--webhook URL]\n"
           "                   [--cacert FILE] [--insecure] [--verify] [--cert FILE --key FILE]\n"
           "                   [--status LIST] [--method M] [-H 'NAME: VALUE'] [--data BODY]\n"
           "                   [--regex ERE] [--json-path PATH[=VALUE]] [DINGTALK_TOKEN[:SECRET] ...]\n"
           "       healthcheck supervise [-c CONFIG] [--test | --once] [--log-format text|json] [--debug]\n"
           "       healthcheck sendmail --help\n"
           "\n"
           "  -n, --name NAME      name shown in notices (default: the URL, shown without\n"
           "                       credentials and with query values as ***)\n"
           "  -u, --url URL        URL to probe (required): http://, https://,\n"
           "                       tcp://HOST:PORT (connect), tls://HOST:PORT (connect + handshake),\n"
           "                       unix:///path/to.sock[:/request/path] (HTTP over a unix socket),\n"
           "                       grpc://HOST:PORT[/SERVICE], grpcs://... (gRPC health check)\n"
           "  -t, --timeout MS     deadline for the whole probe in ms (default 8000)\n"
           "  -m, --match WORD     the body must contain WORD as well as status 200\n"
           "  -f, --file PATH      state file (default /dev/shm/status)\n"
           "  -r, --report URL     POST the probe's JSON body, merged with status, here\n"
           "      --wecom KEY      also notify this WeCom robot (repeatable)\n"
           "      --feishu ID[:S]  also notify this Feishu robot, signed with S if given (repeatable)\n"
           "      --webhook URL    also POST a JSON notice to URL (repeatable)\n"
           "      --cacert FILE    CA bundle for notification/report TLS and for --verify\n"
           "      --insecure       do not verify notification/report TLS certificates\n"
           "      --verify         verify the probed URL's certificate too\n"
           "      --cert FILE      client certificate (PEM) for https:// and tls:// probes (mTLS)\n"
           "      --key FILE       its private key (PEM, unencrypted)\n"
           "      --status LIST    statuses that pass, e.g. 200-399,401 or 2xx (default 200)\n"
           "      --method M       request method (default GET, POST with --data; HEAD reads no body)\n"
           "  -H, --header 'N: V'  extra request header, repeatable (values are never printed)\n"
           "      --data BODY      request body\n"
           "      --regex ERE      the body must match this POSIX extended regex (repeatable)\n"
           "      --json-path P[=V] the JSON body's value at P (a.b.0.c) must equal V, or without\n"
           "                       =V exist and be neither null nor false (repeatable)\n"
           "      --dingtalk TOKEN[:SECRET]  same as a positional DingTalk token (repeatable)\n"
           "  -h, --help           this text;  --version  the version\n"
           "Options also take the forms -n=V, -n:V, --name=V and --name:V.\n"
           "Each option can also come from an environment variable, HC_<OPTION> (HC_URL,\n"
           "HC_NAME, HC_TIMEOUT, HC_STATUS, HC_HEADERS one per line, HC_JSON_PATH, ...; see\n"
           "README); the command line wins.\n"
           "Exit codes: 0 healthy, 10 starting, 11 still starting, 12 failed after passing,\n"
           "            13 still failing, 14 failed again after recovering,\n"
           "            15/20 state file was garbled (pass/fail), 2 usage error.\n";
}

Result<Options> parse_cli(const std::vector<std::string>& args) {
    auto normalized = normalize_argv(args);
    try {
        return options_from(parse_normalized(option_table(), normalized));
    } catch (const std::exception& e) {
        return err(without_urls(e.what(), normalized));
    }
}

Result<Options> parse_cli(const std::vector<std::string>& args, const EnvLookup& env) {
    // The command line is parsed once: its options say which variables to
    // ignore, and without any variable in use it is the whole answer.
    auto normalized = normalize_argv(args);
    std::set<std::string> given;
    try {
        auto r = parse_normalized(option_table(), normalized);
        for (const auto& kv : r.arguments()) given.insert(kv.key());
        if (r.count("tokens")) given.insert("dingtalk");
        std::vector<std::string> used;
        auto all = env_arguments(given, env, used);
        if (!all) return all.failure();
        if (used.empty()) return options_from(r);
        // Before the command line, so a "--" there still ends the options.
        all->insert(all->end(), args.begin(), args.end());
        auto parsed = parse_cli(*all);
        if (parsed) return parsed;
        std::string names;
        for (const auto& u : used) names += (names.empty() ? "" : ", ") + u;
        return err(parsed.error() + " (options from the environment: " + names + ")");
    } catch (const std::exception& e) {
        return err(without_urls(e.what(), normalized));
    }
}

}  // namespace hc::container
