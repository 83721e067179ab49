// Chat robots and the webhook (src/notify/robots.cpp, dingtalk.cpp): the
// request each channel gets (URL, headers, exact JSON), signatures checked
// against values computed independently with Python's hmac/base64, the
// answer checks, rate-limit detection, target parsing and log-safe names.
//
// Expected signatures were computed with:
//   python3 -c "import hmac,hashlib,base64; s='SEC-dingtalk-123'; ms=1700000000123;
//     print(base64.b64encode(hmac.new(s.encode(), (str(ms)+'\n'+s).encode(), hashlib.sha256).digest()).decode())"
//   python3 -c "import hmac,hashlib,base64; s='FSECRET-abc'; ts=1700000000;
//     print(base64.b64encode(hmac.new((str(ts)+'\n'+s).encode(), b'', hashlib.sha256).digest()).decode())"
#include <gtest/gtest.h>
#include <picojson.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "notify/dingtalk.hpp"
#include "notify/robots.hpp"

namespace {

using hc::notify::Channel;
using hc::notify::Notice;
using hc::notify::Target;

constexpr int64_t kNowMs = 1700000000123;  // 2023-11-14 22:13:20.123 UTC

// Every test starts from the default endpoints and UTC.
class Robots : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* v : {"HEALTHCHECK_DINGTALK_URL", "HEALTHCHECK_WECOM_URL", "HEALTHCHECK_FEISHU_URL"})
            ::unsetenv(v);
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
    void TearDown() override { SetUp(); }
};

Notice sample() {
    Notice n;
    n.title = "[web]健康检查失败";
    n.text = "[web]健康检查失败\r\n\r\n检查: web-http (http)\r\n\r\n原因: HTTP 500 \"x\"";
    n.program = "web";
    n.check = "web-http";
    n.state = "failed";
    n.message = "HTTP 500 \"x\"";
    n.host = "box1";
    n.time = 1700000000;
    return n;
}

const std::string kDingBody =
    "{\"markdown\":{\"text\":\"[web]健康检查失败\\r\\n\\r\\n检查: web-http (http)\\r\\n\\r\\n原因: HTTP 500 "
    "\\\"x\\\"\","
    "\"title\":\"[web]健康检查失败\"},\"msgtype\":\"markdown\"}";

std::string header(const hc::http::Request& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "<none>";
}

hc::http::Response answer(int status, const std::string& body) {
    hc::http::Response r;
    r.status = status;
    r.body = body;
    return r;
}

// ---------------------------------------------------------------- signatures

TEST_F(Robots, DingTalkSignMatchesPython) {
    EXPECT_EQ(hc::notify::dingtalk_sign("SEC-dingtalk-123", kNowMs), "S62tbyPe+Nfs7xiap4vlbA0bBEOl5j3sPqRdVC6w+ZA=");
    EXPECT_EQ(hc::notify::dingtalk_sign("秘密", 1600000000000), "YnVDNgF7eaZHOV9+9LAvBrj14HVMwZvFBuWOaovKMy0=");
}

TEST_F(Robots, FeishuSignMatchesPython) {
    EXPECT_EQ(hc::notify::feishu_sign("FSECRET-abc", 1700000000), "7tsnv3nG/TkCIp3UKvSg99EMaPXEf+1P3+42CFctGuE=");
    EXPECT_EQ(hc::notify::feishu_sign("x", 0), "oXdk2ucwqNVLLZZVLnZykqSwABpHVZxD+yQJ/eSmZ5o=");
}

// ---------------------------------------------------------------- targets

TEST_F(Robots, ParseTargetForms) {
    Target t = hc::notify::parse_target(Channel::DingTalk, "tok1");
    EXPECT_EQ(t.channel, Channel::DingTalk);
    EXPECT_EQ(t.id, "tok1");
    EXPECT_EQ(t.secret, "");

    t = hc::notify::parse_target(Channel::DingTalk, "tok2:SEC-dingtalk-123");
    EXPECT_EQ(t.id, "tok2");
    EXPECT_EQ(t.secret, "SEC-dingtalk-123");

    // Only the first colon splits: a secret may contain colons.
    t = hc::notify::parse_target(Channel::Feishu, "hook1:a:b");
    EXPECT_EQ(t.channel, Channel::Feishu);
    EXPECT_EQ(t.id, "hook1");
    EXPECT_EQ(t.secret, "a:b");

    // A full URL is kept whole (its "https:" is not a TOKEN:SECRET split).
    t = hc::notify::parse_target(Channel::DingTalk, "https://oapi.example.com/robot/send?access_token=tokX");
    EXPECT_EQ(t.id, "https://oapi.example.com/robot/send?access_token=tokX");
    EXPECT_EQ(t.secret, "");
    t = hc::notify::parse_target(Channel::WeCom, "http://127.0.0.1:8080/cgi-bin/webhook/send?key=k");
    EXPECT_EQ(t.id, "http://127.0.0.1:8080/cgi-bin/webhook/send?key=k");
    EXPECT_EQ(t.secret, "");

    t = hc::notify::parse_target(Channel::Webhook, "http://127.0.0.1:9/hook?token=abc:def");
    EXPECT_EQ(t.channel, Channel::Webhook);
    EXPECT_EQ(t.id, "http://127.0.0.1:9/hook?token=abc:def");
    EXPECT_EQ(t.secret, "");
}

TEST_F(Robots, DescribeNeverShowsSecretsOrWholeTokens) {
    auto d = hc::notify::describe(hc::notify::parse_target(Channel::DingTalk, "abcdef0123456789:SEC-very-secret"));
    EXPECT_EQ(d, "dingtalk abcdef***");
    d = hc::notify::describe(hc::notify::parse_target(Channel::DingTalk, "tok1:SEC-very-secret"));
    EXPECT_EQ(d, "dingtalk ***");
    d = hc::notify::describe(hc::notify::parse_target(Channel::WeCom, "key-0123456789"));
    EXPECT_EQ(d, "wecom key-01***");
    d = hc::notify::describe(hc::notify::parse_target(Channel::Feishu, "hook-0123456789:FSECRET-abc"));
    EXPECT_EQ(d, "feishu hook-0***");
    EXPECT_EQ(d.find("FSECRET"), std::string::npos);
    d = hc::notify::describe(hc::notify::parse_target(
        Channel::DingTalk, "https://oapi.example.com/robot/send?access_token=tokX-long-secret"));
    EXPECT_EQ(d, "dingtalk https://oapi.example.com/robot/send?access_token=***");
    d = hc::notify::describe(hc::notify::parse_target(Channel::Webhook, "http://user:pw@127.0.0.1:9/hook?token=zzz"));
    EXPECT_EQ(d.find("zzz"), std::string::npos) << d;
    EXPECT_EQ(d.find("pw"), std::string::npos) << d;
    EXPECT_EQ(d, "webhook http://127.0.0.1:9/hook?token=***");
}

// Item 11.3: tokens in a URL's path are masked like DingTalk tokens, also
// when the URL has a query; plain path words stay readable.
TEST_F(Robots, MaskUrlPathTokens) {
    using hc::notify::describe;
    using hc::notify::parse_target;
    // Feishu hook id with a query string.
    auto d = describe(parse_target(
        Channel::Feishu, "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab?x=1"));
    EXPECT_EQ(d, "feishu https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d***?x=***");
    // Slack-style and Telegram-style path tokens.
    d = describe(
        parse_target(Channel::Webhook, "https://hooks.example.com/services/T0123ABCD/B0123ABCD/XyZsecretTokenValue"));
    EXPECT_EQ(d, "webhook https://hooks.example.com/services/T012***/B012***/XyZsec***");
    d = describe(parse_target(Channel::Webhook, "https://api.example.org/bot123456:AAHsecretsecret/sendMessage"));
    EXPECT_EQ(d, "webhook https://api.example.org/bot123***/sendMessage");
    // A short token with a digit is hidden whole.
    d = describe(parse_target(Channel::Webhook, "http://h/hooks/s3cret/"));
    EXPECT_EQ(d, "webhook http://h/hooks/***/");
    EXPECT_EQ(describe(parse_target(Channel::Webhook, "http://h/")), "webhook http://h/");
    EXPECT_EQ(describe(parse_target(Channel::Webhook, "http://h:0/x")), "webhook (unparsable URL)");
    // mask_target is the same text without the channel (used by `--test`).
    EXPECT_EQ(hc::notify::mask_target(parse_target(Channel::WeCom, "key-0123456789")), "key-01***");
    EXPECT_EQ(hc::notify::mask_target(parse_target(Channel::DingTalk, "ab:SECRET-1234567")), "***");
}

// Item 11.10: an upper-case scheme is a URL, not TOKEN:SECRET, and the
// notice goes to that URL, not to the channel's public endpoint.
TEST_F(Robots, UpperCaseSchemeIsAUrl) {
    auto t =
        hc::notify::parse_target(Channel::DingTalk, "HTTPS://oapi.example.com/robot/send?access_token=tokU-123456");
    EXPECT_EQ(t.id, "HTTPS://oapi.example.com/robot/send?access_token=tokU-123456");
    EXPECT_EQ(t.secret, "");
    auto r = hc::notify::build_request(t, sample(), kNowMs);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->url.scheme, "https");
    EXPECT_EQ(r->url.host, "oapi.example.com");
    EXPECT_EQ(r->url.target, "/robot/send?access_token=tokU-123456");
    EXPECT_EQ(hc::notify::describe(t), "dingtalk https://oapi.example.com/robot/send?access_token=***");
    auto f = hc::notify::parse_target(Channel::Feishu, "Http://127.0.0.1:9/open-apis/bot/v2/hook/hookid-77");
    EXPECT_EQ(f.secret, "");
    auto fr = hc::notify::build_request(f, sample(), kNowMs);
    ASSERT_TRUE(fr) << fr.error();
    EXPECT_EQ(fr->url.host, "127.0.0.1");
}

// ---------------------------------------------------------------- requests

TEST_F(Robots, DingTalkUnsigned) {
    auto r = hc::notify::build_request(hc::notify::parse_target(Channel::DingTalk, "tok1"), sample(), kNowMs);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->method, "POST");
    EXPECT_EQ(r->url.scheme, "https");
    EXPECT_EQ(r->url.host, "oapi.dingtalk.com");
    EXPECT_EQ(r->url.port, 443);
    EXPECT_EQ(r->url.target, "/robot/send?access_token=tok1");
    EXPECT_EQ(header(*r, "Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(r->body, kDingBody);
}

TEST_F(Robots, DingTalkSignedWithEnvEndpoint) {
    ::setenv("HEALTHCHECK_DINGTALK_URL", "http://127.0.0.1:8099/robot/send", 1);
    auto r = hc::notify::build_request(hc::notify::parse_target(Channel::DingTalk, "tok2:SEC-dingtalk-123"), sample(),
                                       kNowMs);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->url.scheme, "http");
    EXPECT_EQ(r->url.host, "127.0.0.1");
    EXPECT_EQ(r->url.port, 8099);
    EXPECT_EQ(r->url.target,
              "/robot/send?access_token=tok2&timestamp=1700000000123"
              "&sign=S62tbyPe%2BNfs7xiap4vlbA0bBEOl5j3sPqRdVC6w%2BZA%3D");
    EXPECT_EQ(r->body, kDingBody);
}

TEST_F(Robots, DingTalkFullUrlIsPostedAsIs) {
    ::setenv("HEALTHCHECK_DINGTALK_URL", "http://127.0.0.1:1/ignored", 1);
    auto r = hc::notify::build_request(
        hc::notify::parse_target(Channel::DingTalk, "http://127.0.0.1:8099/robot/send?access_token=tokX"), sample(),
        kNowMs);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->url.host, "127.0.0.1");
    EXPECT_EQ(r->url.port, 8099);
    EXPECT_EQ(r->url.target, "/robot/send?access_token=tokX");
    EXPECT_EQ(r->body, kDingBody);
    auto bad = hc::notify::build_request(Target{Channel::DingTalk, "http://[oops/x", ""}, sample(), kNowMs);
    EXPECT_FALSE(bad);
}

TEST_F(Robots, BadEndpointIsAnErrorNamingIt) {
    ::setenv("HEALTHCHECK_DINGTALK_URL", "not a url", 1);
    auto r = hc::notify::build_request(hc::notify::parse_target(Channel::DingTalk, "tok1"), sample(), kNowMs);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), "dingtalk: bad endpoint (unparsable URL): URL must start with http:// or https://");
    ::setenv("HEALTHCHECK_WECOM_URL", "ftp://x/", 1);
    auto w = hc::notify::build_request(hc::notify::parse_target(Channel::WeCom, "k"), sample(), kNowMs);
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().rfind("wecom: bad endpoint (unparsable URL): unsupported URL scheme \"ftp\"", 0), 0u)
        << w.error();
    // Neither the endpoint's credentials nor the robot's token are echoed.
    ::setenv("HEALTHCHECK_FEISHU_URL", "http://gw:EnvPw-1@h:99999/hook/", 1);
    auto f = hc::notify::build_request(hc::notify::parse_target(Channel::Feishu, "hook-id-777"), sample(), kNowMs);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().find("EnvPw-1"), std::string::npos) << f.error();
    EXPECT_EQ(f.error().find("hook-id-777"), std::string::npos) << f.error();
    EXPECT_NE(f.error().find("port out of range"), std::string::npos) << f.error();
    // A full-URL robot that does not parse: named, not echoed.
    auto u =
        hc::notify::build_request(Target{Channel::Webhook, "http://h:99999/hook/Tok-999999", ""}, sample(), kNowMs);
    ASSERT_FALSE(u);
    EXPECT_EQ(u.error().find("Tok-999999"), std::string::npos) << u.error();
    EXPECT_EQ(u.error().rfind("webhook: ", 0), 0u) << u.error();
}

TEST_F(Robots, WeCom) {
    auto r = hc::notify::build_request(hc::notify::parse_target(Channel::WeCom, "key1"), sample(), kNowMs);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->url.scheme, "https");
    EXPECT_EQ(r->url.host, "qyapi.weixin.qq.com");
    EXPECT_EQ(r->url.target, "/cgi-bin/webhook/send?key=key1");
    EXPECT_EQ(header(*r, "Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(
        r->body,
        "{\"markdown\":{\"content\":\"[web]健康检查失败\\r\\n\\r\\n检查: web-http (http)\\r\\n\\r\\n原因: HTTP 500 "
        "\\\"x\\\"\"},\"msgtype\":\"markdown\"}");
    ::setenv("HEALTHCHECK_WECOM_URL", "http://127.0.0.1:8099/cgi-bin/webhook/send?debug=1", 1);
    r = hc::notify::build_request(hc::notify::parse_target(Channel::WeCom, "k/ey+1"), sample(), kNowMs);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->url.port, 8099);
    EXPECT_EQ(r->url.target, "/cgi-bin/webhook/send?debug=1&key=k%2Fey%2B1");
}

TEST_F(Robots, FeishuSignedAndUnsigned) {
    auto r =
        hc::notify::build_request(hc::notify::parse_target(Channel::Feishu, "hook1:FSECRET-abc"), sample(), kNowMs);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->url.scheme, "https");
    EXPECT_EQ(r->url.host, "open.feishu.cn");
    EXPECT_EQ(r->url.target, "/open-apis/bot/v2/hook/hook1");
    EXPECT_EQ(header(*r, "Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(
        r->body,
        "{\"content\":{\"text\":\"[web]健康检查失败\\n检查: web-http (http)\\n原因: HTTP 500 \\\"x\\\"\"},"
        "\"msg_type\":\"text\",\"sign\":\"7tsnv3nG\\/TkCIp3UKvSg99EMaPXEf+1P3+42CFctGuE=\","  // picojson escapes '/'
        "\"timestamp\":\"1700000000\"}");
    // Without a secret: no timestamp/sign; env base without a trailing slash.
    ::setenv("HEALTHCHECK_FEISHU_URL", "http://127.0.0.1:8099/open-apis/bot/v2/hook", 1);
    r = hc::notify::build_request(hc::notify::parse_target(Channel::Feishu, "hook2"), sample(), kNowMs);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->url.port, 8099);
    EXPECT_EQ(r->url.target, "/open-apis/bot/v2/hook/hook2");
    EXPECT_EQ(r->body,
              "{\"content\":{\"text\":\"[web]健康检查失败\\n检查: web-http (http)\\n原因: HTTP 500 \\\"x\\\"\"},"
              "\"msg_type\":\"text\"}");
}

TEST_F(Robots, Webhook) {
    auto r = hc::notify::build_request(hc::notify::parse_target(Channel::Webhook, "http://127.0.0.1:8099/webhook?t=1"),
                                       sample(), kNowMs);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->method, "POST");
    EXPECT_EQ(r->url.host, "127.0.0.1");
    EXPECT_EQ(r->url.port, 8099);
    EXPECT_EQ(r->url.target, "/webhook?t=1");
    EXPECT_EQ(header(*r, "Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(r->body,
              "{\"check\":\"web-http\",\"host\":\"box1\",\"message\":\"HTTP 500 \\\"x\\\"\",\"program\":\"web\","
              "\"state\":\"failed\",\"time\":\"2023-11-14 22:13:20\",\"timestamp\":1700000000,"
              "\"title\":\"[web]健康检查失败\"}");
    // The whole body is valid JSON that round-trips the non-ASCII title.
    picojson::value v;
    ASSERT_EQ(picojson::parse(v, r->body), "");
    EXPECT_EQ(v.get("title").get<std::string>(), "[web]健康检查失败");
    EXPECT_FALSE(hc::notify::build_request(Target{Channel::Webhook, "ftp://x/", ""}, sample(), kNowMs));
}

// ---------------------------------------------------------------- answers

TEST_F(Robots, CheckAnswerDingTalkAndWeCom) {
    for (Channel c : {Channel::DingTalk, Channel::WeCom}) {
        Target t{c, "tok", ""};
        SCOPED_TRACE(hc::notify::channel_name(c));
        EXPECT_TRUE(hc::notify::check_answer(t, answer(200, R"({"errcode":0,"errmsg":"ok"})")));
        auto st = hc::notify::check_answer(t, answer(200, R"({"errcode":310000,"errmsg":"sign not match"})"));
        ASSERT_FALSE(st);
        EXPECT_EQ(st.error(), "errcode 310000: sign not match");
        st = hc::notify::check_answer(t, answer(200, R"({"errcode":300001})"));
        ASSERT_FALSE(st);
        EXPECT_EQ(st.error(), "errcode 300001: ");
        st = hc::notify::check_answer(t, answer(500, "internal server error"));
        ASSERT_FALSE(st);
        EXPECT_EQ(st.error(), "HTTP 500");
        EXPECT_FALSE(hc::notify::check_answer(t, answer(204, "")));
        EXPECT_FALSE(hc::notify::check_answer(t, answer(200, "<html>ok</html>")));
        EXPECT_FALSE(hc::notify::check_answer(t, answer(200, R"({"code":0})")));       // wrong key
        EXPECT_FALSE(hc::notify::check_answer(t, answer(200, R"({"errcode":"0"})")));  // not a number
        EXPECT_FALSE(hc::notify::check_answer(t, answer(200, R"({"errcode":1e999})")));
        EXPECT_FALSE(hc::notify::check_answer(t, answer(200, "[0]")));
    }
    // The error message is capped.
    auto st = hc::notify::check_answer(Target{Channel::DingTalk, "t", ""},
                                       answer(200, "{\"errcode\":1,\"errmsg\":\"" + std::string(500, 'm') + "\"}"));
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error(), "errcode 1: " + std::string(200, 'm'));
}

TEST_F(Robots, CheckAnswerFeishu) {
    Target t{Channel::Feishu, "hook", ""};
    EXPECT_TRUE(hc::notify::check_answer(t, answer(200, R"({"code":0,"msg":"success","data":{}})")));
    auto st = hc::notify::check_answer(
        t,
        answer(200, R"({"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"})"));
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error(), "code 19021: sign match fail or timestamp is not within one hour from current time");
    st = hc::notify::check_answer(t, answer(400, R"({"code":9499,"msg":"Bad Request"})"));
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error(), "HTTP 400");
    EXPECT_FALSE(hc::notify::check_answer(t, answer(200, R"({"errcode":0})")));  // Feishu answers "code"
    EXPECT_FALSE(hc::notify::check_answer(t, answer(200, "")));
}

TEST_F(Robots, CheckAnswerWebhook) {
    Target t{Channel::Webhook, "http://127.0.0.1:1/x", ""};
    EXPECT_TRUE(hc::notify::check_answer(t, answer(200, R"({"ok":true})")));
    EXPECT_TRUE(hc::notify::check_answer(t, answer(204, "")));
    EXPECT_TRUE(hc::notify::check_answer(t, answer(299, "whatever")));
    auto st = hc::notify::check_answer(t, answer(500, R"({"ok":false})"));
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error(), "HTTP 500");
    EXPECT_FALSE(hc::notify::check_answer(t, answer(301, "")));
    EXPECT_FALSE(hc::notify::check_answer(t, answer(404, "")));
}

TEST_F(Robots, RateLimited) {
    Target ding{Channel::DingTalk, "t", ""}, wecom{Channel::WeCom, "k", ""}, feishu{Channel::Feishu, "h", ""},
        hook{Channel::Webhook, "http://127.0.0.1:1/x", ""};
    auto ding_limit = answer(200, R"({"errcode":130101,"errmsg":"send too fast"})");
    auto wecom_limit = answer(200, R"({"errcode":45009,"errmsg":"api freq out of limit"})");
    EXPECT_TRUE(hc::notify::is_rate_limited(ding, ding_limit));
    EXPECT_FALSE(hc::notify::check_answer(ding, ding_limit));
    EXPECT_TRUE(hc::notify::is_rate_limited(wecom, wecom_limit));
    EXPECT_FALSE(hc::notify::check_answer(wecom, wecom_limit));
    // Each channel's own code only.
    EXPECT_FALSE(hc::notify::is_rate_limited(ding, wecom_limit));
    EXPECT_FALSE(hc::notify::is_rate_limited(wecom, ding_limit));
    for (const auto& a : {answer(200, R"({"errcode":0,"errmsg":"ok"})"), answer(200, R"({"errcode":300001})"),
                          answer(500, "x"), answer(200, "not json")}) {
        EXPECT_FALSE(hc::notify::is_rate_limited(ding, a)) << a.body;
        EXPECT_FALSE(hc::notify::is_rate_limited(wecom, a)) << a.body;
    }
    EXPECT_FALSE(hc::notify::is_rate_limited(feishu, answer(200, R"({"code":11232,"msg":"frequency limited"})")));
    EXPECT_FALSE(hc::notify::is_rate_limited(feishu, ding_limit));
    EXPECT_FALSE(hc::notify::is_rate_limited(hook, ding_limit));
    EXPECT_FALSE(hc::notify::is_rate_limited(hook, answer(429, "")));
}

TEST_F(Robots, EndpointBases) {
    EXPECT_EQ(hc::notify::endpoint_base(Channel::DingTalk), "https://oapi.dingtalk.com/robot/send");
    EXPECT_EQ(hc::notify::endpoint_base(Channel::WeCom), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send");
    EXPECT_EQ(hc::notify::endpoint_base(Channel::Feishu), "https://open.feishu.cn/open-apis/bot/v2/hook/");
    EXPECT_EQ(hc::notify::endpoint_base(Channel::Webhook), "");
    ::setenv("HEALTHCHECK_DINGTALK_URL", "http://127.0.0.1:7/d", 1);
    ::setenv("HEALTHCHECK_WECOM_URL", "http://127.0.0.1:7/w", 1);
    ::setenv("HEALTHCHECK_FEISHU_URL", "http://127.0.0.1:7/f/", 1);
    EXPECT_EQ(hc::notify::endpoint_base(Channel::DingTalk), "http://127.0.0.1:7/d");
    EXPECT_EQ(hc::notify::endpoint_base(Channel::WeCom), "http://127.0.0.1:7/w");
    EXPECT_EQ(hc::notify::endpoint_base(Channel::Feishu), "http://127.0.0.1:7/f/");
}

}  // namespace
