#include "container/run.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "container/cli.hpp"
#include "container/env_options.hpp"
#include "container/grpc_probe.hpp"
#include "container/report.hpp"
#include "container/state_file.hpp"
#include "container/state_machine.hpp"
#include "container/targets.hpp"
#include "http/client.hpp"
#include "notify/dingtalk.hpp"
#include "notify/robots.hpp"
#include "util/text.hpp"

namespace hc::container {
namespace {

constexpr long kNotifyDeadlineMs = 5000;

struct ProbeResult {
    bool passed = false;
    std::string detail;
    std::optional<std::string> body;
};

// Everything printed goes through escape_control: names, server bytes
// (a Location, a header value) and robot answers must not drive the
// terminal or forge a line of Docker's health log.
void say(const std::string& line) { std::fprintf(stderr, "healthcheck: %s\n", escape_control(line).c_str()); }

ProbeResult probe(const Options& opt) {
    auto deadline = Deadline::after_ms(opt.timeout_ms);
    if (is_grpc_url(opt.url)) {
        auto g = probe_grpc(opt, deadline);
        return {g.passed, g.detail, std::nullopt};
    }
    auto url = net::parse_probe_url(opt.url);
    if (!url) return {false, url.error(), std::nullopt};
    if (url->connect_only()) {
        auto c = probe_connect(opt, *url, deadline);
        return {c.passed, c.detail, std::nullopt};
    }
    http::ClientOptions copts;
    copts.tls = probe_tls_options(opt);
    http::Client client(copts);
    http::Request req;
    req.url = *url;
    req.method = opt.method;
    req.headers = opt.headers;
    if (opt.data) req.body = *opt.data;
    auto started = Clock::now();
    auto resp = client.fetch(req, deadline);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    if (!resp) return {false, resp.error(), std::nullopt};
    std::string where =
        "HTTP " + std::to_string(resp->status) + " from " + resp->final_url + " in " + std::to_string(ms) + " ms";
    if (auto why = failed_condition(opt.conditions, *resp, deadline))
        return {false, where + *why, std::move(resp->body)};
    // Moved, not copied: a 1 MiB body must not cost 2 MiB.
    return {true, where, std::move(resp->body)};
}

Decision update_state(const Options& opt, bool passed) {
    StateFile file(opt.state_file);
    if (auto st = file.lock(); !st) say("warning: " + st.error());
    StoredState stored = file.read();
    Decision d = decide(stored.value, passed, opt.name);
    if (stored.value == Stored::Garbled)
        say("state file " + opt.state_file + " " + stored.problem + "; repaired to " + std::to_string(d.new_state));
    bool unchanged = static_cast<int>(stored.value) == d.new_state;
    if (!unchanged)
        if (auto st = file.write(d.new_state); !st) say(st.error());
    return d;
}

std::string notice_text(const std::string& title) {
    return title + "\r\n\r\n容器ID: " + container_id() + "\r\n\r\n节点: " + env_or("NODENAME", "") +
           "\r\n\r\n时间: " + format_local_time(std::time(nullptr));
}

const char* state_word(int state) {
    switch (state) {
        case 1: return "starting";
        case 2: return "healthy";
        case 3: return "failing";
        case 4: return "recovered";
    }
    return "unknown";
}

std::vector<notify::Target> targets(const Options& opt) {
    std::vector<notify::Target> out;
    auto add = [&out](notify::Channel c, const std::vector<std::string>& values) {
        for (const auto& v : values)
            if (!v.empty()) out.push_back(notify::parse_target(c, v));
    };
    add(notify::Channel::DingTalk, opt.dingtalk);
    add(notify::Channel::WeCom, opt.wecom);
    add(notify::Channel::Feishu, opt.feishu);
    add(notify::Channel::Webhook, opt.webhook);
    return out;
}

// Robot notices and the report go out together, bounded by one deadline;
// their failures are reported but never change the exit code.
void send_outgoing(const Options& opt, const Decision& d, const ProbeResult& pr) {
    std::vector<http::Request> requests;
    std::vector<std::string> labels;
    std::vector<notify::Target> sent_to;
    if (!d.notice.empty()) {
        notify::Notice notice;
        notice.title = d.notice;
        notice.text = notice_text(d.notice);
        notice.program = opt.name;
        notice.check = "container";
        notice.state = state_word(d.new_state);
        notice.message = pr.detail;
        notice.host = container_id();
        notice.time = std::time(nullptr);
        for (const auto& t : targets(opt)) {
            auto req = notify::build_request(t, notice, unix_time_ms());
            if (!req) {
                say(notify::describe(t) + ": " + req.error());
                continue;
            }
            requests.push_back(*req);
            labels.push_back(notify::describe(t));
            sent_to.push_back(t);
        }
    }
    if (!opt.report_url.empty() && pr.body) {
        ReportFields fields{report_status(d), opt.name, env_or("NODENAME", ""), container_id()};
        if (auto json = merge_report(*pr.body, fields)) {
            auto req = report_request(opt.report_url, *json, fields);
            if (req) {
                requests.push_back(*req);
                labels.push_back("report");
            } else {
                say(req.error());
            }
        }
    }
    if (requests.empty()) return;
    if (opt.insecure) say("warning: --insecure: notification and report certificates are not verified");
    http::ClientOptions copts;
    copts.max_redirects = 0;
    copts.tls.verify = !opt.insecure;
    copts.tls.cafile = opt.cacert;
    http::Client client(copts);
    auto results = client.fetch_all(requests, Deadline::after_ms(kNotifyDeadlineMs));
    for (size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        if (!r) {
            say(labels[i] + ": " + r.error());
        } else if (i >= sent_to.size()) {
            if (r->status < 200 || r->status > 299) say("report: HTTP " + std::to_string(r->status));
        } else if (auto st = notify::check_answer(sent_to[i], *r); !st) {
            say(labels[i] + ": " + st.error());
        }
    }
}

}  // namespace

int run(const std::vector<std::string>& args) {
    auto parsed = parse_cli(args, process_env());
    if (parsed && !parsed->help && !parsed->version)
        if (auto st = check_target_options(*parsed); !st) parsed = st.failure();
    if (!parsed) {
        std::fprintf(stderr, "healthcheck: %s\n\n%s", escape_control(parsed.error()).c_str(), usage().c_str());
        return 2;
    }
    const Options& opt = *parsed;
    if (opt.help) {
        std::fputs(usage().c_str(), stdout);
        return 0;
    }
    if (opt.version) {
        std::printf("healthcheck %s (%s)\n", HC_VERSION, hc::net::tls_library_version().c_str());
        return 0;
    }
    ProbeResult pr = probe(opt);
    Decision d = update_state(opt, pr.passed);
    std::printf("%s %s: %s; state %d, exit %d\n", escape_control(opt.name).c_str(), pr.passed ? "pass" : "FAIL",
                escape_control(pr.detail).c_str(), d.new_state, d.exit_code);
    std::fflush(stdout);
    send_outgoing(opt, d, pr);
    return d.exit_code;
}

}  // namespace hc::container
