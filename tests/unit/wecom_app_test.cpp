// Unit tests of the WeCom application message builders (notify/wecom_app):
// the exact requests, answers, the token cache's refresh rule, and that no
// message ever carries the secret or the token; config.wechat loading.
#include <gtest/gtest.h>
#include <picojson.h>

#include "notify/wecom_app.hpp"
#include "supervise/config.hpp"

using namespace hc;
using namespace hc::notify;

namespace {

WecomApp app() { return WecomApp{"ww-corp", "S3cret/+=", 1000002, "a|b", "", "t1"}; }

http::Response answer(const std::string& body, int status = 200) {
    http::Response r;
    r.status = status;
    r.body = body;
    return r;
}

}  // namespace

TEST(WecomApp, TokenRequestIsExact) {
    auto req = wecom_token_request("http://127.0.0.1:81/", app());
    ASSERT_TRUE(req.ok()) << req.error();
    EXPECT_EQ(req->method, "GET");
    EXPECT_EQ(req->url.host, "127.0.0.1");
    EXPECT_EQ(req->url.target, "/cgi-bin/gettoken?corpid=ww-corp&corpsecret=S3cret%2F%2B%3D");
    EXPECT_EQ(req->url.redacted().find("S3cret"), std::string::npos);
}

TEST(WecomApp, SendRequestAndBody) {
    Notice n;
    n.text = "[web]健康检查失败\r\n\r\n动作: restart";
    auto req = wecom_send_request("https://qyapi.weixin.qq.com", app(), "TOK/1", n);
    ASSERT_TRUE(req.ok()) << req.error();
    EXPECT_EQ(req->method, "POST");
    EXPECT_EQ(req->url.scheme, "https");
    EXPECT_EQ(req->url.target, "/cgi-bin/message/send?access_token=TOK%2F1");
    EXPECT_EQ(req->body,
              "{\"agentid\":1000002,\"msgtype\":\"text\",\"text\":{\"content\":\"[web]健康检查失败\\n动作: "
              "restart\"},\"totag\":\"t1\",\"touser\":\"a|b\"}");
    // No recipient configured: everyone the application reaches.
    WecomApp all = app();
    all.touser = all.totag = "";
    EXPECT_NE(wecom_send_body(all, n).find("\"touser\":\"@all\""), std::string::npos);
    // Content cut at 2048 bytes, on a character boundary.
    n.text = std::string(2047, 'x') + "好";
    picojson::value v;
    picojson::parse(v, wecom_send_body(app(), n));
    EXPECT_EQ(v.get("text").get("content").get<std::string>(), std::string(2047, 'x'));
}

TEST(WecomApp, Answers) {
    auto t = parse_wecom_token(answer(R"({"errcode":0,"errmsg":"ok","access_token":"AT-1","expires_in":7200})"));
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->token, "AT-1");
    EXPECT_EQ(t->expires_in, 7200);
    auto bad = parse_wecom_token(answer(R"({"errcode":40001,"errmsg":"invalid credential"})"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error(), "gettoken: errcode 40001: invalid credential");
    EXPECT_FALSE(parse_wecom_token(answer("{}", 500)).ok());
    std::string why;
    EXPECT_EQ(judge_wecom_send(answer(R"({"errcode":0,"errmsg":"ok"})"), why), WecomVerdict::Sent);
    EXPECT_EQ(judge_wecom_send(answer(R"({"errcode":42001,"errmsg":"expired"})"), why), WecomVerdict::TokenRejected);
    EXPECT_EQ(why, "errcode 42001: expired");
    EXPECT_EQ(judge_wecom_send(answer(R"({"errcode":40014,"errmsg":"x"})"), why), WecomVerdict::TokenRejected);
    EXPECT_EQ(judge_wecom_send(answer(R"({"errcode":45009,"errmsg":"x"})"), why), WecomVerdict::RateLimited);
    EXPECT_EQ(judge_wecom_send(answer(R"({"errcode":81013,"errmsg":"x"})"), why), WecomVerdict::Failed);
    EXPECT_EQ(judge_wecom_send(answer("not json"), why), WecomVerdict::Failed);
}

TEST(WecomApp, TokenCacheRefreshesEarly) {
    WecomTokenCache c;
    auto t0 = WecomTokenCache::Clock::now();
    EXPECT_EQ(c.get(t0), "");
    c.put({"AT", 7200}, t0);
    EXPECT_EQ(c.get(t0 + std::chrono::seconds(6899)), "AT");
    EXPECT_EQ(c.get(t0 + std::chrono::seconds(6900)), "");  // 300 s early
    c.put({"SHORT", 10}, t0);                               // a short life: half of it
    EXPECT_EQ(c.get(t0 + std::chrono::seconds(4)), "SHORT");
    EXPECT_EQ(c.get(t0 + std::chrono::seconds(5)), "");
    c.put({"AT2", 7200}, t0);
    c.drop();
    EXPECT_EQ(c.get(t0), "");
}

TEST(WecomApp, ConfigWechatSection) {
    auto r = supervise::load_config_text(
        "config:\n  wechat:\n    corpid: ww1\n    secret: sec-123456\n    agentid: '1000002'\n"
        "    touser: [u1, u2]\n    totag: '7'\nc:\n  program: p\n  action: restart,wechat\n",
        "t.yaml");
    ASSERT_TRUE(r.ok()) << r.error();
    const auto& w = r->global.wechat;
    EXPECT_TRUE(w.app());
    EXPECT_EQ(w.agentid, 1000002);
    EXPECT_EQ(w.touser, "u1|u2");
    EXPECT_EQ(w.totag, "7");
    EXPECT_TRUE(r->checks[0].actions.wechat);
    EXPECT_TRUE(r->checks[0].actions.restart);
    EXPECT_EQ(r->checks[0].actions.str(), "restart,wechat");
    auto keys = supervise::secret_keys(*r);
    EXPECT_NE(std::find(keys.begin(), keys.end(), "config.wechat.secret"), keys.end());
    std::string shown = supervise::describe(*r);
    EXPECT_EQ(shown.find("sec-123456"), std::string::npos);
    EXPECT_NE(shown.find("    secret: ***\n"), std::string::npos) << shown;

    auto bad = supervise::load_config_text("config:\n  wechat:\n    agentid: abc\n    secret: [1, {a: b}]\n", "t.yaml");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().find("t.yaml:3: config.wechat.agentid: expected the application's agentid"),
              std::string::npos)
        << bad.error();
    EXPECT_EQ(bad.error().find("{a: b}"), std::string::npos);
}
