#include "notify/robots.hpp"

#include <picojson.h>

#include <algorithm>

#include "net/url.hpp"
#include "notify/dingtalk.hpp"
#include "util/crypto.hpp"
#include "util/text.hpp"

namespace hc::notify {
namespace {

// A path segment that may be a token: Feishu hook ids, Slack and Discord
// webhook tokens, Telegram bot tokens are all long or mix in digits, while
// the words of an API path ("robot", "send", "v2") are short.
bool token_like(std::string_view seg) {
    bool digit = std::any_of(seg.begin(), seg.end(), [](char c) { return c >= '0' && c <= '9'; });
    return seg.size() >= 16 || (seg.size() >= 6 && digit);
}

std::string json_of(const picojson::object& o) { return picojson::value(o).serialize(); }

http::Request post_json(const net::Url& url, std::string body) {
    http::Request req;
    req.method = "POST";
    req.url = url;
    req.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    req.body = std::move(body);
    return req;
}

// The "code"/"errcode" integer of a robot's JSON answer.
Result<int64_t> answer_code(const http::Response& r, const char* key, std::string& msg) {
    picojson::value v;
    try {  // picojson throws std::overflow_error on numbers like 1e999
        if (!picojson::parse(v, r.body).empty() || !v.is<picojson::object>()) return err("answer is not a JSON object");
    } catch (const std::overflow_error&) {
        return err("answer is not a JSON object");
    }
    const auto& o = v.get<picojson::object>();
    auto code = o.find(key);
    if (code == o.end() || !code->second.is<int64_t>()) return err(std::string("answer has no ") + key);
    for (const char* m : {"errmsg", "msg"})
        if (auto it = o.find(m); it != o.end() && it->second.is<std::string>()) msg = it->second.get<std::string>();
    return code->second.get<int64_t>();
}

std::string plain_text(const Notice& n) {
    std::string t = n.text;
    for (size_t p; (p = t.find("\r\n\r\n")) != std::string::npos;) t.replace(p, 4, "\n");
    return t;
}

}  // namespace

Target parse_target(Channel channel, const std::string& value) {
    if (channel == Channel::Webhook || net::is_http_url(value)) return {channel, value, ""};
    auto colon = value.find(':');
    if (colon == std::string::npos) return {channel, value, ""};
    return {channel, value.substr(0, colon), value.substr(colon + 1)};
}

const char* channel_name(Channel c) {
    switch (c) {
        case Channel::DingTalk: return "dingtalk";
        case Channel::WeCom: return "wecom";
        case Channel::Feishu: return "feishu";
        case Channel::Webhook: return "webhook";
    }
    return "?";
}

std::string mask_url(const net::Url& url) {
    const std::string& target = url.target;
    auto q = target.find('?');
    std::string_view path = std::string_view(target).substr(0, q);
    std::string shown = url.scheme + "://" + url.host_header();
    for (size_t i = 1; i <= path.size();) {  // path[0] is '/'
        auto next = std::min(path.find('/', i), path.size());
        auto seg = path.substr(i, next - i);
        shown += '/';
        shown += token_like(seg) ? redact_token(std::string(seg)) : std::string(seg);
        i = next + 1;
    }
    if (q != std::string::npos) shown += "?" + net::mask_query(std::string_view(target).substr(q + 1));
    return shown;
}

std::string mask_target(const Target& t) {
    if (t.channel == Channel::Webhook || net::is_http_url(t.id)) {
        auto url = net::parse_url(t.id);
        return url ? mask_url(*url) : "(unparsable URL)";
    }
    return redact_token(t.id);
}

std::string describe(const Target& t) { return std::string(channel_name(t.channel)) + " " + mask_target(t); }

std::string endpoint_base(Channel c) {
    switch (c) {
        case Channel::DingTalk: return env_or("HEALTHCHECK_DINGTALK_URL", kDingTalkDefaultUrl);
        case Channel::WeCom: return env_or("HEALTHCHECK_WECOM_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send");
        case Channel::Feishu: return env_or("HEALTHCHECK_FEISHU_URL", "https://open.feishu.cn/open-apis/bot/v2/hook/");
        case Channel::Webhook: return "";
    }
    return "";
}

std::string feishu_sign(const std::string& secret, int64_t ts_seconds) {
    return base64_encode(hmac_sha256(std::to_string(ts_seconds) + "\n" + secret, ""));
}

namespace {

// Where a notice is posted: the robot's own URL when the config gives one (as
// is, unsigned), else the channel's endpoint plus the id and, for a signed
// DingTalk robot, timestamp and sign.
Result<net::Url> robot_url(const Target& t, int64_t now_ms) {
    const std::string channel = channel_name(t.channel);
    if (t.channel == Channel::Webhook || net::is_http_url(t.id)) {
        auto url = net::parse_url(t.id);
        if (!url) return err(channel + ": " + url.error());
        return url;
    }
    std::string base = endpoint_base(t.channel);
    std::string url;
    switch (t.channel) {
        case Channel::DingTalk: url = dingtalk_url(base, DingTalkRobot{t.id, t.secret}, now_ms); break;
        case Channel::WeCom:
            url = base + (base.find('?') == std::string::npos ? "?" : "&") + "key=" + net::percent_encode(t.id);
            break;
        case Channel::Feishu:
            if (!base.empty() && base.back() != '/') base += '/';
            url = base + net::percent_encode(t.id);
            break;
        case Channel::Webhook: break;  // its id is its URL (above)
    }
    auto parsed = net::parse_url(url);
    if (!parsed) return err(channel + ": bad endpoint " + net::redact_url_text(base) + ": " + parsed.error());
    return parsed;
}

// The JSON each service expects; Feishu signs in the body.
std::string robot_body(const Target& t, const Notice& n, int64_t now_ms) {
    switch (t.channel) {
        case Channel::DingTalk: return dingtalk_markdown(n.title, n.text);
        case Channel::WeCom: {
            picojson::object md{{"content", picojson::value(n.text)}};
            return json_of({{"msgtype", picojson::value("markdown")}, {"markdown", picojson::value(md)}});
        }
        case Channel::Feishu: {
            picojson::object content{{"text", picojson::value(plain_text(n))}};
            picojson::object body{{"msg_type", picojson::value("text")}, {"content", picojson::value(content)}};
            if (!t.secret.empty()) {
                int64_t ts = now_ms / 1000;
                body["timestamp"] = picojson::value(std::to_string(ts));
                body["sign"] = picojson::value(feishu_sign(t.secret, ts));
            }
            return json_of(body);
        }
        case Channel::Webhook: {
            picojson::object body{{"title", picojson::value(n.title)},
                                  {"program", picojson::value(n.program)},
                                  {"check", picojson::value(n.check)},
                                  {"state", picojson::value(n.state)},
                                  {"message", picojson::value(n.message)},
                                  {"host", picojson::value(n.host)},
                                  {"time", picojson::value(format_local_time(n.time))},
                                  {"timestamp", picojson::value(static_cast<int64_t>(n.time))}};
            return json_of(body);
        }
    }
    return "{}";
}

}  // namespace

Result<http::Request> build_request(const Target& t, const Notice& n, int64_t now_ms) {
    Result<net::Url> url = robot_url(t, now_ms);
    if (!url) return err(url.error());
    return post_json(*url, robot_body(t, n, now_ms));
}

Status check_answer(const Target& t, const http::Response& r) {
    if (t.channel == Channel::Webhook) {
        if (r.status >= 200 && r.status <= 299) return ok_status();
        return err("HTTP " + std::to_string(r.status));
    }
    if (r.status != 200) return err("HTTP " + std::to_string(r.status));
    std::string msg;
    auto code = answer_code(r, t.channel == Channel::Feishu ? "code" : "errcode", msg);
    if (!code) return err(code.error());
    if (*code == 0) return ok_status();
    return err((t.channel == Channel::Feishu ? "code " : "errcode ") + std::to_string(*code) + ": " +
               msg.substr(0, 200));
}

bool is_rate_limited(const Target& t, const http::Response& r) {
    if (t.channel != Channel::DingTalk && t.channel != Channel::WeCom) return false;
    std::string msg;
    auto code = answer_code(r, "errcode", msg);
    return code &&
           ((t.channel == Channel::DingTalk && *code == 130101) || (t.channel == Channel::WeCom && *code == 45009));
}

}  // namespace hc::notify
