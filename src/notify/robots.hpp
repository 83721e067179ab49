#pragma once
// Chat robots and the generic webhook, shared by both modes: DingTalk
// (markdown, optionally signed), WeCom (markdown), Feishu (text, optionally
// signed) and a JSON webhook. Builders are pure; the caller sends.
#include <cstdint>
#include <ctime>
#include <string>

#include "http/message.hpp"
#include "net/url.hpp"
#include "util/result.hpp"

namespace hc::notify {

enum class Channel { DingTalk, WeCom, Feishu, Webhook };

struct Target {
    Channel channel = Channel::DingTalk;
    std::string id;      // DingTalk token, WeCom key, Feishu hook id, or webhook URL
    std::string secret;  // signing secret (DingTalk, Feishu); empty = unsigned
};

// What happened, in a channel-neutral form.
struct Notice {
    std::string title;  // "[app]出现异常,无法访问"
    std::string text;   // markdown body, title first, lines separated by "\r\n\r\n"
    // For the webhook's JSON object:
    std::string program, check, state, message, host;
    std::time_t time = 0;
};

// "TOKEN" or "TOKEN:SECRET"; for webhooks the whole value is the URL.
Target parse_target(Channel channel, const std::string& value);

const char* channel_name(Channel c);
// The one masking of robot targets, for every output (logs, stderr,
// `--test`): a token as redact_token() shows it ("abc123***"), a URL as
// mask_url() shows it. Never the secret of a signed robot.
std::string mask_target(const Target& t);
// "wecom abc123***": the channel, then mask_target().
std::string describe(const Target& t);
// A robot or webhook URL for display: no userinfo, query values as ***,
// and every path segment that may be a token (16+ characters, or 6+ with a
// digit) shown as redact_token() shows a token; plain words such as "send"
// or "webhook" stay: "https://open.feishu.cn/open-apis/bot/v2/hook/8f2a1c***?x=***".
std::string mask_url(const net::Url& url);

// Endpoint bases, overridable for tests and private gateways with
// HEALTHCHECK_DINGTALK_URL, HEALTHCHECK_WECOM_URL, HEALTHCHECK_FEISHU_URL.
std::string endpoint_base(Channel c);

Result<http::Request> build_request(const Target& t, const Notice& n, int64_t now_ms);

// ok when the answer says success (errcode 0 / code 0 / any 2xx for webhooks).
Status check_answer(const Target& t, const http::Response& r);
// DingTalk 130101, WeCom 45009: worth one retry after the limit window.
bool is_rate_limited(const Target& t, const http::Response& r);

// base64(HMAC-SHA256(key = ts + "\n" + secret, message = "")) per Feishu.
std::string feishu_sign(const std::string& secret, int64_t ts_seconds);

}  // namespace hc::notify
