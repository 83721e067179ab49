#pragma once
// Delivery of failure/recovery notices (email, chat robots, webhook), one
// lane (bounded queue, thread, retry schedule) per target: a dead mail
// server or robot costs its own deadline, never a probe's, an action's or
// another target's time.
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "notify/robots.hpp"
#include "notify/wecom_app.hpp"
#include "supervise/config.hpp"
#include "supervise/delivery.hpp"
#include "supervise/log.hpp"

namespace hc::supervise {

struct NotifyEvent {
    std::string check, program, type;
    enum class Kind { Failed, Resolved, Reminder } kind = Kind::Failed;
    std::string action;   // what was done ("restart", "none", ...)
    std::string message;  // the probe's reason
    std::time_t when = 0;
};

// Exposed for tests: the original daemon's subject and body lines.
std::string mail_subject(const NotifyEvent& e);
std::string mail_body(const NotifyEvent& e);

class Notifier {
public:
    // Pending notices per target; beyond, the oldest is dropped (logged).
    static constexpr size_t kQueueCapacity = 100;
    // Lanes (threads) at most; targets beyond share them (a config with more
    // than this many robots is not expected).
    static constexpr size_t kMaxLanes = 32;

    Notifier(Logger& log, GlobalConfig config);
    // The robot targets are parsed here, once per load or reload, not per notice.
    void set_config(GlobalConfig config);
    // robots: every chat channel (action notify); wechat: config.wechat
    // only (action wechat).
    void send(const NotifyEvent& event, bool email, bool robots, bool wechat = false);
    size_t queued() const;
    void stop();
    // Every lane is asked to stop; false when one still runs a try after ms.
    bool stop_within(long ms);

private:
    void send_mail(const NotifyEvent& event);
    void send_robot(const notify::Target& target, const NotifyEvent& event);
    void send_wechat(const NotifyEvent& event);
    // The lane of one target ("mail", or the channel and the configured value).
    Lane& lane(const std::string& key, const std::string& who, const char* drop_event);

    Logger& log_;
    GlobalConfig config_;
    std::vector<notify::Target> robots_;  // config_'s dingtalk, wecom, feishu, webhook
    // config.wechat's application: its token outlives a reload that keeps
    // corpid, secret and agentid.
    notify::WecomApp wechat_app_;
    std::shared_ptr<notify::WecomTokenCache> wechat_token_;
    // One lane per target, each with its own thread and retry schedule: a
    // dead mail server or robot delays only its own notices. Used from the
    // loop thread only.
    std::map<std::string, std::unique_ptr<Lane>> lanes_;
    std::vector<Lane*> lane_order_;  // creation order, for sharing past kMaxLanes
};

}  // namespace hc::supervise
