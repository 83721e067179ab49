// Unit tests of the exec probe (supervise/exec_probe): its config keys, the
// verdicts, the bounded and escaped output, and real runs on an EventLoop.
#include <gtest/gtest.h>

#include <string>

#include "supervise/config.hpp"
#include "supervise/exec_probe.hpp"
#include "supervise/loop.hpp"

using namespace hc::supervise;

namespace {

CheckConfig load_one(const std::string& yaml) {
    auto r = load_config_text(yaml, "t.yaml");
    EXPECT_TRUE(r.ok()) << r.error();
    if (!r.ok() || r->checks.empty()) return CheckConfig{};
    return r->checks[0];
}

// Runs one probe on a private loop until it reports.
Outcome run_probe(const CheckConfig& cfg) {
    EventLoop loop;
    Outcome got = Outcome::error("no outcome");
    probe_exec(loop, cfg, [&](Outcome o) {
        got = o;
        loop.stop();
    });
    loop.run();
    return got;
}

}  // namespace

TEST(ExecProbe, CommandListIsArgvStringIsShell) {
    auto a = load_one("a:\n  program: p\n  type: exec\n  command: [cat, '/x y', '$HOME']\n");
    EXPECT_EQ(a.type, CheckType::Exec);
    EXPECT_EQ(a.exec->command_argv, (std::vector<std::string>{"cat", "/x y", "$HOME"}));
    EXPECT_EQ(a.exec->command_line, "");
    auto b = load_one("b:\n  program: p\n  type: exec\n  command: ' test -e /tmp/ok '\n");
    EXPECT_TRUE(b.exec->command_argv.empty());
    EXPECT_EQ(b.exec->command_line, "test -e /tmp/ok");
    EXPECT_EQ(exec_command_text(a), "cat /x y $HOME");
}

TEST(ExecProbe, ConfigErrors) {
    auto r =
        load_config_text("a:\n  program: p\n  type: exec\nb:\n  program: p\n  type: exec\n  command: ''\n", "t.yaml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("t.yaml:1: a.command: required key missing (type is exec)"), std::string::npos)
        << r.error();
    EXPECT_NE(r.error().find("t.yaml:7: b.command: expected a command"), std::string::npos) << r.error();
    EXPECT_EQ(r.error().find("b.command: required key missing"), std::string::npos) << r.error();
}

TEST(ExecProbe, OutputEscapedJoinedAndCut) {
    EXPECT_EQ(exec_output_text("ok\n"), "ok");
    EXPECT_EQ(exec_output_text("a\r\nb\n\n"), "a | b");
    EXPECT_EQ(exec_output_text("\x1b[31mred\x07"), "\\x1b[31mred\\x07");
    EXPECT_EQ(exec_output_text(""), "");
    // 4096 bytes kept at most, never half a UTF-8 character.
    std::string big(kExecProbeOutputMax - 1, 'a');
    big += "\xe4\xbd\xa0" + std::string(100, 'b');  // 你 across the cut
    std::string shown = exec_output_text(big);
    EXPECT_EQ(shown, std::string(kExecProbeOutputMax - 1, 'a') + "... (cut)");
    EXPECT_EQ(exec_output_text(std::string(kExecProbeOutputMax, 'c')), std::string(kExecProbeOutputMax, 'c'));
}

TEST(ExecProbe, Verdicts) {
    CheckConfig c;
    c.exec.set().command_line = "x";
    c.timeout_seconds = 2;
    ExecResult r;
    r.started = true;
    r.exit_code = 0;
    r.output = "fine\n";
    EXPECT_EQ(judge_exec(c, r).kind, Outcome::Kind::Pass);
    EXPECT_EQ(judge_exec(c, r).reason, "exec x: exit 0, output: fine");
    r.exit_code = 2;
    EXPECT_EQ(judge_exec(c, r).kind, Outcome::Kind::Fail);
    r.exit_code = -1;
    r.signal = 9;
    r.timed_out = true;
    EXPECT_EQ(judge_exec(c, r).reason, "exec x: timed out after 2 s (process group killed), output: fine");
    r.timed_out = false;
    EXPECT_EQ(judge_exec(c, r).reason, "exec x: killed by signal 9, output: fine");
    ExecResult not_started;
    not_started.error = "fork: EAGAIN";
    EXPECT_EQ(judge_exec(c, not_started).kind, Outcome::Kind::Error);
}

TEST(ExecProbe, RunsArgvWithoutShellAndEnforcesTimeout) {
    CheckConfig c;
    c.name = "chk";
    c.program = "prog";
    c.timeout_seconds = 1;
    c.exec.set().command_argv = {"/bin/echo", "$HC_CHECK;", "x"};
    Outcome o = run_probe(c);
    EXPECT_EQ(o.kind, Outcome::Kind::Pass) << o.reason;
    EXPECT_NE(o.reason.find("output: $HC_CHECK; x"), std::string::npos) << o.reason;

    c.exec.set().command_argv.clear();
    c.exec.set().command_line = "echo $HC_PROGRAM $HC_CHECK $HC_TYPE; exit 4";
    o = run_probe(c);
    EXPECT_EQ(o.kind, Outcome::Kind::Fail);
    EXPECT_NE(o.reason.find("exit 4, output: prog chk exec"), std::string::npos) << o.reason;

    c.exec.set().command_line = "sleep 30 & sleep 31";
    auto start = std::chrono::steady_clock::now();
    o = run_probe(c);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(o.kind, Outcome::Kind::Fail);
    EXPECT_NE(o.reason.find("timed out after 1 s"), std::string::npos) << o.reason;
    EXPECT_LT(ms, 5000);
}
