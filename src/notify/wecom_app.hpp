#pragma once
// WeCom (WeChat Work) application messages, the `wechat` channel of the
// original Python script: GET /cgi-bin/gettoken?corpid=..&corpsecret=..
// for an access_token (valid expires_in seconds), then POST
// /cgi-bin/message/send?access_token=.. with a text message to
// touser/toparty/totag from application agentid. Builders and parsers are
// pure; the caller sends. corpsecret and access_token are secrets: no
// message built here ever holds them (URLs only as net::redact_url_text).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "http/message.hpp"
#include "notify/robots.hpp"
#include "util/result.hpp"

namespace hc::notify {

struct WecomApp {
    std::string corpid, secret;
    int64_t agentid = 0;
    // "|"-separated ids; all empty = "@all" (every member the app reaches).
    std::string touser, toparty, totag;
};

// The API base, overridable for tests and private gateways with
// HEALTHCHECK_WECHAT_URL (default https://qyapi.weixin.qq.com).
std::string wecom_app_base();

// WeCom's text message limit is 2048 bytes: longer content is cut at a
// UTF-8 character boundary.
constexpr size_t kWecomTextMax = 2048;

Result<http::Request> wecom_token_request(const std::string& base, const WecomApp& app);

struct WecomToken {
    std::string token;
    int64_t expires_in = 0;  // seconds
};
// errcode 0 with access_token and expires_in; else "errcode 40013: invalid
// corpid" (the server's errmsg, bounded; never the token).
Result<WecomToken> parse_wecom_token(const http::Response& r);

Result<http::Request> wecom_send_request(const std::string& base, const WecomApp& app, const std::string& token,
                                         const Notice& n);
// The JSON body alone (tests compare it).
std::string wecom_send_body(const WecomApp& app, const Notice& n);

enum class WecomVerdict { Sent, TokenRejected, RateLimited, Failed };
// TokenRejected: errcode 40014 (invalid access_token) or 42001 (expired):
// fetch a new token once and send again. RateLimited: 45009.
WecomVerdict judge_wecom_send(const http::Response& r, std::string& why);

// The access_token of one application, shared by the tries of its lane.
// Used until `refresh_margin` before it expires (at most half its life),
// so a notice never races the expiry.
class WecomTokenCache {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds kRefreshMargin{300};

    // The token, or "" when none is cached or it is due for a refresh.
    std::string get(Clock::time_point now) const;
    void put(const WecomToken& t, Clock::time_point now);
    void drop();

private:
    mutable std::mutex mu_;
    std::string token_;
    Clock::time_point use_until_{};
};

}  // namespace hc::notify
