// Container check mode: state machine, argv normaliser and CLI, report
// merge, DingTalk signing / body / answer check, state file.
#include <gtest/gtest.h>
#include <picojson.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <cxxopts.hpp>

#include "container/cli.hpp"
#include "container/report.hpp"
#include "container/state_file.hpp"
#include "container/state_machine.hpp"
#include "notify/dingtalk.hpp"

namespace {

using namespace hc::container;
namespace notify = hc::notify;

// ---- state machine ---------------------------------------------------------

struct Row {
    Stored prev;
    bool passed;
    int new_state;
    int exit_code;
    const char* notice;  // after "[N]"; nullptr = none
};

TEST(StateMachine, Table) {
    const Row rows[] = {
        {Stored::Missing, true, 2, 0, "已启动,运行正常"},
        {Stored::Missing, false, 1, 10, "正在启动"},
        {Stored::Starting, true, 2, 0, "已启动完毕,运行正常"},
        {Stored::Starting, false, 1, 11, nullptr},
        {Stored::Passing, true, 2, 0, nullptr},
        {Stored::Passing, false, 3, 12, "出现异常,无法访问"},
        {Stored::Failing, true, 4, 0, "已经恢复,运行正常"},
        {Stored::Failing, false, 3, 13, "出现异常,仍未恢复"},
        {Stored::Recovered, true, 4, 0, nullptr},
        {Stored::Recovered, false, 3, 14, "无法访问,很不稳定"},
        {Stored::Garbled, true, 2, 15, nullptr},
        {Stored::Garbled, false, 1, 20, nullptr},
    };
    for (const auto& r : rows) {
        Decision d = decide(r.prev, r.passed, "我的程序");
        std::string where = "prev " + std::to_string(static_cast<int>(r.prev)) + (r.passed ? " pass" : " fail");
        EXPECT_EQ(d.new_state, r.new_state) << where;
        EXPECT_EQ(d.exit_code, r.exit_code) << where;
        EXPECT_EQ(d.notice, r.notice ? std::string("[我的程序]") + r.notice : "") << where;
        EXPECT_EQ(report_status(d), r.new_state) << where;
    }
}

TEST(StateMachine, NameVerbatim) {
    EXPECT_EQ(decide(Stored::Missing, true, "a]b[c").notice, "[a]b[c]已启动,运行正常");
    EXPECT_EQ(decide(Stored::Missing, false, "").notice, "[]正在启动");
}

// ---- argv normaliser -----------------------------------------------------

using Args = std::vector<std::string>;

TEST(NormalizeArgv, ShortForms) {
    EXPECT_EQ(normalize_argv({"-n=V"}), (Args{"-n", "V"}));
    EXPECT_EQ(normalize_argv({"-n:V"}), (Args{"-n", "V"}));
    EXPECT_EQ(normalize_argv({"-n", "V"}), (Args{"-n", "V"}));
    EXPECT_EQ(normalize_argv({"-u=http://h:8080/x?a=b"}), (Args{"-u", "http://h:8080/x?a=b"}));
    EXPECT_EQ(normalize_argv({"-u:http://h:8080/"}), (Args{"-u", "http://h:8080/"}));
    EXPECT_EQ(normalize_argv({"-m="}), (Args{"-m", ""}));
    EXPECT_EQ(normalize_argv({"-n=我的程序"}), (Args{"-n", "我的程序"}));
}

TEST(NormalizeArgv, LongForms) {
    EXPECT_EQ(normalize_argv({"--name=V"}), (Args{"--name=V"}));
    EXPECT_EQ(normalize_argv({"--name:V"}), (Args{"--name=V"}));
    EXPECT_EQ(normalize_argv({"--name", "V"}), (Args{"--name", "V"}));
    EXPECT_EQ(normalize_argv({"--url:http://h:1/a=b"}), (Args{"--url=http://h:1/a=b"}));
    EXPECT_EQ(normalize_argv({"--url=http://h:1/"}), (Args{"--url=http://h:1/"}));
}

TEST(NormalizeArgv, LeavesOthersAlone) {
    EXPECT_EQ(normalize_argv({"token1", "tok:SEC", "-h", "--help", "-"}),
              (Args{"token1", "tok:SEC", "-h", "--help", "-"}));
    // Not an option name before the separator: untouched.
    EXPECT_EQ(normalize_argv({"-=x", "--=x", "-1:2"}), (Args{"-=x", "--=x", "-1:2"}));
    // Everything after "--" is positional (a token may start with '-').
    EXPECT_EQ(normalize_argv({"--", "-n=V", "--name:V"}), (Args{"--", "-n=V", "--name:V"}));
    // Combined short flags with a separator later are not rewritten.
    EXPECT_EQ(normalize_argv({"-nx=V"}), (Args{"-nx=V"}));
}

// ---- parse_cli ------------------------------------------------------------

Options parse_ok(const Args& a) {
    auto r = parse_cli(a);
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error());
    return r ? *r : Options{};
}

TEST(ParseCli, AllSpellingsSameResult) {
    const std::vector<Args> forms = {
        {"-n=N", "-u=http://h/", "-t=100", "-m=K", "-f=/s", "-r=http://r/"},
        {"-n:N", "-u:http://h/", "-t:100", "-m:K", "-f:/s", "-r:http://r/"},
        {"-n", "N", "-u", "http://h/", "-t", "100", "-m", "K", "-f", "/s", "-r", "http://r/"},
        {"--name=N", "--url=http://h/", "--timeout=100", "--match=K", "--file=/s", "--report=http://r/"},
        {"--name:N", "--url:http://h/", "--timeout:100", "--match:K", "--file:/s", "--report:http://r/"},
        {"--name", "N", "--url", "http://h/", "--timeout", "100", "--match", "K", "--file", "/s", "--report",
         "http://r/"},
    };
    for (const auto& f : forms) {
        Args a = f;
        a.insert(a.begin(), "tok1");
        a.insert(a.begin() + 3, "tok2");
        a.push_back("tok3:SEC");
        Options o = parse_ok(a);
        EXPECT_EQ(o.name, "N") << f[0];
        EXPECT_EQ(o.url, "http://h/") << f[0];
        EXPECT_EQ(o.timeout_ms, 100) << f[0];
        EXPECT_EQ(o.match, "K") << f[0];
        EXPECT_EQ(o.state_file, "/s") << f[0];
        EXPECT_EQ(o.report_url, "http://r/") << f[0];
        EXPECT_EQ(o.dingtalk, (Args{"tok1", "tok2", "tok3:SEC"})) << f[0];
    }
}

TEST(ParseCli, ListOptionsSplitAtCommas) {
    // Our patch of cxxopts' list parsing (third_party/cxxopts/PATCHES.md)
    // must split exactly like the getline loop it replaced.
    Options o = parse_ok(
        {"-u", "http://h/", "--wecom", "a,b", "--wecom", "c", "--feishu", "x,,y", "--webhook", "http://w/?k=1,"});
    EXPECT_EQ(o.wecom, (Args{"a", "b", "c"}));
    EXPECT_EQ(o.feishu, (Args{"x", "", "y"}));
    EXPECT_EQ(o.webhook, (Args{"http://w/?k=1"}));
}

TEST(ParseCli, Defaults) {
    Options o = parse_ok({"-u", "https://h/"});
    EXPECT_EQ(o.name, "https://h/");
    EXPECT_EQ(o.timeout_ms, 8000);
    EXPECT_EQ(o.state_file, "/dev/shm/status");
    EXPECT_TRUE(o.match.empty());
    EXPECT_TRUE(o.report_url.empty());
    EXPECT_TRUE(o.dingtalk.empty());
    EXPECT_FALSE(o.insecure);
    EXPECT_FALSE(o.verify_probe);
}

TEST(ParseCli, Flags) {
    Options o = parse_ok({"-u", "https://h/", "--insecure", "--verify", "--cacert", "/ca.pem"});
    EXPECT_TRUE(o.insecure);
    EXPECT_TRUE(o.verify_probe);
    EXPECT_EQ(o.cacert, "/ca.pem");
    EXPECT_TRUE(parse_ok({"-h"}).help);
    EXPECT_TRUE(parse_ok({"--help"}).help);
    EXPECT_TRUE(parse_ok({"--version"}).version);
}

TEST(ParseCli, Errors) {
    auto expect_err = [](const Args& a, const std::string& needle) {
        auto r = parse_cli(a);
        ASSERT_FALSE(r.ok()) << a.size();
        EXPECT_NE(r.error().find(needle), std::string::npos) << r.error();
    };
    expect_err({}, "-u");
    expect_err({"-n", "x"}, "-u");
    expect_err({"-u", "ftp://x"}, "http");
    expect_err({"-u", "127.0.0.1"}, "http");
    expect_err({"-u", "http://h/", "-t", "abc"}, "timeout");
    expect_err({"-u", "http://h/", "-t", "10s"}, "timeout");
    expect_err({"-u", "http://h/", "-t", "0"}, "timeout");
    expect_err({"-u", "http://h/", "-t", ""}, "timeout");
    expect_err({"-u", "http://h/", "-f="}, "file");
    expect_err({"-u", "http://h/", "--bogus"}, "bogus");
}

// Item 11.1/11.2: the default name is the redacted URL; a URL that can not
// be probed is a usage error whose message never echoes it.
TEST(ParseCli, DefaultNameIsTheRedactedUrl) {
    Options o = parse_ok({"-u", "http://user:Pw-Secret-1@h:8080/health?access_token=Tok-Secret-2&sign=Sig-3"});
    EXPECT_EQ(o.name, "http://h:8080/health?access_token=***&sign=***");
    // The probe itself still uses the URL as given.
    EXPECT_EQ(o.url, "http://user:Pw-Secret-1@h:8080/health?access_token=Tok-Secret-2&sign=Sig-3");
    EXPECT_EQ(parse_ok({"-n", "given", "-u", "http://u:p@h/"}).name, "given");
}

TEST(ParseCli, BadUrlIsAUsageErrorWithoutTheUrl) {
    for (const char* bad : {"http://user:Pw-Secret-1@h:99999/?access_token=Pw-Secret-1", "http://user:Pw-Secret-1/",
                            "http://[::1/Pw-Secret-1", "http://h/a b?t=Pw-Secret-1", "Pw-Secret-1://h/",
                            "ftp://h/?t=Pw-Secret-1", "h/Pw-Secret-1"}) {
        auto r = parse_cli({"-u", bad});
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().rfind("-u/--url", 0), 0u) << r.error();
        EXPECT_EQ(r.error().find("Pw-Secret-1"), std::string::npos) << r.error();
    }
    auto port = parse_cli({"-u", "http://h:99999/"});
    ASSERT_FALSE(port.ok());
    EXPECT_NE(port.error().find("port"), std::string::npos) << port.error();
    // A URL given to a flag is quoted by the option parser: redacted.
    for (const char* flag : {"--insecure=http://u:Pw-Secret-1@h/?t=Pw-Secret-1", "--verify=http://u:Pw-Secret-1/"}) {
        auto f = parse_cli({"-u", "http://h/", flag});
        ASSERT_FALSE(f.ok()) << flag;
        EXPECT_EQ(f.error().find("Pw-Secret-1"), std::string::npos) << f.error();
    }
    auto hook = parse_cli({"-u", "http://h/", "--webhook", "http://h:0/hook/Pw-Secret-1"});
    ASSERT_FALSE(hook.ok());
    EXPECT_EQ(hook.error().rfind("--webhook", 0), 0u) << hook.error();
    EXPECT_EQ(hook.error().find("Pw-Secret-1"), std::string::npos) << hook.error();
}

// Item 11.10: schemes in any case.
TEST(ParseCli, UpperCaseSchemes) {
    Options o = parse_ok({"-u", "HTTP://h/x", "--webhook", "HTTPS://w/hook"});
    EXPECT_EQ(o.name, "http://h/x");
    EXPECT_EQ(o.webhook, (Args{"HTTPS://w/hook"}));
}

TEST(ParseCli, UsageMentionsEverything) {
    std::string u = usage();
    for (const char* s : {"--name", "--url", "--timeout", "--match", "--file", "--report", "--cacert", "--insecure",
                          "--verify", "--help", "--version", "-n=V"})
        EXPECT_NE(u.find(s), std::string::npos) << s;
}

// ---- report merge -------------------------------------------------------

picojson::object obj_of(const std::string& json) {
    picojson::value v;
    std::string e = picojson::parse(v, json);
    EXPECT_TRUE(e.empty()) << e;
    EXPECT_TRUE(v.is<picojson::object>());
    return v.is<picojson::object>() ? v.get<picojson::object>() : picojson::object{};
}

TEST(MergeReport, MergesAndOverwrites) {
    ReportFields f{4, "我的程序", "node-1", "abc123"};
    auto out = merge_report(R"({"qps": 12.5, "status": "UP", "name": "svc", "list": [1, {"a": null}]})", f);
    ASSERT_TRUE(out.has_value());
    auto o = obj_of(*out);
    ASSERT_TRUE(o["status"].is<int64_t>());
    EXPECT_EQ(o["status"].get<int64_t>(), 4);
    EXPECT_EQ(o["name"].get<std::string>(), "我的程序");
    EXPECT_EQ(o["ua"].get<std::string>(), "node-1");
    EXPECT_EQ(o["refer"].get<std::string>(), "abc123");
    EXPECT_DOUBLE_EQ(o["qps"].get<double>(), 12.5);
    EXPECT_TRUE(o["list"].is<picojson::array>());
    EXPECT_EQ(o.size(), 6u);  // qps, list + status, name, ua, refer
}

TEST(MergeReport, EmptyObjectAndWhitespace) {
    ReportFields f{2, "n", "", ""};
    auto out = merge_report(" \r\n{}\n\t ", f);
    ASSERT_TRUE(out.has_value());
    auto o = obj_of(*out);
    EXPECT_EQ(o["status"].get<int64_t>(), 2);
    EXPECT_EQ(o["ua"].get<std::string>(), "");
}

TEST(MergeReport, NonObjects) {
    ReportFields f{2, "n", "u", "r"};
    for (const char* b : {"[1,2]", "\"str\"", "42", "null", "true", "plain text", "", "{", "{\"a\":1} trailing",
                          "{\"a\":1}{\"b\":2}", "<html></html>"})
        EXPECT_FALSE(merge_report(b, f).has_value()) << b;
}

TEST(ReportRequest, Headers) {
    ReportFields f{3, "n", "node-9", "cid-1"};
    auto r = report_request("http://127.0.0.1:9/report", "{}", f);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->method, "POST");
    EXPECT_EQ(r->body, "{}");
    EXPECT_EQ(*hc::http::find_header(r->headers, "user-agent"), "node-9");
    EXPECT_EQ(*hc::http::find_header(r->headers, "referer"), "cid-1");
    EXPECT_EQ(hc::http::find_header(r->headers, "content-type")->rfind("application/json", 0), 0u);
    EXPECT_FALSE(report_request("ftp://x/", "{}", f).ok());
}

// ---- DingTalk ---------------------------------------------------------------

TEST(DingTalk, SignKnownValues) {
    // Computed once with Python hmac/base64 (and openssl dgst -hmac).
    EXPECT_EQ(notify::dingtalk_sign("SECtest", 1700000000000), "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=");
    EXPECT_EQ(notify::dingtalk_sign("SEC0123456789abcdef", 1234567890123),
              "X3kWBI0D3ioGPMmlPEyMWuDrX7gFH+AfosM3TrPQ3sE=");
}

TEST(DingTalk, ParseRobot) {
    auto a = notify::parse_dingtalk_robot("tok");
    EXPECT_EQ(a.token, "tok");
    EXPECT_EQ(a.secret, "");
    auto b = notify::parse_dingtalk_robot("tok:SECab:c");
    EXPECT_EQ(b.token, "tok");
    EXPECT_EQ(b.secret, "SECab:c");
}

TEST(DingTalk, UrlUnsignedAndSigned) {
    EXPECT_EQ(notify::dingtalk_url("http://127.0.0.1:9/robot/send", {"to ken", ""}, 1700000000000),
              "http://127.0.0.1:9/robot/send?access_token=to%20ken");
    EXPECT_EQ(notify::dingtalk_url("http://127.0.0.1:9/robot/send?x=1", {"tok", "SECtest"}, 1700000000000),
              "http://127.0.0.1:9/robot/send?x=1&access_token=tok&timestamp=1700000000000"
              "&sign=aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D");
}

TEST(DingTalk, MarkdownBody) {
    std::string title = "[我的程序]已启动,运行正常";
    std::string text = title + "\r\n\r\n容器ID: abc\r\n\r\n节点: n\r\n\r\n时间: 2024-01-02 03:04:05";
    auto o = obj_of(notify::dingtalk_markdown(title, text));
    EXPECT_EQ(o.size(), 2u);
    EXPECT_EQ(o["msgtype"].get<std::string>(), "markdown");
    auto md = o["markdown"].get<picojson::object>();
    EXPECT_EQ(md.size(), 2u);
    EXPECT_EQ(md["title"].get<std::string>(), title);
    EXPECT_EQ(md["text"].get<std::string>(), text);
    // Quotes and backslashes survive.
    auto q = obj_of(notify::dingtalk_markdown("a\"b\\c", "x"));
    EXPECT_EQ(q["markdown"].get<picojson::object>()["title"].get<std::string>(), "a\"b\\c");
}

hc::http::Response answer(int status, const std::string& body) {
    hc::http::Response r;
    r.status = status;
    r.body = body;
    return r;
}

TEST(DingTalk, CheckAnswer) {
    EXPECT_TRUE(notify::check_dingtalk_answer(answer(200, R"({"errcode":0,"errmsg":"ok"})")).ok());
    auto e = notify::check_dingtalk_answer(answer(200, R"({"errcode":310000,"errmsg":"sign not match"})"));
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error(), "errcode 310000: sign not match");
    for (int code : {130101, 300001, 300005, 460101}) {
        auto r = notify::check_dingtalk_answer(answer(200, "{\"errcode\":" + std::to_string(code) + "}"));
        ASSERT_FALSE(r.ok());
        EXPECT_NE(r.error().find(std::to_string(code)), std::string::npos);
    }
    auto h = notify::check_dingtalk_answer(answer(500, R"({"errcode":0})"));
    ASSERT_FALSE(h.ok());
    EXPECT_NE(h.error().find("500"), std::string::npos);
    EXPECT_FALSE(notify::check_dingtalk_answer(answer(200, "not json")).ok());
    EXPECT_FALSE(notify::check_dingtalk_answer(answer(200, "[0]")).ok());
    EXPECT_FALSE(notify::check_dingtalk_answer(answer(200, R"({"errmsg":"ok"})")).ok());
    EXPECT_FALSE(notify::check_dingtalk_answer(answer(200, R"({"errcode":"0"})")).ok());
    EXPECT_FALSE(notify::check_dingtalk_answer(answer(200, "")).ok());
    // A long errmsg is cut.
    auto l =
        notify::check_dingtalk_answer(answer(200, "{\"errcode\":1,\"errmsg\":\"" + std::string(1000, 'm') + "\"}"));
    ASSERT_FALSE(l.ok());
    EXPECT_LT(l.error().size(), 300u);
}

TEST(DingTalk, RedactToken) {
    EXPECT_EQ(notify::redact_token("abcdefghijkl"), "abcdef***");
    EXPECT_EQ(notify::redact_token("abcdef"), "***");
    EXPECT_EQ(notify::redact_token(""), "***");
    // Never more than half of a short token.
    EXPECT_EQ(notify::redact_token("abcdefg"), "abc***");
    EXPECT_EQ(notify::redact_token("abcdefghijk"), "abcde***");
}

// ---- state file -------------------------------------------------------------

class StateFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/hc-unit-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        path_ = dir_ + "/st";
    }
    void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
    void put(const std::string& s) { std::ofstream(path_) << s; }
    std::string get() {
        std::ifstream in(path_);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::string dir_, path_;
};

TEST_F(StateFileTest, ReadValues) {
    StateFile f(path_);
    EXPECT_EQ(f.read().value, Stored::Missing);
    for (int v = 1; v <= 4; ++v) {
        put(std::to_string(v) + "\n");
        EXPECT_EQ(static_cast<int>(f.read().value), v);
    }
    put(" 3 \r\n");
    EXPECT_EQ(f.read().value, Stored::Failing);
    for (const char* g : {"", "0", "5", "12", "x", "2\n3"}) {
        put(g);
        auto s = f.read();
        EXPECT_EQ(s.value, Stored::Garbled) << g;
        EXPECT_FALSE(s.problem.empty()) << g;
    }
}

TEST_F(StateFileTest, WriteIsAtomicAndPrivate) {
    StateFile f(path_);
    ASSERT_TRUE(f.lock().ok());
    ASSERT_TRUE(f.write(3).ok());
    EXPECT_EQ(get(), "3");
    struct stat st {};
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_TRUE(f.write(4).ok());
    EXPECT_EQ(get(), "4");
}

TEST_F(StateFileTest, SymlinkReplacedNotFollowed) {
    std::string target = dir_ + "/target";
    std::ofstream(target) << "2";
    ASSERT_EQ(::symlink(target.c_str(), path_.c_str()), 0);
    StateFile f(path_);
    EXPECT_EQ(f.read().value, Stored::Garbled);
    ASSERT_TRUE(f.write(1).ok());
    struct stat st {};
    ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    std::ifstream in(target);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "2");
}

TEST_F(StateFileTest, WriteIntoMissingFolderFails) {
    StateFile f(dir_ + "/nope/st");
    auto s = f.write(2);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().find("nope/st"), std::string::npos) << s.error();
}

// cxxopts patch 4 (third_party/cxxopts/PATCHES.md): option names are checked
// byte by byte; the same names pass and fail as with upstream's
// find_first_not_of.
TEST(CliParse, OptionNames) {
    auto accepts = [](const std::string& spec) {
        cxxopts::Options o("t", "");
        try {
            o.add_options()(spec, "");
            return true;
        } catch (const cxxopts::exceptions::invalid_option_format&) {
            return false;
        }
    };
    for (const char* ok : {"n,name", "json-path", "a_b.c?", "9x", "H,header", " n, name", "x,Y-1"})
        EXPECT_TRUE(accepts(ok)) << ok;
    for (const char* bad : {"-x", "_x", "a b", "na=me", ",n", "na/me", "n,,name", "\xc3\xa9t\xc3\xa9", "n, -x"})
        EXPECT_FALSE(accepts(bad)) << bad;
}

}  // namespace
