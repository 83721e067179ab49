// Container mode's request and pass-condition options (--status, --method,
// -H, --data, --regex, --json-path) and the HC_* environment variables.
#include <gtest/gtest.h>

#include <map>

#include "container/cli.hpp"
#include "container/conditions.hpp"
#include "container/env_options.hpp"
#include "container/request_options.hpp"

namespace {

using namespace hc::container;
using Args = std::vector<std::string>;
using Env = std::map<std::string, std::string>;

const char* kSecret = "Tok-Secret-9";

Options parse_ok(const Args& a) {
    auto r = parse_cli(a);
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error());
    return r ? *r : Options{};
}

std::string parse_err(const Args& a) {
    auto r = parse_cli(a);
    EXPECT_FALSE(r.ok()) << a.back();
    return r ? "" : r.error();
}

hc::Result<Options> parse_env(const Args& a, const Env& env) {
    return parse_cli(a, [&env](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    });
}

hc::http::Response response(int status, std::string body) {
    hc::http::Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

std::optional<std::string> check(const Args& a, int status, const std::string& body) {
    Args all = {"-u", "http://h/"};
    all.insert(all.end(), a.begin(), a.end());
    return failed_condition(parse_ok(all).conditions, response(status, body), hc::Deadline::after_ms(5000));
}

// ---- --status ----------------------------------------------------------------

TEST(ContainerStatus, DefaultIs200Only) {
    EXPECT_EQ(check({}, 200, ""), std::nullopt);
    EXPECT_EQ(check({}, 204, ""), " (want 200)");  // the old message, word for word
    EXPECT_EQ(check({}, 301, ""), " (want 200)");
}

TEST(ContainerStatus, ListOfCodesAndRanges) {
    for (int s : {200, 250, 399, 401}) EXPECT_EQ(check({"--status", "200-399,401"}, s, ""), std::nullopt) << s;
    for (int s : {199, 400, 402, 500}) EXPECT_EQ(check({"--status", "200-399,401"}, s, ""), " (want 200-399,401)");
    EXPECT_EQ(check({"--status=503"}, 503, ""), std::nullopt);
    EXPECT_EQ(check({"--status:2xx"}, 204, ""), std::nullopt);
}

TEST(ContainerStatus, BadListsAreUsageErrors) {
    for (const char* bad : {"", "20", "2000", "abc", "200-", "-200", "399-200", "200,,401", "600", "099", "200;401"}) {
        std::string e = parse_err({"-u", "http://h/", "--status", bad});
        EXPECT_EQ(e.rfind("--status: ", 0), 0u) << bad << ": " << e;
    }
    EXPECT_NE(parse_err({"-u", "http://h/", "--status", "200", "--status", "201"}).find("more than once"),
              std::string::npos);
}

// ---- --method, -H, --data ----------------------------------------------------

TEST(ContainerRequest, Defaults) {
    Options o = parse_ok({"-u", "http://h/"});
    EXPECT_EQ(o.method, "GET");
    EXPECT_TRUE(o.headers.empty());
    EXPECT_FALSE(o.data);
    Options post = parse_ok({"-u", "http://h/", "--data", "{\"a\":1}"});
    EXPECT_EQ(post.method, "POST");
    EXPECT_EQ(*post.data, "{\"a\":1}");
    EXPECT_EQ(parse_ok({"-u", "http://h/", "--data="}).data, std::string());
    EXPECT_EQ(parse_ok({"-u", "http://h/", "--data", "x", "--method", "put"}).method, "PUT");
    EXPECT_EQ(parse_ok({"-u", "http://h/", "--method=head"}).method, "HEAD");
}

TEST(ContainerRequest, HeadersRepeatableCommasKept) {
    Options o = parse_ok({"-u", "http://h/", "-H", "Authorization: Bearer abc", "-H", "Accept: a/b, c/d", "--header",
                          "Host:example.test", "-H=X-Empty:"});
    hc::http::Headers want = {
        {"Authorization", "Bearer abc"}, {"Accept", "a/b, c/d"}, {"Host", "example.test"}, {"X-Empty", ""}};
    EXPECT_EQ(o.headers, want);
}

TEST(ContainerRequest, BadHeadersNeverShowTheValue) {
    const std::string s = kSecret;
    for (const std::string& bad :
         {"Authorization Bearer " + s, "Auth orization: " + s, ": " + s,
          "Authorization: Bearer " + s + "\r\nX-Injected: 1", "X-Key: " + s + "\n", "X-Key: \x1b[31m" + s}) {
        std::string e = parse_err({"-u", "http://h/", "-H", bad});
        EXPECT_EQ(e.rfind("-H/--header", 0), 0u) << e;
        EXPECT_EQ(e.find(s), std::string::npos) << e;
    }
    // The value's tabs are allowed (HTAB is legal in a field value).
    EXPECT_EQ(parse_ok({"-u", "http://h/", "-H", "X-Tab: a\tb"}).headers.at(0).second, "a\tb");
    for (const char* framing : {"Content-Length: 5", "transfer-encoding: chunked", "Connection: keep-alive"})
        EXPECT_NE(parse_err({"-u", "http://h/", "-H", framing}).find("set by healthcheck"), std::string::npos);
}

TEST(ContainerRequest, BadMethod) {
    for (const char* bad : {"", "GE T", "GET\r\n", "G(T", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
        EXPECT_EQ(parse_err({"-u", "http://h/", "--method", bad}).rfind("--method", 0), 0u) << bad;
}

TEST(ContainerRequest, HeadHasNoBodyToCheck) {
    for (const Args& cond : {Args{"-m", "OK"}, Args{"--regex", "OK"}, Args{"--json-path", "ok"}}) {
        Args a = {"-u", "http://h/", "--method", "HEAD"};
        a.insert(a.end(), cond.begin(), cond.end());
        EXPECT_NE(parse_err(a).find("HEAD"), std::string::npos);
    }
    EXPECT_EQ(parse_ok({"-u", "http://h/", "--method", "HEAD", "--status", "200-299"}).method, "HEAD");
}

TEST(ContainerRequest, NotForTargetsWithoutHttp) {
    for (const Args& opt : {Args{"--status", "200"}, Args{"-H", "A: b"}, Args{"--regex", "x"}, Args{"--json-path", "a"},
                            Args{"--method", "GET"}, Args{"--data", "x"}}) {
        Args a = {"-u", "grpc://127.0.0.1:50051"};
        a.insert(a.end(), opt.begin(), opt.end());
        EXPECT_NE(parse_err(a).find("needs an HTTP target: a grpc:// probe"), std::string::npos) << opt[0];
    }
}

// ---- --regex -----------------------------------------------------------------

TEST(ContainerRegex, MatchesAndFails) {
    EXPECT_EQ(check({"--regex", "\"status\": *\"(UP|OK)\""}, 200, "{\"status\":  \"UP\"}"), std::nullopt);
    EXPECT_EQ(check({"--regex", "^ready$"}, 200, "boot\nready\n"), std::nullopt);  // line anchors
    EXPECT_EQ(check({"--regex", "a{1,3}", "--regex", "b"}, 200, "ab"), std::nullopt);
    EXPECT_EQ(check({"--regex", "a{1,3}", "--regex", "c"}, 200, "ab"), ", but the body does not match the regex \"c\"");
    // A regex with commas stays whole (no list splitting).
    EXPECT_EQ(parse_ok({"-u", "http://h/", "--regex", "x{1,2},y"}).conditions.regexes.at(0)->pattern(), "x{1,2},y");
}

TEST(ContainerRegex, InvalidIsAUsageError) {
    for (const char* bad : {"a(b", "[z-a]", "(a)\\1", "((a{100}){100}){100}", ""}) {
        std::string e = parse_err({"-u", "http://h/", "--regex", bad});
        EXPECT_EQ(e.rfind("--regex: ", 0), 0u) << bad << ": " << e;
    }
    EXPECT_NE(parse_err({"-u", "http://h/", "--regex", std::string(1000, 'a')}).find("longer than"), std::string::npos);
}

// glibc's regexec takes seconds on 16 KiB for "(a|aa)*c": the child doing
// the search is killed at the deadline.
TEST(ContainerRegex, HostileBodyCostsAtMostTheDeadline) {
    auto re = hc::Regex::compile("(a|aa)*c");
    ASSERT_TRUE(re.ok());
    EXPECT_EQ(search_bounded(**re, "xxaac", hc::Deadline::after_ms(2000)), Found::Yes);
    EXPECT_EQ(search_bounded(**re, "xxaa", hc::Deadline::after_ms(2000)), Found::No);
    auto t0 = hc::Clock::now();
    EXPECT_EQ(search_bounded(**re, std::string(256 * 1024, 'a'), hc::Deadline::after_ms(300)), Found::OutOfTime);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(hc::Clock::now() - t0).count();
    EXPECT_LT(ms, 3000);
}

// ---- --json-path -------------------------------------------------------------

std::optional<std::string> json(const std::string& spec, const std::string& body) {
    auto c = parse_json_condition(spec);
    EXPECT_TRUE(c.ok()) << spec;
    return c ? failed_json({*c}, body) : std::string("unparsed");
}

TEST(ContainerJsonPath, Values) {
    const std::string body =
        R"({"status":"UP","n":3,"x":2.5,"ok":true,"off":false,"nil":null,"zero":0,"empty":"",)"
        R"("items":[{"name":"db","up":true},{"name":"cache","up":false}],"a":{"b":{"c":"deep"}},"0":"key0"})";
    EXPECT_EQ(json("status=UP", body), std::nullopt);
    EXPECT_EQ(json("status=DOWN", body), "status is \"UP\" (want \"DOWN\")");
    EXPECT_EQ(json("n=3", body), std::nullopt);
    EXPECT_EQ(json("n=3.0", body), std::nullopt);  // numbers compare as numbers
    EXPECT_EQ(json("n=4", body), "n is 3 (want \"4\")");
    EXPECT_EQ(json("x=2.5", body), std::nullopt);
    EXPECT_EQ(json("ok=true", body), std::nullopt);
    EXPECT_EQ(json("off=false", body), std::nullopt);
    EXPECT_EQ(json("nil=null", body), std::nullopt);
    EXPECT_EQ(json("empty=", body), std::nullopt);
    EXPECT_EQ(json("items.0.name=db", body), std::nullopt);
    EXPECT_EQ(json("items.1.name=cache", body), std::nullopt);
    EXPECT_EQ(json("a.b.c=deep", body), std::nullopt);
    EXPECT_EQ(json("0=key0", body), std::nullopt);  // an object key that looks like an index
    EXPECT_EQ(json("items=x", body), "items is an array (want \"x\")");
    EXPECT_EQ(json("status=UP=1", body), "status is \"UP\" (want \"UP=1\")");  // the first '=' splits
}

TEST(ContainerJsonPath, WithoutValueMeansPresentAndNotNullOrFalse) {
    const std::string body = R"({"ok":true,"off":false,"nil":null,"zero":0,"empty":"","items":[{"up":false}]})";
    EXPECT_EQ(json("ok", body), std::nullopt);
    EXPECT_EQ(json("zero", body), std::nullopt);
    EXPECT_EQ(json("empty", body), std::nullopt);
    EXPECT_EQ(json("items", body), std::nullopt);
    EXPECT_EQ(json("off", body), "off is false");
    EXPECT_EQ(json("nil", body), "nil is null");
    EXPECT_EQ(json("items.0.up", body), "items.0.up is false");
    EXPECT_EQ(json("missing", body), "the body has no missing");
    EXPECT_EQ(json("items.1.up", body), "the body has no items.1");
    EXPECT_EQ(json("items.x", body), "the body has no items.x");
    EXPECT_EQ(json("ok.deeper", body), "the body has no ok.deeper");
}

TEST(ContainerJsonPath, NotJson) {
    for (const char* body : {"", "UP", "{\"a\":", "{} {}", "[1e999]"}) {
        auto why = json("a", body);
        ASSERT_TRUE(why.has_value()) << body;
        EXPECT_EQ(why->rfind("the body is not JSON (", 0), 0u) << *why;
    }
    // 100 levels is picojson's nesting limit: deeper is an error, not a crash.
    EXPECT_TRUE(json("a", std::string(100000, '[') + std::string(100000, ']')).has_value());
    EXPECT_EQ(json("a", "  {\"a\":1}\n"), std::nullopt);
}

TEST(ContainerJsonPath, BadSpecsAreUsageErrors) {
    for (const char* bad : {"", "=UP", "a..b", ".a", "a.", "a.b.=x"}) {
        std::string e = parse_err({"-u", "http://h/", "--json-path", bad});
        EXPECT_EQ(e.rfind("--json-path: ", 0), 0u) << bad << ": " << e;
    }
    EXPECT_FALSE(parse_json_condition(std::string(2000, 'a')).ok());
    EXPECT_FALSE(parse_json_condition("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g").ok());
    EXPECT_FALSE(parse_json_condition("a=\n").ok());
    // Repeatable; commas stay in the value.
    Options o = parse_ok({"-u", "http://h/", "--json-path", "a=1,2", "--json-path", "b"});
    ASSERT_EQ(o.conditions.json.size(), 2u);
    EXPECT_EQ(*o.conditions.json[0].want, "1,2");
}

TEST(ContainerConditions, OrderStatusKeywordRegexJson) {
    EXPECT_EQ(check({"-m", "OK", "--regex", "x", "--json-path", "a"}, 500, "{}"), " (want 200)");
    EXPECT_EQ(check({"-m", "OK", "--regex", "x", "--json-path", "a"}, 200, "{}"), ", but the body lacks \"OK\"");
    EXPECT_EQ(check({"-m", "{", "--regex", "x", "--json-path", "a"}, 200, "{}"),
              ", but the body does not match the regex \"x\"");
    EXPECT_EQ(check({"-m", "{", "--regex", "[{]", "--json-path", "a"}, 200, "{}"), ", but the body has no a");
}

// ---- HC_* environment variables ----------------------------------------------

// process_env(): the real environment, HC_* names matched whole.
TEST(ContainerEnv, ProcessEnvMatchesWholeNames) {
    ::setenv("HC_URLX", "wrong", 1);
    ::setenv("HC_URL", "http://h/", 1);
    ::unsetenv("HC_NAME");
    auto env = process_env();
    ASSERT_NE(env("HC_URL"), nullptr);
    EXPECT_STREQ(env("HC_URL"), "http://h/");
    EXPECT_STREQ(env("HC_URLX"), "wrong");
    EXPECT_EQ(env("HC_UR"), nullptr);
    EXPECT_EQ(env("HC_NAME"), nullptr);
    EXPECT_EQ(env("PATH"), nullptr);  // only HC_* variables are options
    ::unsetenv("HC_URLX");
    ::unsetenv("HC_URL");
}

TEST(ContainerEnv, FillsWhatTheCommandLineLeavesOut) {
    Env env = {{"HC_URL", "http://h:8080/health"},
               {"HC_NAME", "shop"},
               {"HC_TIMEOUT", "1500"},
               {"HC_MATCH", "UP"},
               {"HC_FILE", "/tmp/st"},
               {"HC_STATUS", "200-299"},
               {"HC_METHOD", "post"},
               {"HC_DATA", "{\"q\":1}"},
               {"HC_REGEX", "U.\nP$"},
               {"HC_JSON_PATH", "a.b=1,2\r\nc\n"},
               {"HC_HEADERS", "A: 1, 2\nB: x"},
               {"HC_INSECURE", "yes"},
               {"HC_VERIFY", "0"},
               {"HC_WECOM", "k1,k2"},
               {"HC_DINGTALK", "t1,t2:S"}};
    auto r = parse_env({}, env);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->url, "http://h:8080/health");
    EXPECT_EQ(r->name, "shop");
    EXPECT_EQ(r->timeout_ms, 1500);
    EXPECT_EQ(r->match, "UP");
    EXPECT_EQ(r->conditions.keyword, "UP");
    EXPECT_EQ(r->state_file, "/tmp/st");
    EXPECT_EQ(r->conditions.status.str(), "200-299");
    EXPECT_EQ(r->method, "POST");
    EXPECT_EQ(*r->data, "{\"q\":1}");
    ASSERT_EQ(r->conditions.regexes.size(), 2u);  // one per line
    ASSERT_EQ(r->conditions.json.size(), 2u);
    EXPECT_EQ(*r->conditions.json[0].want, "1,2");
    EXPECT_EQ(r->headers, (hc::http::Headers{{"A", "1, 2"}, {"B", "x"}}));
    EXPECT_TRUE(r->insecure);
    EXPECT_FALSE(r->verify_probe);
    EXPECT_EQ(r->wecom, (Args{"k1", "k2"}));
    EXPECT_EQ(r->dingtalk, (Args{"t1", "t2:S"}));
}

TEST(ContainerEnv, CommandLineWins) {
    Env env = {{"HC_URL", "http://env/"},
               {"HC_TIMEOUT", "abc"},
               {"HC_HEADERS", "A: env"},
               {"HC_DINGTALK", "envtok"},
               {"HC_INSECURE", "1"}};
    auto r = parse_env({"-u", "http://cli/", "-t", "10", "-H", "B: cli", "clitok", "--insecure"}, env);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->url, "http://cli/");
    EXPECT_EQ(r->timeout_ms, 10);
    EXPECT_EQ(r->headers, (hc::http::Headers{{"B", "cli"}}));
    EXPECT_EQ(r->dingtalk, (Args{"clitok"}));
    // Every spelling of an option counts as given.
    auto nim = parse_env({"-u:http://cli/", "--timeout:10"}, env);
    ASSERT_TRUE(nim.ok()) << nim.error();
    EXPECT_EQ(nim->url, "http://cli/");
    // An empty variable is unset; without HC_* it is the plain parse.
    auto empty = parse_env({"-u", "http://h/"}, {{"HC_TIMEOUT", ""}, {"HC_STATUS", ""}});
    ASSERT_TRUE(empty.ok()) << empty.error();
    EXPECT_EQ(empty->timeout_ms, 8000);
    EXPECT_EQ(parse_env({}, {}).error(), "missing -u/--url (or HC_URL)");
}

TEST(ContainerEnv, ErrorsNameTheVariablesNeverSecretValues) {
    auto t = parse_env({}, {{"HC_URL", "http://h/"}, {"HC_TIMEOUT", "5s"}});
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().find("timeout"), std::string::npos) << t.error();
    EXPECT_NE(t.error().find("HC_TIMEOUT"), std::string::npos) << t.error();
    auto flag = parse_env({"-u", "http://h/"}, {{"HC_INSECURE", "maybe"}});
    ASSERT_FALSE(flag.ok());
    EXPECT_EQ(flag.error().rfind("HC_INSECURE: ", 0), 0u) << flag.error();
    const std::string s = kSecret;
    for (const Env& env : {Env{{"HC_URL", "http://user:" + s + "@h:99999/?access_token=" + s}},
                           Env{{"HC_URL", "http://h/"}, {"HC_HEADERS", "Authorization: Bearer " + s + "\x01"}},
                           Env{{"HC_URL", "http://h/"}, {"HC_HEADERS", "Bearer " + s}},
                           Env{{"HC_URL", "http://h/"}, {"HC_WEBHOOK", "http://h:0/hook/" + s}}}) {
        auto r = parse_env({}, env);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().find(s), std::string::npos) << r.error();
        EXPECT_NE(r.error().find("environment: HC_"), std::string::npos) << r.error();
    }
    // The default name from HC_URL is redacted like -u's.
    auto named = parse_env({}, {{"HC_URL", "http://user:" + s + "@h/health?access_token=" + s}});
    ASSERT_TRUE(named.ok());
    EXPECT_EQ(named->name, "http://h/health?access_token=***");
}

TEST(ContainerEnv, EveryVariableMapsToAnOption) {
    // A row naming an option the parser does not know would make that
    // variable fail at run time: set each one and parse.
    for (const auto& e : kEnvOptions) {
        Env env = {{"HC_URL", "http://h/"}, {e.var, e.kind == EnvKind::Flag ? "1" : "200"}};
        if (std::string(e.var) == "HC_URL") env[e.var] = "http://h/";
        if (std::string(e.var) == "HC_HEADERS") env[e.var] = "A: b";
        if (std::string(e.var) == "HC_REPORT" || std::string(e.var) == "HC_WEBHOOK") env[e.var] = "http://r/";
        auto r = parse_env({}, env);
        if (!r) {
            EXPECT_EQ(r.error().find("does not exist"), std::string::npos) << e.var << ": " << r.error();
        }
    }
}

}  // namespace
