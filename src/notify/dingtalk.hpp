#pragma once
// DingTalk custom robots: markdown messages, optional signing, and the
// errcode check of the answer (HTTP 200 with errcode != 0 is a failure).
#include <cstdint>
#include <string>

#include "http/message.hpp"
#include "util/result.hpp"

namespace hc::notify {

constexpr const char* kDingTalkDefaultUrl = "https://oapi.dingtalk.com/robot/send";

struct DingTalkRobot {
    std::string token;
    std::string secret;  // empty: unsigned robot
};

// "TOKEN" or "TOKEN:SECRET" (signed robot).
DingTalkRobot parse_dingtalk_robot(const std::string& arg);

std::string dingtalk_markdown(const std::string& title, const std::string& text);

// <base>?access_token=TOKEN[&timestamp=MS&sign=SIGN] (the robot's POST URL).
std::string dingtalk_url(const std::string& base_url, const DingTalkRobot& robot, int64_t now_ms);

// The signature DingTalk expects: base64(HMAC-SHA256(secret, ms "\n" secret)).
std::string dingtalk_sign(const std::string& secret, int64_t now_ms);

// ok, or an error like "errcode 310000: sign not match".
Status check_dingtalk_answer(const http::Response& response);

// The token for logs and output: "***" up to 6 characters, else its first
// characters (6 at most, never more than half of it) and "***". The one
// token mask of both modes (robot URLs use it for token-like path segments).
std::string redact_token(const std::string& token);

}  // namespace hc::notify
