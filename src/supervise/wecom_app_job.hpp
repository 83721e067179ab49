#pragma once
// One notice to a WeCom application (config.wechat), as a delivery job for
// its lane (delivery.hpp): the cached access_token or a new one from
// gettoken, then message/send; a token the server rejects (40014, 42001)
// is fetched again once within the same try. The secret and the token
// never reach a log line.
#include <memory>
#include <string>

#include "notify/robots.hpp"
#include "notify/wecom_app.hpp"
#include "supervise/delivery.hpp"
#include "supervise/log.hpp"

namespace hc::supervise {

// "wechat app corpid ww12 agentid 1000002": how logs name the target.
std::string wecom_app_name(const notify::WecomApp& app);

DeliveryJob make_wecom_app_job(Logger* log, notify::WecomApp app, std::shared_ptr<notify::WecomTokenCache> cache,
                               notify::Notice notice, const std::string& check, const std::string& program);

}  // namespace hc::supervise
