// Unit tests of the issue-13 check options: https and cert checks
// (scheme, insecureSkipVerify, caFile, warnDays), response conditions
// (expectStatus, expectBody, expectRegex) and process-tree memory
// (includeChildren on mem checks).
#include <gtest/gtest.h>

#include <unistd.h>

#include <string>

#include "proc/proc.hpp"
#include "supervise/cert_probe.hpp"
#include "supervise/config.hpp"
#include "supervise/probes.hpp"

using namespace hc::supervise;

namespace {

Config load_ok(const std::string& text) {
    auto r = load_config_text(text, "t.yaml");
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? *r : Config{};
}

std::string load_err(const std::string& text) {
    auto r = load_config_text(text, "t.yaml");
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error();
}

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST(SuperviseChecks, HttpsSchemeDefaultsToPort443AndVerifies) {
    Config c = load_ok("w:\n  program: p\n  scheme: https\n  host: example.test\n  path: /health\n");
    ASSERT_EQ(c.checks.size(), 1u);
    const CheckConfig& w = c.checks[0];
    EXPECT_TRUE(w.tls->https);
    EXPECT_FALSE(w.tls->insecure_skip_verify);
    EXPECT_EQ(w.port, 443);
    EXPECT_EQ(w.http->url.scheme, "https");
    EXPECT_EQ(w.http->url.port, 443);
    std::string d = describe(c);
    EXPECT_TRUE(has(d, "url: https://example.test:443/health")) << d;
    EXPECT_TRUE(has(d, "insecureSkipVerify: false")) << d;
    EXPECT_TRUE(has(d, "caFile: (system)")) << d;

    Config p = load_ok("w:\n  program: p\n  scheme: HTTPS\n  port: 8443\n  insecureSkipVerify: yes\n");
    EXPECT_EQ(p.checks[0].port, 8443);
    EXPECT_TRUE(p.checks[0].tls->insecure_skip_verify);
    EXPECT_FALSE(has(describe(p), "caFile"));
}

TEST(SuperviseChecks, PlainHttpUnchanged) {
    Config c = load_ok("w:\n  program: p\n");
    const CheckConfig& w = c.checks[0];
    EXPECT_FALSE(w.tls->https);
    EXPECT_EQ(w.port, 80);
    EXPECT_EQ(w.http->url.scheme, "http");
    EXPECT_EQ(w.http_extras->expect_status.str(), "200-399");
    std::string d = describe(c);
    EXPECT_TRUE(has(d, "url: http://localhost:80/"));
    for (const char* k : {"insecureSkipVerify", "caFile", "expectStatus", "expectBody", "expectRegex", "warnDays"})
        EXPECT_FALSE(has(d, k)) << k;
}

TEST(SuperviseChecks, CaFileMustBeReadableUnlessUnused) {
    std::string e = load_err("w:\n  program: p\n  scheme: https\n  caFile: /nonexistent/ca.pem\n");
    EXPECT_TRUE(has(e, "t.yaml:4: w.caFile: cannot read /nonexistent/ca.pem")) << e;
    Config c =
        load_ok("w:\n  program: p\n  scheme: https\n  insecureSkipVerify: true\n  caFile: /nonexistent/ca.pem\n");
    std::string warnings;
    for (const auto& w : c.warnings) warnings += w + "\n";
    EXPECT_TRUE(has(warnings, "t.yaml:5: w.caFile: not used: insecureSkipVerify is true")) << warnings;
    Config ok = load_ok("w:\n  program: p\n  scheme: https\n  caFile: /dev/null\n");
    EXPECT_EQ(ok.checks[0].tls->ca_file, "/dev/null");
    EXPECT_TRUE(has(describe(ok), "caFile: /dev/null"));
    EXPECT_TRUE(has(load_err("w:\n  program: p\n  scheme: ftp\n"), "t.yaml:3: w.scheme: expected one of http, https"));
    EXPECT_TRUE(has(load_err("w:\n  program: p\n  insecureSkipVerify: maybe\n"), "t.yaml:3: w.insecureSkipVerify"));
}

TEST(SuperviseChecks, CertType) {
    Config c = load_ok("c:\n  program: p\n  type: cert\n  host: example.test\n");
    const CheckConfig& k = c.checks[0];
    EXPECT_EQ(k.type, CheckType::Cert);
    EXPECT_EQ(k.port, 443);
    EXPECT_EQ(k.tls->warn_days, 14);
    std::string d = describe(c);
    EXPECT_TRUE(has(d, "type: cert")) << d;
    EXPECT_TRUE(has(d, "warnDays: 14")) << d;
    EXPECT_TRUE(has(d, "host: example.test")) << d;
    EXPECT_TRUE(has(d, "port: 443")) << d;
    Config w = load_ok("c:\n  program: p\n  type: cert\n  port: 8443\n  warnDays: 0\n");
    EXPECT_EQ(w.checks[0].port, 8443);
    EXPECT_EQ(w.checks[0].tls->warn_days, 0);
    EXPECT_TRUE(has(load_err("c:\n  program: p\n  type: cert\n  warnDays: -1\n"),
                    "t.yaml:4: c.warnDays: expected a number of days 0-3650"));
    EXPECT_TRUE(has(load_err("c:\n  program: p\n  type: cert\n  warnDays: 3651\n"), "c.warnDays"));
    // A SIGHUP reload sees a changed warnDays.
    EXPECT_NE(c.checks[0], w.checks[0]);
}

TEST(SuperviseChecks, ExpectStatusForms) {
    EXPECT_EQ(load_ok("w:\n  program: p\n  expectStatus: 200-399,401\n").checks[0].http_extras->expect_status.str(),
              "200-399,401");
    EXPECT_EQ(load_ok("w:\n  program: p\n  expectStatus: 204\n").checks[0].http_extras->expect_status.str(), "204");
    EXPECT_EQ(load_ok("w:\n  program: p\n  expectStatus: [200, \"300-302\", 4xx]\n")
                  .checks[0]
                  .http_extras->expect_status.str(),
              "200,300-302,400-499");
    Config c = load_ok("w:\n  program: p\n  expectStatus: '401'\n");
    EXPECT_TRUE(has(describe(c), "expectStatus: 401"));
    std::string e = load_err("w:\n  program: p\n  expectStatus: 200-abc\n");
    EXPECT_TRUE(has(e, "t.yaml:3: w.expectStatus: bad status \"200-abc\"")) << e;
    EXPECT_TRUE(has(load_err("w:\n  program: p\n  expectStatus: {a: 1}\n"), "t.yaml:3: w.expectStatus: expected"));
    EXPECT_TRUE(has(load_err("w:\n  program: p\n  expectStatus: []\n"), "w.expectStatus"));
}

TEST(SuperviseChecks, ExpectBodyAndRegex) {
    Config c = load_ok("w:\n  program: p\n  expectBody: READY\n  expectRegex: '\"status\": *\"UP\"'\n");
    const CheckConfig& w = c.checks[0];
    EXPECT_EQ(w.http_extras->expect_body, "READY");
    ASSERT_TRUE(w.http_extras->regex);
    EXPECT_TRUE(w.http_extras->regex->search("{\"status\": \"UP\"}"));
    std::string d = describe(c);
    EXPECT_TRUE(has(d, "expectBody: \"READY\"")) << d;
    EXPECT_TRUE(has(d, "expectRegex: \"\"status\": *\"UP\"\"")) << d;
    EXPECT_TRUE(has(load_err("w:\n  program: p\n  expectBody: ''\n"), "t.yaml:3: w.expectBody: expected a non-empty"));
    std::string e = load_err("w:\n  program: p\n  expectRegex: 'a(b'\n");
    EXPECT_TRUE(has(e, "t.yaml:3: w.expectRegex: regex: ")) << e;
    e = load_err("w:\n  program: p\n  expectRegex: '(a)\\1'\n");
    EXPECT_TRUE(has(e, "t.yaml:3: w.expectRegex: regex: back-references")) << e;
    e = load_err("w:\n  program: p\n  expectRegex: '((a{100}){100}){100}'\n");
    EXPECT_TRUE(has(e, "t.yaml:3: w.expectRegex: regex: counted repetitions")) << e;
    // Compared by text: a changed pattern is a changed check.
    Config o = load_ok("w:\n  program: p\n  expectBody: READY\n  expectRegex: 'DOWN'\n");
    EXPECT_NE(c.checks[0], o.checks[0]);
    Config same = load_ok("w:\n  program: p\n  expectBody: READY\n  expectRegex: '\"status\": *\"UP\"'\n");
    EXPECT_EQ(c.checks[0], same.checks[0]);
}

TEST(SuperviseChecks, JudgeResponse) {
    ResponseRules def;
    EXPECT_EQ(judge_response(def, "GET u", 200, "").kind, Outcome::Kind::Pass);
    EXPECT_EQ(judge_response(def, "GET u", 399, "").kind, Outcome::Kind::Pass);
    Outcome o = judge_response(def, "GET u", 500, "");
    EXPECT_EQ(o.kind, Outcome::Kind::Fail);
    EXPECT_EQ(o.reason, "GET u: HTTP 500");  // the message it always had

    Config c =
        load_ok("w:\n  program: p\n  expectStatus: 200,401\n  expectBody: READY\n  expectRegex: '^version: [0-9]+$'\n");
    ResponseRules r = ResponseRules::of(c.checks[0]);
    EXPECT_EQ(judge_response(r, "GET u", 401, "READY\nversion: 12\n").kind, Outcome::Kind::Pass);
    o = judge_response(r, "GET u", 302, "READY\nversion: 12\n");
    EXPECT_EQ(o.reason, "GET u: HTTP 302 (expected 200,401)");
    o = judge_response(r, "GET u", 200, "secret-token NOT READY\nversion: 12\n");  // READY is a substring
    EXPECT_EQ(o.kind, Outcome::Kind::Pass);
    o = judge_response(r, "GET u", 200, "secret-token starting\nversion: 12\n");
    EXPECT_EQ(o.kind, Outcome::Kind::Fail);
    EXPECT_EQ(o.reason, "GET u: HTTP 200, body does not contain \"READY\"");
    o = judge_response(r, "GET u", 200, "READY secret-token\nversion: x\n");
    EXPECT_EQ(o.reason, "GET u: HTTP 200, body does not match /^version: [0-9]+$/");
    // The regex sees only the first kMaxRegexBody bytes (regexec can be
    // quadratic); the substring check sees the whole body.
    std::string big(kMaxRegexBody, ' ');
    EXPECT_EQ(judge_response(r, "GET u", 200, "READY\nversion: 1\n" + big).kind, Outcome::Kind::Pass);
    EXPECT_EQ(judge_response(r, "GET u", 200, big + "READY\nversion: 1\n").kind, Outcome::Kind::Fail);
    o = judge_response(r, "GET u", 200, "READY secret-token\nversion: x\n");
    // The body is never quoted.
    EXPECT_FALSE(has(o.reason, "secret-token"));
    // Control bytes of the config value are escaped.
    Config esc = load_ok("w:\n  program: p\n  expectBody: \"a\\x1b[31mb\"\n");
    o = judge_response(ResponseRules::of(esc.checks[0]), "GET u", 200, "");
    EXPECT_FALSE(has(o.reason, "\x1b")) << o.reason;
}

TEST(SuperviseChecks, JudgeCert) {
    const int64_t now = 1800000000;  // 2027-01-15 08:00:00 UTC
    hc::net::PeerCertificate cert;
    cert.not_before = now - 86400;
    cert.not_after = now + 3 * 86400 + 3600;
    cert.subject = "CN=localhost";
    Outcome o = judge_cert("tls localhost:8443", cert, 14, now);
    EXPECT_EQ(o.kind, Outcome::Kind::Fail);
    EXPECT_EQ(o.reason,
              "tls localhost:8443: certificate CN=localhost expires 2027-01-18 09:00:00 UTC (3 days left, "
              "warnDays 14)");
    EXPECT_EQ(judge_cert("t", cert, 3, now).kind, Outcome::Kind::Pass);
    EXPECT_EQ(judge_cert("t", cert, 4, now).kind, Outcome::Kind::Fail);
    EXPECT_EQ(judge_cert("t", cert, 0, now).kind, Outcome::Kind::Pass);
    cert.not_after = now + 86400 + 10;
    EXPECT_TRUE(has(judge_cert("t", cert, 0, now).reason, "(1 day left"));
    cert.not_after = now - 2 * 86400;
    o = judge_cert("t", cert, 0, now);
    EXPECT_EQ(o.kind, Outcome::Kind::Fail);
    EXPECT_TRUE(has(o.reason, "expired 2027-01-13 08:00:00 UTC (2 days ago)")) << o.reason;
    cert.not_before = now + 60;
    cert.not_after = now + 400 * 86400;
    EXPECT_TRUE(has(judge_cert("t", cert, 14, now).reason, "is not valid before"))
        << judge_cert("t", cert, 14, now).reason;
    // The subject is the server's text: control bytes are not passed on.
    cert.not_before = now - 60;
    cert.subject = "CN=evil\x1b[2J";
    EXPECT_FALSE(has(judge_cert("t", cert, 14, now).reason, "\x1b"));
    EXPECT_EQ(format_utc(0), "1970-01-01 00:00:00 UTC");
}

TEST(SuperviseChecks, MemIncludeChildren) {
    Config c = load_ok("m:\n  program: p\n  type: mem\n  includeChildren: true\n");
    EXPECT_TRUE(c.checks[0].proc->include_children);
    EXPECT_TRUE(has(describe(c), "includeChildren: true (the program and all its descendants)"));
    Config d = load_ok("m:\n  program: p\n  type: mem\n");
    EXPECT_FALSE(has(describe(d), "includeChildren"));
    EXPECT_NE(c.checks[0], d.checks[0]);
}

TEST(SuperviseChecks, MemmonSpellingsCumulativeAndMaxRss) {
    Config c = load_ok("m:\n  program: p\n  type: mem\n  memType: pss\n  maxRss: 300\n  cumulative: true\n");
    EXPECT_TRUE(c.checks[0].proc->include_children);
    EXPECT_EQ(c.checks[0].proc->max_mem_mb, 300);
    EXPECT_EQ(c.checks[0].proc->mem_type, hc::proc::MemKind::Rss);
    Config d = load_ok("m:\n  program: p\n  type: mem\n  maxMem: 300\n  includeChildren: true\n");
    EXPECT_EQ(c.checks[0], d.checks[0]);
}

TEST(ProcTree, DescendantsBreadthFirst) {
    // 10 -> 11 -> 13, 10 -> 12; 20 unrelated; a self-parented entry and a
    // cycle (pid reuse mid-scan) do not loop.
    std::vector<std::pair<pid_t, pid_t>> t = {{11, 10}, {12, 10}, {13, 11}, {20, 1}, {14, 14}, {10, 13}};
    EXPECT_EQ(hc::proc::descendants_of(10, t), (std::vector<pid_t>{10, 11, 12, 13}));
    EXPECT_EQ(hc::proc::descendants_of(20, t), (std::vector<pid_t>{20}));
    EXPECT_EQ(hc::proc::descendants_of(99, t), (std::vector<pid_t>{99}));
}

TEST(ProcTree, OwnTreeMemoryCountsThisProcess) {
    auto tree = hc::proc::read_tree_mem_mb(::getpid(), hc::proc::MemKind::Rss);
    ASSERT_TRUE(tree.ok()) << tree.error();
    EXPECT_GE(tree->processes, 1u);
    EXPECT_GT(tree->mb, 0.0);
    EXPECT_FALSE(hc::proc::read_tree_mem_mb(hc::proc::kMaxPid, hc::proc::MemKind::Rss).ok());
}
