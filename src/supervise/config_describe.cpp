// `--test` rendering of a loaded config (describe) and the names of its
// secret-holding keys (secret_keys): both decide what is masked, so they
// share the masking helpers here, apart from the loader in config.cpp.
#include "supervise/config.hpp"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "net/url.hpp"
#include "notify/robots.hpp"
#include "util/text.hpp"

namespace hc::supervise {

namespace {

// Masks userinfo and query string of a URL (webhook tokens live there).
std::string mask_url(const std::string& u) {
    std::string s = u;
    size_t scheme = s.find("://");
    size_t start = scheme == std::string::npos ? 0 : scheme + 3;
    size_t slash = s.find('/', start);
    size_t at = s.rfind('@', slash == std::string::npos ? s.size() : slash);
    if (at != std::string::npos && at >= start) s.replace(start, at + 1 - start, "***@");
    size_t q = s.find('?');
    if (q != std::string::npos) s.replace(q + 1, std::string::npos, "***");
    return s;
}

bool secret_header(const std::string& name) {
    std::string l = to_lower(name);
    return l == "authorization" || l == "proxy-authorization" || l == "cookie" ||
           l.find("token") != std::string::npos || l.find("secret") != std::string::npos ||
           l.find("key") != std::string::npos || l.find("pass") != std::string::npos;
}

std::string num(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", d);
    return buf;
}

std::string secret(const std::string& s) { return s.empty() ? "(none)" : "***"; }
std::string opt(const std::string& s) { return s.empty() ? "(none)" : s; }
const char* yn(bool b) { return b ? "true" : "false"; }

// https and cert checks: how the server's certificate is checked.
void tls_lines(TextBuilder& o, const TlsSpec& t) {
    o << "  insecureSkipVerify: " << yn(t.insecure_skip_verify) << "\n";
    if (!t.insecure_skip_verify)
        o << "  caFile: " << (t.ca_file.empty() ? "(system)" : escape_control(t.ca_file)) << "\n";
}

// http: the response conditions other than the default 200-399.
void describe_expectations(TextBuilder& o, const HttpExtras& c) {
    if (c.expect_status != http::StatusList::range(200, 399)) o << "  expectStatus: " << c.expect_status.str() << "\n";
    if (!c.expect_body.empty()) o << "  expectBody: \"" << escape_control(c.expect_body) << "\"\n";
    if (!c.expect_regex.empty()) o << "  expectRegex: \"" << escape_control(c.expect_regex) << "\"\n";
}

}  // namespace

std::string describe(const Config& cfg) {
    TextBuilder o;
    const GlobalConfig& g = cfg.global;
    o << "config: " << cfg.path << "\n";
    o << "  supervisordUrl: " << mask_url(g.supervisord_url) << "\n";
    o << "  supervisordUser: " << opt(g.supervisord_user) << "\n";
    o << "  supervisordPass: " << secret(g.supervisord_pass) << "\n";
    if (g.mail.configured()) {
        const MailConfig& m = g.mail;
        o << "  mail:\n";
        o << "    host: " << m.host << "\n";
        o << "    port: " << m.port << "\n";
        o << "    tls: " << smtp::tls_mode_name(m.effective_tls())
          << (m.tls == smtp::TlsMode::ByPort ? " (by port)" : "") << "\n";
        o << "    user: " << opt(m.user) << "\n";
        o << "    pass: " << secret(m.pass) << "\n";
        o << "    from: " << opt(m.from) << "\n";
        std::string to;
        for (const auto& t : m.to_list) to += (to.empty() ? "" : ", ") + t;
        o << "    to_list: " << to << "\n";
        o << "    cafile: " << (m.cafile.empty() ? "(system)" : m.cafile) << "\n";
        o << "    insecure: " << yn(m.insecure) << "\n";
        o << "    allowPlainAuth: " << yn(m.allow_plain_auth) << "\n";
    } else {
        o << "  mail: (not configured)\n";
    }
    // Robot tokens and URLs as every log shows them (notify::mask_target).
    auto urls = [&](notify::Channel ch, const std::vector<std::string>& v) {
        if (v.empty()) return;
        o << "  " << notify::channel_name(ch) << ":";
        for (const auto& u : v) o << " " << notify::mask_target(notify::parse_target(ch, u));
        o << "\n";
    };
    urls(notify::Channel::DingTalk, g.dingtalk);
    urls(notify::Channel::WeCom, g.wecom);
    urls(notify::Channel::Feishu, g.feishu);
    urls(notify::Channel::Webhook, g.webhook);
    if (!g.status_socket.empty())
        o << "  statusSocket: " << (g.status_socket == "off" ? std::string("off") : g.status_socket) << "\n";
    if (!g.metrics_listen.empty()) o << "  metricsListen: " << g.metrics_listen << "\n";
    if (g.wechat.configured() || !g.wechat.corpid.empty()) {
        const WechatConfig& w = g.wechat;
        o << "  wechat:\n";
        o << "    corpid: " << opt(w.corpid) << "\n";
        o << "    secret: " << secret(w.secret) << "\n";
        o << "    agentid: " << (w.agentid > 0 ? std::to_string(w.agentid) : std::string("(none)")) << "\n";
        bool all = w.touser.empty() && w.toparty.empty() && w.totag.empty();
        o << "    touser: " << (all ? std::string("@all") : opt(w.touser)) << "\n";
        o << "    toparty: " << opt(w.toparty) << "\n";
        o << "    totag: " << opt(w.totag) << "\n";
        if (!w.webhook.empty())
            o << "    webhook: " << notify::mask_target(notify::parse_target(notify::Channel::WeCom, w.webhook))
              << "\n";
    }
    o << "checks: " << cfg.checks.size() << "\n";
    for (const auto& c : cfg.checks) {
        o << "\n" << c.name << ": (line " << c.line << ")\n";
        const ProcessSpec& p = *c.proc;
        const HttpExtras& x = *c.http_extras;
        const TlsSpec& t = *c.tls;
        o << "  program: " << c.program << "\n";
        o << "  type: " << to_string(c.type) << "\n";
        auto pid = [&]() {
            o << "  pidGet: " << to_string(p.pid_get) << "\n";
            if (p.pid_get == PidGet::File) o << "  pidFile: " << p.pid_file << "\n";
        };
        switch (c.type) {
            case CheckType::Mem:
                o << "  maxMem: " << num(p.max_mem_mb) << " MB\n";
                o << "  memType: " << proc::mem_kind_name(p.mem_type) << "\n";
                if (p.include_children) o << "  includeChildren: true (the program and all its descendants)\n";
                pid();
                break;
            case CheckType::Cpu:
                o << "  maxCpu: " << num(p.max_cpu) << " %\n";
                o << "  includeChildren: " << yn(p.include_children) << "\n";
                pid();
                break;
            case CheckType::Http:
                o << "  mode: " << to_string(c.http->method) << "\n";
                // Query values of the path as *** (a token there must not be printed).
                o << "  url: " << (t.https ? "https://" : "http://") << net::bracket_host(c.host) << ":" << c.port
                  << net::redacted_target(c.http->path) << "\n";
                if (!x.json.empty()) o << "  json: " << x.json << "\n";
                for (const auto& h : x.headers)
                    o << "  header: " << h.first << ": " << (secret_header(h.first) ? "***" : h.second) << "\n";
                o << "  username: " << opt(x.username) << "\n";
                o << "  password: " << secret(x.password) << "\n";
                if (t.https) tls_lines(o, t);
                if (!c.http->keep_alive) o << "  keepAlive: false (a new connection for every probe)\n";
                describe_expectations(o, x);
                o << "  timeoutSeconds: " << c.timeout_seconds << "\n";
                break;
            case CheckType::Cert:
                o << "  host: " << c.host << "\n";
                o << "  port: " << c.port << "\n";
                o << "  warnDays: " << t.warn_days << "\n";
                tls_lines(o, t);
                o << "  timeoutSeconds: " << c.timeout_seconds << "\n";
                break;
            case CheckType::Tcp:
                o << "  host: " << c.host << "\n";
                o << "  port: " << c.port << "\n";
                o << "  timeoutSeconds: " << c.timeout_seconds << "\n";
                break;
            case CheckType::Exec: {
                // A list is shown as the YAML list it came from; a string as is.
                std::string argv;
                const ExecSpec& ex = *c.exec;
                for (const auto& a : ex.command_argv) argv += (argv.empty() ? "" : ", ") + escape_control(a);
                o << "  command: " << (ex.command_argv.empty() ? escape_control(ex.command_line) : "[" + argv + "]")
                  << (ex.command_argv.empty() ? " (/bin/sh -c)" : " (no shell)") << "\n";
                o << "  timeoutSeconds: " << c.timeout_seconds << "\n";
                break;
            }
            case CheckType::Events: {
                auto list = [](const std::vector<std::string>& v) {
                    std::string r;
                    for (const auto& x : v) r += (r.empty() ? "" : ", ") + escape_control(x);
                    return r;
                };
                const EventsOptions& ev = *c.events;
                std::string codes;
                for (auto code : ev.exit_codes) codes += (codes.empty() ? "" : ", ") + std::to_string(code);
                o << "  programs: " << (ev.programs.empty() ? "(all)" : list(ev.programs)) << "\n";
                o << "  exclude: " << (ev.exclude.empty() ? "(none)" : list(ev.exclude)) << "\n";
                o << "  exitCodes: " << codes << "\n";
                o << "  unseenExits: " << yn(ev.unseen_exits) << "\n";
                break;
            }
            case CheckType::Restart:
                o << "  pidGet: supervisor\n";
                o << "  mincontinueRun: " << c.min_continue_run << "\n";
                break;
        }
        o << "  periodSeconds: " << c.period_seconds << "\n";
        o << "  initialDelaySeconds: " << c.initial_delay_seconds << "\n";
        o << "  failureThreshold: " << c.failure_threshold << "\n";
        o << "  successThreshold: " << c.success_threshold << "\n";
        o << "  action: " << c.actions.str() << "\n";
        if (c.actions.exec) o << "  execCmd: " << c.exec->exec_cmd << "\n";
        o << "  sendResolved: " << yn(c.send_resolved) << "\n";
        o << "  reminderSeconds: " << c.reminder_seconds << (c.reminder_seconds == 0 ? " (no reminders)" : "") << "\n";
        if (c.max_restarts > 0)
            o << "  maxRestarts: " << c.max_restarts << " within restartWindow " << c.restart_window
              << " s, then give up\n";
    }
    if (!cfg.warnings.empty()) {
        o << "\nwarnings:\n";
        for (const auto& w : cfg.warnings) o << "  " << w << "\n";
    }
    return o.str();
}

std::vector<std::string> secret_keys(const Config& cfg) {
    std::vector<std::string> keys;
    const GlobalConfig& g = cfg.global;
    // "scheme://user:pass@host/...": a password in the authority.
    const std::string& u = g.supervisord_url;
    size_t start = u.find("://"), at = std::string::npos;
    if (start != std::string::npos) {
        start += 3;
        at = u.substr(start, u.find('/', start) - start).rfind('@');
    }
    if (at != std::string::npos) {
        std::string userinfo = u.substr(start, at);
        size_t colon = userinfo.find(':');
        if (colon != std::string::npos && colon + 1 < userinfo.size()) keys.push_back("config.supervisordUrl");
    }
    if (!g.supervisord_pass.empty()) keys.push_back("config.supervisordPass");
    if (!g.mail.pass.empty()) keys.push_back("config.mail.pass");
    const std::pair<const char*, const std::vector<std::string>*> robots[] = {{"config.dingtalk", &g.dingtalk},
                                                                              {"config.wecom", &g.wecom},
                                                                              {"config.feishu", &g.feishu},
                                                                              {"config.webhook", &g.webhook}};
    for (const auto& r : robots)
        if (!r.second->empty()) keys.push_back(r.first);
    if (!g.wechat.secret.empty()) keys.push_back("config.wechat.secret");
    if (!g.wechat.webhook.empty()) keys.push_back("config.wechat.webhook");
    for (const auto& c : cfg.checks) check_secret_keys(c, keys);
    keys.insert(keys.end(), cfg.sunk_secret_keys.begin(), cfg.sunk_secret_keys.end());
    return keys;
}

void check_secret_keys(const CheckConfig& c, std::vector<std::string>& out) {
    if (!c.http_extras->password.empty()) out.push_back(c.name + ".password");
    for (const auto& h : c.http_extras->headers)
        if (secret_header(h.first) && !h.second.empty()) out.push_back(c.name + ".headers." + h.first);
}

}  // namespace hc::supervise
