// The status socket's protocol and rendering (status.hpp) and the Prometheus
// exposition (metrics.hpp): pure functions, no daemon.
#include <gtest/gtest.h>

#include "supervise/metrics.hpp"
#include "supervise/status.hpp"

using namespace hc;
using namespace hc::supervise;

namespace {

CheckMetrics sample() {
    CheckMetrics m;
    m.name = "web";
    m.program = "nginx";
    m.type = "http";
    m.up = 1;
    m.action = "restart";
    return m;
}

TEST(Metrics, RendersEveryFamilyWithHelpAndType) {
    CheckMetrics m = sample();
    m.probe.observe(0.003);
    m.probe.observe(0.2);
    m.probe.observe(30);
    m.actions["restart"] = 2;
    m.notices["failed"] = 1;
    const std::string out = render_metrics({&m});
    for (const char* f : {"healthcheck_check_up gauge", "healthcheck_check_paused gauge",
                          "healthcheck_check_given_up gauge", "healthcheck_probe_duration_seconds histogram",
                          "healthcheck_actions_total counter", "healthcheck_notices_total counter"})
        EXPECT_NE(out.find(std::string("# TYPE ") + f + "\n"), std::string::npos) << f;
    const std::string l = "{check=\"web\",program=\"nginx\",type=\"http\"";
    EXPECT_NE(out.find("healthcheck_check_up" + l + "} 1\n"), std::string::npos) << out;
    // Cumulative buckets: 0.003 in le=0.005; 0.2 from le=0.25; 30 only in +Inf.
    EXPECT_NE(out.find("healthcheck_probe_duration_seconds_bucket" + l + ",le=\"0.005\"} 1\n"), std::string::npos);
    EXPECT_NE(out.find("healthcheck_probe_duration_seconds_bucket" + l + ",le=\"0.1\"} 1\n"), std::string::npos);
    EXPECT_NE(out.find("healthcheck_probe_duration_seconds_bucket" + l + ",le=\"0.25\"} 2\n"), std::string::npos);
    EXPECT_NE(out.find("healthcheck_probe_duration_seconds_bucket" + l + ",le=\"10\"} 2\n"), std::string::npos);
    EXPECT_NE(out.find("healthcheck_probe_duration_seconds_bucket" + l + ",le=\"+Inf\"} 3\n"), std::string::npos);
    EXPECT_NE(out.find("healthcheck_probe_duration_seconds_count" + l + "} 3\n"), std::string::npos);
    EXPECT_NE(out.find("healthcheck_probe_duration_seconds_sum" + l + "} 30.203\n"), std::string::npos);
    EXPECT_NE(out.find("healthcheck_actions_total" + l + ",action=\"restart\"} 2\n"), std::string::npos);
    EXPECT_NE(out.find("healthcheck_notices_total" + l + ",kind=\"failed\"} 1\n"), std::string::npos);
    EXPECT_NE(out.find("healthcheck_notices_total" + l + ",kind=\"gave_up\"} 0\n"), std::string::npos);
}

TEST(Metrics, UnknownHealthIsNotExportedAndActionsStartAtZero) {
    CheckMetrics m = sample();
    m.up = -1;
    const std::string out = render_metrics({&m});
    EXPECT_EQ(out.find("healthcheck_check_up{"), std::string::npos);
    EXPECT_NE(
        out.find("healthcheck_actions_total{check=\"web\",program=\"nginx\",type=\"http\",action=\"restart\"} 0\n"),
        std::string::npos);
}

// A hostile check name cannot end a label or a line of the exposition.
TEST(Metrics, LabelValuesAreEscaped) {
    CheckMetrics m = sample();
    m.name = "a\"b\\c\nd\x1b[31m";
    const std::string out = render_metrics({&m});
    EXPECT_NE(out.find("check=\"a\\\"b\\\\c\\nd\\\\x1B[31m\""), std::string::npos) << out;
    EXPECT_EQ(out.find('\x1b'), std::string::npos);
    for (size_t start = 0, nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1) {
        const std::string line = out.substr(start, nl - start);
        EXPECT_TRUE(line.rfind("# ", 0) == 0 || line.rfind("healthcheck_", 0) == 0) << line;
    }
}

TEST(Metrics, OnlyGetMetricsIsServed) {
    EXPECT_EQ(route_metrics("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), MetricsRoute::Metrics);
    EXPECT_EQ(route_metrics("GET /metrics?x=1 HTTP/1.0\r\n\r\n"), MetricsRoute::Metrics);
    EXPECT_EQ(route_metrics("GET / HTTP/1.1\r\n\r\n"), MetricsRoute::NotFound);
    EXPECT_EQ(route_metrics("POST /metrics HTTP/1.1\r\n\r\n"), MetricsRoute::NotFound);
    EXPECT_EQ(route_metrics("GET /metricsx HTTP/1.1\r\n\r\n"), MetricsRoute::NotFound);
    EXPECT_EQ(route_metrics("GET /metrics\r\n\r\n"), MetricsRoute::Bad);
    EXPECT_EQ(route_metrics("GET /metrics SPDY/3\r\n\r\n"), MetricsRoute::Bad);
    EXPECT_TRUE(http_request_complete("GET / HTTP/1.1\r\n\r\n"));
    EXPECT_FALSE(http_request_complete("GET / HTTP/1.1\r\nHost: x\r\n"));
    const std::string ok = http_reply("GET /metrics HTTP/1.1\r\n\r\n", false, [] { return std::string("x 1\n"); });
    EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_NE(ok.find("Content-Length: 4\r\nConnection: close\r\n\r\nx 1\n"), std::string::npos);
    bool called = false;
    const std::string nf = http_reply("GET /secret HTTP/1.1\r\n\r\n", false, [&] {
        called = true;
        return std::string();
    });
    EXPECT_EQ(nf.rfind("HTTP/1.1 404 ", 0), 0u);
    EXPECT_FALSE(called);
    EXPECT_EQ(http_reply("", true, [] { return std::string(); }).rfind("HTTP/1.1 431 ", 0), 0u);
}

TEST(Control, ParsesTheThreeCommands) {
    EXPECT_EQ(parse_control("status\n").verb, ControlRequest::Verb::Status);
    ControlRequest p = parse_control("pause web\r\n");
    EXPECT_EQ(p.verb, ControlRequest::Verb::Pause);
    EXPECT_EQ(p.target, "web");
    p = parse_control("resume all\n");
    EXPECT_EQ(p.verb, ControlRequest::Verb::Resume);
    EXPECT_EQ(p.target, "all");
    EXPECT_EQ(parse_control("pause\n").verb, ControlRequest::Verb::Bad);
    EXPECT_EQ(parse_control("pause a b\n").verb, ControlRequest::Verb::Bad);
    EXPECT_EQ(parse_control("shutdown\n").verb, ControlRequest::Verb::Bad);
    EXPECT_FALSE(parse_control("x\n").error.empty());
}

TEST(Control, StatusTableEscapesAndAligns) {
    CheckStatus a;
    a.name = "web";
    a.program = "nginx";
    a.type = "http";
    a.state = "healthy";
    a.last = "pass";
    a.reason = "HTTP 200";
    a.passes = 12;
    a.next_probe_s = 3;
    a.next_action = "restart after 3 more failures";
    CheckStatus b = a;
    b.name = "evil\x1b[2J";
    b.state = "paused";
    b.next_probe_s = -1;
    b.reason = std::string(500, 'r');
    const std::string out = render_status({a, b});
    EXPECT_EQ(out.find('\x1b'), std::string::npos);
    EXPECT_NE(out.find("evil\\x1b[2J"), std::string::npos);
    const size_t l1 = out.find('\n'), l2 = out.find('\n', l1 + 1);
    const std::string head = out.substr(0, l1), first = out.substr(l1 + 1, l2 - l1 - 1);
    EXPECT_EQ(head.find("STATE"), first.find("healthy"));
    EXPECT_NE(first.find("in 3 s"), std::string::npos);
    EXPECT_NE(out.find(std::string(160, 'r') + "..."), std::string::npos);
    EXPECT_EQ(out.find(std::string(161, 'r')), std::string::npos);
}

TEST(Control, StateWordAndNextAction) {
    CheckConfig cfg;
    cfg.name = "web";
    PolicyState s(cfg);
    const Clock::time_point now = Clock::now();
    EXPECT_EQ(state_word(s), "unknown");
    EXPECT_EQ(next_action_text(s, cfg, now), "restart after 3 more failures");
    s.counters.record(false, 3, 1);
    EXPECT_EQ(next_action_text(s, cfg, now), "restart after 2 more failures");
    s.given_up = true;
    EXPECT_EQ(state_word(s), "given up");
    s.paused = true;
    EXPECT_EQ(state_word(s), "paused");
    EXPECT_EQ(next_action_text(s, cfg, now), "none while paused");
    CheckConfig quiet = cfg;
    quiet.actions = Actions{};
    quiet.actions.email = true;
    EXPECT_EQ(next_action_text(PolicyState(quiet), quiet, now), "-");
}

}  // namespace

namespace {

std::string load_error(const std::string& yaml) {
    auto r = load_config_text(yaml, "t.yaml");
    return r ? std::string() : r.error();
}

TEST(ControlConfig, StatusSocketDefaultsNextToTheConfig) {
    auto r = load_config_text("web:\n  program: web\n", "/etc/hc/config.yaml");
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(status_socket_path(*r), "/etc/hc/config.sock");
    r->path = "/etc/hc.d/config";
    EXPECT_EQ(status_socket_path(*r), "/etc/hc.d/config.sock");
    r->path = "/etc/hc.d/.hidden";
    EXPECT_EQ(status_socket_path(*r), "/etc/hc.d/.hidden.sock");
    auto off = load_config_text("config:\n  statusSocket: off\nweb:\n  program: web\n", "/etc/hc/config.yaml");
    ASSERT_TRUE(off) << off.error();
    EXPECT_EQ(status_socket_path(*off), "");
    auto set = load_config_text("config:\n  statusSocket: /run/hc.sock\nweb:\n  program: web\n", "/x.yaml");
    ASSERT_TRUE(set) << set.error();
    EXPECT_EQ(status_socket_path(*set), "/run/hc.sock");
}

TEST(ControlConfig, BadValuesAreErrorsAtTheirLine) {
    EXPECT_NE(load_error("config:\n  statusSocket: run/hc.sock\nweb:\n  program: web\n")
                  .find("t.yaml:2: config.statusSocket: expected an absolute unix socket path"),
              std::string::npos);
    EXPECT_NE(load_error("config:\n  statusSocket: /" + std::string(120, 'a') + "\nweb:\n  program: web\n")
                  .find("config.statusSocket"),
              std::string::npos);
    for (const char* bad : {"9464", "example.com:9464", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:x", "::1"})
        EXPECT_NE(load_error(std::string("config:\n  metricsListen: ") + bad + "\nweb:\n  program: web\n")
                      .find("t.yaml:2: config.metricsListen: expected an IP address and port"),
                  std::string::npos)
            << bad;
    EXPECT_NE(load_error("web:\n  program: web\n  maxRestarts: -1\n").find("t.yaml:3: web.maxRestarts"),
              std::string::npos);
    EXPECT_NE(load_error("web:\n  program: web\n  restartWindow: 0\n").find("t.yaml:3: web.restartWindow"),
              std::string::npos);
}

TEST(ControlConfig, ListenAddressesAndGiveUpKeysLoad) {
    auto r = load_config_text(
        "config:\n  metricsListen: '[::1]:9464'\nweb:\n  program: web\n  maxRestarts: 5\n  restartWindow: 600\n",
        "t.yaml");
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->global.metrics_listen, "[::1]:9464");
    EXPECT_EQ(r->checks[0].max_restarts, 5);
    EXPECT_EQ(r->checks[0].restart_window, 600);
    EXPECT_NE(describe(*r).find("  maxRestarts: 5 within restartWindow 600 s, then give up\n"), std::string::npos);
    EXPECT_NE(describe(*r).find("  metricsListen: [::1]:9464\n"), std::string::npos);
    auto l = parse_listen_address("localhost:9464");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->str(), "127.0.0.1:9464");
    // Old configs: no new --test lines, never give up.
    auto old = load_config_text("web:\n  program: web\n", "t.yaml");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->checks[0].max_restarts, 0);
    EXPECT_EQ(describe(*old).find("maxRestarts"), std::string::npos);
    EXPECT_EQ(describe(*old).find("statusSocket"), std::string::npos);
}

}  // namespace
