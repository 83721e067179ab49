#include "notify/wecom_app.hpp"

#include <picojson.h>

#include <algorithm>

#include "net/url.hpp"
#include "util/text.hpp"

namespace hc::notify {
namespace {

Result<net::Url> endpoint(const std::string& base, const std::string& path_and_query) {
    std::string b = base;
    while (!b.empty() && b.back() == '/') b.pop_back();
    auto url = net::parse_url(b + path_and_query);
    // The query holds the secret or the token: never echo the URL.
    if (!url) return err("wechat: bad endpoint " + net::redact_url_text(b) + ": " + url.error());
    return url;
}

Result<picojson::object> json_object(const http::Response& r) {
    if (r.status != 200) return err("HTTP " + std::to_string(r.status));
    picojson::value v;
    try {  // picojson throws std::overflow_error on numbers like 1e999
        if (!picojson::parse(v, r.body).empty() || !v.is<picojson::object>()) return err("answer is not a JSON object");
    } catch (const std::overflow_error&) {
        return err("answer is not a JSON object");
    }
    return v.get<picojson::object>();
}

// errcode of an answer (absent = 0, as WeCom omits it on some successes).
int64_t errcode(const picojson::object& o) {
    auto it = o.find("errcode");
    return it != o.end() && it->second.is<int64_t>() ? it->second.get<int64_t>() : 0;
}

std::string errtext(const picojson::object& o) {
    std::string msg;
    if (auto it = o.find("errmsg"); it != o.end() && it->second.is<std::string>()) msg = it->second.get<std::string>();
    return "errcode " + std::to_string(errcode(o)) + ": " + printable(msg, 200, true);
}

// At most max bytes, never ending inside a UTF-8 sequence.
std::string cut_utf8(std::string s, size_t max) {
    if (s.size() <= max) return s;
    size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    s.resize(end);
    return s;
}

}  // namespace

std::string wecom_app_base() { return env_or("HEALTHCHECK_WECHAT_URL", "https://qyapi.weixin.qq.com"); }

Result<http::Request> wecom_token_request(const std::string& base, const WecomApp& app) {
    auto url = endpoint(base, "/cgi-bin/gettoken?corpid=" + net::percent_encode(app.corpid) +
                                  "&corpsecret=" + net::percent_encode(app.secret));
    if (!url) return err(url.error());
    http::Request req;
    req.method = "GET";
    req.url = *url;
    return req;
}

Result<WecomToken> parse_wecom_token(const http::Response& r) {
    auto o = json_object(r);
    if (!o) return err("gettoken: " + o.error());
    if (errcode(*o) != 0) return err("gettoken: " + errtext(*o));
    auto tok = o->find("access_token");
    auto exp = o->find("expires_in");
    if (tok == o->end() || !tok->second.is<std::string>() || tok->second.get<std::string>().empty())
        return err("gettoken: answer has no access_token");
    WecomToken t;
    t.token = tok->second.get<std::string>();
    t.expires_in = exp != o->end() && exp->second.is<int64_t>() ? exp->second.get<int64_t>() : 7200;
    return t;
}

std::string wecom_send_body(const WecomApp& app, const Notice& n) {
    std::string text = n.text;
    for (size_t p; (p = text.find("\r\n\r\n")) != std::string::npos;) text.replace(p, 4, "\n");
    picojson::object body;
    if (!app.touser.empty() || (app.toparty.empty() && app.totag.empty()))
        body["touser"] = picojson::value(app.touser.empty() ? std::string("@all") : app.touser);
    if (!app.toparty.empty()) body["toparty"] = picojson::value(app.toparty);
    if (!app.totag.empty()) body["totag"] = picojson::value(app.totag);
    body["msgtype"] = picojson::value("text");
    body["agentid"] = picojson::value(app.agentid);
    body["text"] = picojson::value(picojson::object{{"content", picojson::value(cut_utf8(text, kWecomTextMax))}});
    return picojson::value(body).serialize();
}

Result<http::Request> wecom_send_request(const std::string& base, const WecomApp& app, const std::string& token,
                                         const Notice& n) {
    auto url = endpoint(base, "/cgi-bin/message/send?access_token=" + net::percent_encode(token));
    if (!url) return err(url.error());
    http::Request req;
    req.method = "POST";
    req.url = *url;
    req.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    req.body = wecom_send_body(app, n);
    return req;
}

WecomVerdict judge_wecom_send(const http::Response& r, std::string& why) {
    auto o = json_object(r);
    if (!o) {
        why = o.error();
        return WecomVerdict::Failed;
    }
    int64_t code = errcode(*o);
    if (code == 0) return WecomVerdict::Sent;
    why = errtext(*o);
    if (code == 40014 || code == 42001) return WecomVerdict::TokenRejected;
    if (code == 45009) return WecomVerdict::RateLimited;
    return WecomVerdict::Failed;
}

std::string WecomTokenCache::get(Clock::time_point now) const {
    std::lock_guard<std::mutex> lock(mu_);
    return now < use_until_ ? token_ : std::string();
}

void WecomTokenCache::put(const WecomToken& t, Clock::time_point now) {
    std::lock_guard<std::mutex> lock(mu_);
    std::chrono::seconds life{std::max<int64_t>(t.expires_in, 0)};
    token_ = t.token;
    use_until_ = now + life - std::min<std::chrono::seconds>(kRefreshMargin, life / 2);
}

void WecomTokenCache::drop() {
    std::lock_guard<std::mutex> lock(mu_);
    token_.clear();
    use_until_ = {};
}

}  // namespace hc::notify
