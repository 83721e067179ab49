#pragma once
// The YAML configuration of `healthcheck supervise` (compatible with the
// original Python daemon's config.yaml; keys in docs/CONFIG.md).
//
//   config:                 # optional
//     supervisordUrl: unix:///var/run/supervisor.sock | http://host:port/RPC2
//     supervisordUser / supervisordPass
//     mail: {host, port, user, pass, to_list, tls, from, cafile, insecure,
//            allowPlainAuth}
//     dingtalk / wecom / feishu / webhook: URL or list of URLs
//     wechat: {corpid, secret, agentid, touser, toparty, totag, webhook}
//   <check name>:           # every other top-level key is one check
//     program: <supervisor program>   # required
//     type: http|tcp|mem|cpu|restart|events  ...
//
// Everything is validated up front; all errors are collected, one per line:
//   <path>:<line>: <check>.<key>: <what was expected>, got "<value>"
// Passwords never appear in messages ("got <hidden>") nor in describe().
//
// YAML notes: YAML 1.1 booleans as PyYAML reads them (yes/no/on/off/true/false
// in the three usual casings; quoted ones are accepted too). Numbers may be
// quoted. Anchors/aliases are supported (shared, not copied; at most 1000
// aliases) and so are merge keys (`<<: *defaults`). Nesting is capped at 64
// levels, files at 4 MiB, the document expanded (every alias counted as a
// copy) at 500,000 nodes and one mapping's merged entries at 10,000, so
// an alias/merge "billion laughs" is refused at the offending line in
// microseconds. Duplicate keys in any mapping are an error.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/status_list.hpp"
#include "net/address.hpp"
#include "net/url.hpp"
#include "proc/proc.hpp"
#include "smtp/smtp.hpp"
#include "supervise/events_check.hpp"
#include "util/regex.hpp"
#include "util/result.hpp"

namespace hc::supervise {

enum class CheckType { Http, Tcp, Mem, Cpu, Restart, Exec, Cert, Events };
enum class PidGet { Supervisor, Name, File };
enum class HttpMethod { Get, Post };

const char* to_string(CheckType t);
const char* to_string(PidGet t);
const char* to_string(HttpMethod m);  // "GET" | "POST": the request line's method

// restart, exec and kill are exclusive: restart > exec > kill (only the winner
// stays true). notify = the chat/webhook channels of the `config` section
// (config.wechat included); wechat = config.wechat only (the original
// script's action name).
struct Actions {
    bool restart = false, kill = false, exec = false, email = false, notify = false, wechat = false;
    bool operator==(const Actions& o) const {
        return restart == o.restart && kill == o.kill && exec == o.exec && email == o.email && notify == o.notify &&
               wechat == o.wechat;
    }
    bool operator!=(const Actions& o) const { return !(*this == o); }
    std::string str() const;  // "restart,email"; "none" when empty
};

struct MailConfig {
    std::string host;
    int port = 465;
    std::string user, pass;
    std::vector<std::string> to_list;
    smtp::TlsMode tls = smtp::TlsMode::ByPort;  // ByPort when the key is absent (see effective_tls)
    std::string from;                           // defaults to user
    std::string cafile;
    bool insecure = false;          // skip certificate verification
    bool allow_plain_auth = false;  // allowPlainAuth: AUTH (the password) without TLS
    bool configured() const { return !host.empty() && !to_list.empty(); }
    // tls, or by port when absent: 465 -> Ssl, 587 -> StartTls, else None.
    smtp::TlsMode effective_tls() const { return smtp::resolve_tls_mode(tls, port); }
    bool operator==(const MailConfig& o) const;
};

// config.wechat of the original script: WeCom application messages
// (corpid, secret, agentid; to touser/toparty/totag, "|"-separated, all
// empty = "@all") and/or a WeCom robot URL (webhook).
struct WechatConfig {
    std::string corpid, secret;
    long long agentid = 0;
    std::string touser, toparty, totag;
    std::string webhook;
    bool app() const { return !corpid.empty() && !secret.empty() && agentid > 0; }
    bool configured() const { return app() || !webhook.empty(); }
    bool operator==(const WechatConfig& o) const {
        return corpid == o.corpid && secret == o.secret && agentid == o.agentid && touser == o.touser &&
               toparty == o.toparty && totag == o.totag && webhook == o.webhook;
    }
};

// supervisordUrl parsed once at load; SupervisorClient uses it as is.
struct SupervisordEndpoint {
    bool unix_socket = false;
    net::Address unix_address;  // when unix_socket
    net::Url url;               // the XML-RPC URL (http://localhost/RPC2 over a socket), no userinfo
    std::string display;        // for logs: never holds credentials
};

// unix:///path.sock or http://[user:pass@]host:port[/RPC2] (target "/" ->
// "/RPC2"). Errors read "supervisordUrl: ..." with kind Config; they surface
// when the daemon connects, as before, not as load errors.
Result<SupervisordEndpoint> parse_supervisord_url(const std::string& url);

struct GlobalConfig {
    std::string supervisord_url = "unix:///var/run/supervisor.sock";
    // supervisord_url parsed (set by the loader; not compared by operator==).
    Result<SupervisordEndpoint> supervisord = parse_supervisord_url(supervisord_url);
    std::string supervisord_user, supervisord_pass;
    MailConfig mail;
    std::vector<std::string> dingtalk, wecom, feishu, webhook;
    // statusSocket: the control socket (status, pause, resume); empty = the
    // default, next to the config file (status_socket_path); "off" = none.
    std::string status_socket;
    std::string metrics_listen;  // metricsListen: host:port of the Prometheus endpoint; empty = none
    WechatConfig wechat;
    bool operator==(const GlobalConfig& o) const;
    bool notify_configured() const {
        return !dingtalk.empty() || !wecom.empty() || !feishu.empty() || !webhook.empty() || wechat.configured();
    }
};

// A part of a check's config that only some checks use, held behind a
// pointer made when one of its keys is set: 10,000 http checks carry no
// process limits, exec command or events patterns (issue 14.4). An absent
// part reads as its defaults; copies are deep; == compares the values (an
// absent part equals one holding the defaults).
template <typename T>
class Part {
public:
    Part() = default;
    Part(const Part& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
    Part(Part&&) noexcept = default;
    Part& operator=(const Part& o) {
        if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    Part& operator=(Part&&) noexcept = default;
    ~Part() = default;

    const T& operator*() const { return p_ ? *p_ : defaults(); }
    const T* operator->() const { return &**this; }
    // For writing: makes the part (holding the defaults) if absent.
    T& set() {
        if (!p_) p_ = std::make_unique<T>();
        return *p_;
    }
    bool held() const { return p_ != nullptr; }
    bool operator==(const Part& o) const { return **this == *o; }
    bool operator!=(const Part& o) const { return !(*this == o); }

private:
    static const T& defaults() {
        static const T d;
        return d;
    }
    std::unique_ptr<T> p_;
};

// mem, cpu (and pidGet of restart): which process, and its limits.
struct ProcessSpec {
    double max_mem_mb = 1024;                     // maxMem
    proc::MemKind mem_type = proc::MemKind::Rss;  // memType, named by proc::mem_kind_name
    PidGet pid_get = PidGet::Supervisor;
    std::string pid_file;
    double max_cpu = 90;            // percent of one core
    bool include_children = false;  // cpu, mem: includeChildren (mem: the whole process tree)
    bool operator==(const ProcessSpec& o) const {
        return max_mem_mb == o.max_mem_mb && mem_type == o.mem_type && pid_get == o.pid_get && pid_file == o.pid_file &&
               max_cpu == o.max_cpu && include_children == o.include_children;
    }
};

// http: the request every http check sends.
struct HttpSpec {
    HttpMethod method = HttpMethod::Get;  // the `mode` key
    std::string path = "/";
    // Derived at load for http checks from host, port, path, username and
    // password, so a probe parses nothing: the request URL (userinfo carries
    // the Basic credentials), or url_error when it does not parse (every
    // probe then fails with it, as before). Not compared by operator==.
    net::Url url;
    std::string url_error;
    // keepAlive: reuse the connection for the next probe (http/keep_alive.hpp).
    bool keep_alive = true;
    bool operator==(const HttpSpec& o) const {
        return method == o.method && path == o.path && keep_alive == o.keep_alive;
    }
};

// http: the keys most http checks leave out (body, headers, credentials,
// what passes).
struct HttpExtras {
    std::string json;                                          // POST body (validated as JSON, sent verbatim)
    std::vector<std::pair<std::string, std::string>> headers;  // values stringified (1 -> "1")
    std::string username, password;
    http::StatusList expect_status = http::StatusList::range(200, 399);  // expectStatus
    std::string expect_body;                                             // expectBody: a substring
    std::string expect_regex;                                            // expectRegex: POSIX ERE
    // expect_regex compiled at load (not compared: the text is).
    std::shared_ptr<const Regex> regex;
    bool operator==(const HttpExtras& o) const {
        return json == o.json && headers == o.headers && username == o.username && password == o.password &&
               expect_status == o.expect_status && expect_body == o.expect_body && expect_regex == o.expect_regex;
    }
};

// http and cert checks over TLS (docs/CONFIG.md "HTTPS and certificates").
struct TlsSpec {
    bool https = false;                 // scheme: https (port 443 unless given)
    bool insecure_skip_verify = false;  // insecureSkipVerify: no certificate verification
    std::string ca_file;                // caFile: CA bundle; "" = $SSL_CERT_FILE or the system's
    int warn_days = 14;                 // cert: warnDays, fail when the certificate expires sooner
    bool operator==(const TlsSpec& o) const {
        return https == o.https && insecure_skip_verify == o.insecure_skip_verify && ca_file == o.ca_file &&
               warn_days == o.warn_days;
    }
};

// The exec check's command and the exec action's execCmd.
struct ExecSpec {
    // exec: `command` as a list (argv, no shell) or a string (/bin/sh -c).
    std::vector<std::string> command_argv;
    std::string command_line;
    std::string exec_cmd;  // execCmd (action exec)
    bool operator==(const ExecSpec& o) const {
        return command_argv == o.command_argv && command_line == o.command_line && exec_cmd == o.exec_cmd;
    }
};

struct CheckConfig {
    std::string name;     // the top-level key ("cat1")
    int line = 0;         // line of that key in the file (1-based) for messages
    std::string program;  // required
    CheckType type = CheckType::Http;
    std::string host = "localhost";  // http, tcp, cert
    int port = 80;
    int period_seconds = 5, initial_delay_seconds = 1, timeout_seconds = 3, failure_threshold = 3,
        success_threshold = 1;
    int min_continue_run = 28800;  // mincontinueRun
    Actions actions;               // default restart,email
    bool send_resolved = false;
    int reminder_seconds = 0;   // reminderSeconds; 0 = no reminder mails
    int max_restarts = 0;       // maxRestarts: give up after this many actions; 0 = never
    int restart_window = 3600;  // restartWindow: seconds in which maxRestarts count
    // The parts only some checks use (Part: made when one of their keys is
    // set; read as defaults otherwise).
    Part<ProcessSpec> proc;
    Part<HttpSpec> http;
    Part<HttpExtras> http_extras;
    Part<TlsSpec> tls;
    Part<ExecSpec> exec;
    Part<EventsOptions> events;  // type: events: programs, exclude, exitCodes, unseenExits

    CheckConfig() {
        actions.restart = true;
        actions.email = true;
    }
    // Every field except `line` (moving a check within the file does not
    // change it). Used by SIGHUP reload: unchanged checks keep their counters.
    bool operator==(const CheckConfig& o) const;
    bool operator!=(const CheckConfig& o) const { return !(*this == o); }
};

struct Config {
    std::string path;
    GlobalConfig global;
    std::vector<CheckConfig> checks;
    // "<path>:<line>: <check>.<key>: ..." lines (unknown keys, overridden
    // exclusive actions, timeout > period, email without mail, ...).
    std::vector<std::string> warnings;
    // Loaded with a CheckSink: the checks went to it, not to `checks`; the
    // names of their secret-holding keys are kept here for secret_keys().
    std::vector<std::string> sunk_secret_keys;
};

// Receives each valid check as it is loaded, in file order, instead of
// Config::checks (a SIGHUP reload keeps only the changed ones: the new
// config is never held whole next to the running checks). If the load then
// fails, the caller drops what it received.
using CheckSink = std::function<void(CheckConfig&&)>;

// Finds duplicate top-level keys during a load: insert() returns 0 when
// `name` is new in this load (it is now recorded), else the line it was
// first at. NameSet keeps a copy of every name; a SIGHUP reload looks the
// running checks' names up where the daemon already holds them, so it does
// not hold a second set of 10,000 names next to them (issue 14.4).
class TopNames {
public:
    TopNames() = default;
    TopNames(const TopNames&) = delete;
    TopNames& operator=(const TopNames&) = delete;
    virtual ~TopNames() = default;
    virtual int insert(std::string_view name, int line) = 0;
};

// Every name, owned (the streaming parser frees each entry once the loader
// has seen it): one buffer of (line, length, text) records and an
// open-addressing table of their offsets, about 27 bytes a name.
class NameSet final : public TopNames {
public:
    int insert(std::string_view name, int line) override;

private:
    std::string_view text(uint32_t off) const;
    size_t find(std::string_view key) const;
    void grow();
    std::string buf_;
    std::vector<uint32_t> slots_;
    size_t used_ = 0;
};

constexpr size_t kMaxConfigBytes = 4 * 1024 * 1024;

// Error text = all errors, one per line, followed by the warnings (each line
// prefixed "warning: ") so that `--test` shows the whole picture.
// load_config_file also warns (first warning) when the file holds a secret
// (secret_keys) and is readable by all users: "<path>: holds secrets
// (<keys>) and is readable by all users (mode 0644): chmod 600 <path>".
// Every caller shows it: `--test`, the daemon at start and on SIGHUP.
Result<Config> load_config_file(const std::string& path);
Result<Config> load_config_file(const std::string& path, const CheckSink& sink);
// The same, finding duplicate top-level keys with `names` (a reload's).
Result<Config> load_config_file(const std::string& path, const CheckSink& sink, TopNames& names);
// The status socket the daemon serves and `supervise status` reads: statusSocket
// or, by default, the config path with its extension replaced by ".sock"
// (/etc/supervisord.d/scripts/config.sock); "" when statusSocket is off.
std::string status_socket_path(const Config& cfg);
// metricsListen: "127.0.0.1:9464", "[::1]:9464", "localhost:9464" (IP literals
// only: no DNS at start); nullopt when it does not parse.
std::optional<net::Address> parse_listen_address(const std::string& text);
Result<Config> load_config_text(const std::string& text, const std::string& path_for_messages);
Result<Config> load_config_text(const std::string& text, const std::string& path_for_messages, const CheckSink& sink);

// The keys that hold a secret, by name, never the value: passwords
// (supervisordPass, a password in supervisordUrl, mail.pass, a check's
// password), robot tokens/secrets and webhook URLs (tokens live in their
// path or query), and secret-looking check headers (Authorization, *token*,
// ...). "config.mail.pass", "web.password", "web.headers.Authorization".
std::vector<std::string> secret_keys(const Config& cfg);
// One check's: appended to `out` ("web.password", "web.headers.X-Token").
void check_secret_keys(const CheckConfig& c, std::vector<std::string>& out);

// `--test` output: the global section, then one block per check with every
// resolved value. Passwords are shown as "***", URL credentials and query
// strings (webhook tokens) and secret-looking header values are masked.
std::string describe(const Config& cfg);

}  // namespace hc::supervise
