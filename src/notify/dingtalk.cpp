#include "notify/dingtalk.hpp"

#include <picojson.h>

#include <algorithm>

#include "net/url.hpp"
#include "util/crypto.hpp"

namespace hc::notify {

DingTalkRobot parse_dingtalk_robot(const std::string& arg) {
    auto colon = arg.find(':');
    if (colon == std::string::npos) return {arg, ""};
    return {arg.substr(0, colon), arg.substr(colon + 1)};
}

std::string dingtalk_markdown(const std::string& title, const std::string& text) {
    picojson::object markdown{{"title", picojson::value(title)}, {"text", picojson::value(text)}};
    picojson::object root{{"msgtype", picojson::value("markdown")}, {"markdown", picojson::value(markdown)}};
    return picojson::value(root).serialize();
}

std::string dingtalk_sign(const std::string& secret, int64_t now_ms) {
    return base64_encode(hmac_sha256(secret, std::to_string(now_ms) + "\n" + secret));
}

std::string dingtalk_url(const std::string& base_url, const DingTalkRobot& robot, int64_t now_ms) {
    std::string url = base_url + (base_url.find('?') == std::string::npos ? "?" : "&") +
                      "access_token=" + net::percent_encode(robot.token);
    if (!robot.secret.empty())
        url += "&timestamp=" + std::to_string(now_ms) +
               "&sign=" + net::percent_encode(dingtalk_sign(robot.secret, now_ms));
    return url;
}

Status check_dingtalk_answer(const http::Response& response) {
    if (response.status != 200) return err("HTTP " + std::to_string(response.status));
    picojson::value v;
    std::string parse_error;
    try {  // picojson throws std::overflow_error on numbers like 1e999
        parse_error = picojson::parse(v, response.body);
    } catch (const std::overflow_error&) {
        parse_error = "number out of range";
    }
    if (!parse_error.empty() || !v.is<picojson::object>()) return err("answer is not a JSON object");
    const auto& obj = v.get<picojson::object>();
    auto code = obj.find("errcode");
    if (code == obj.end() || !code->second.is<int64_t>()) return err("answer has no errcode");
    if (code->second.get<int64_t>() == 0) return ok_status();
    std::string msg;
    if (auto m = obj.find("errmsg"); m != obj.end() && m->second.is<std::string>()) msg = m->second.get<std::string>();
    return err("errcode " + std::to_string(code->second.get<int64_t>()) + ": " + msg.substr(0, 200));
}

std::string redact_token(const std::string& token) {
    if (token.size() <= 6) return "***";
    // At most 6 characters, and never more than half: a short token stays
    // mostly hidden.
    return token.substr(0, std::min<size_t>(6, token.size() / 2)) + "***";
}

}  // namespace hc::notify
