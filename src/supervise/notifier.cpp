#include "supervise/notifier.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <functional>

#include "http/client.hpp"
#include "notify/robots.hpp"
#include "smtp/smtp.hpp"
#include "supervise/wecom_app_job.hpp"
#include "util/text.hpp"

namespace hc::supervise {
namespace {

constexpr long kMailDeadlineMs = 30000;
constexpr long kRobotDeadlineMs = 10000;
constexpr int kTries = 3;
constexpr long kRateLimitWindowMs = 60000;

std::string host_name() {
    char buf[256] = {0};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "";
    return buf;
}

// First non-loopback IPv4 address: what the original put in its mails.
std::string host_ip() {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return "";
    std::string ip;
    for (auto* a = list; a && ip.empty(); a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || (a->ifa_flags & IFF_LOOPBACK)) continue;
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
        ip = buf;
    }
    ::freeifaddrs(list);
    return ip;
}

std::string platform() {
    utsname u{};
    if (::uname(&u) != 0) return "";
    return std::string(u.sysname) + "-" + u.release + "-" + u.machine;
}

const char* kind_word(NotifyEvent::Kind k) {
    switch (k) {
        case NotifyEvent::Kind::Failed: return "failed";
        case NotifyEvent::Kind::Resolved: return "successful";
        case NotifyEvent::Kind::Reminder: return "still failing";
    }
    return "failed";
}

}  // namespace

std::string mail_subject(const NotifyEvent& e) {
    // The subject is a header line: a control byte in a name must not reach it.
    return "[Supervisor] " + escape_control(e.program) + " Health check " + kind_word(e.kind);
}

// The body lines of the original daemon's mail, in its order.
std::string mail_body(const NotifyEvent& e) {
    return "DateTime: " + format_local_time(e.when) + "\nProgram: " + e.program + "\nIP: " + host_ip() +
           "\nHostname: " + host_name() + "\nPlatform: " + platform() + "\nAction: " + e.action +
           "\nMsg: " + e.message + "\nCheck: " + e.check + " (" + e.type + ")\n";
}

notify::Notice robot_notice(const NotifyEvent& e) {
    notify::Notice n;
    std::string state = e.kind == NotifyEvent::Kind::Resolved   ? "已恢复"
                        : e.kind == NotifyEvent::Kind::Reminder ? "仍未恢复"
                                                                : "健康检查失败";
    n.title = "[" + e.program + "]" + state;
    n.text = n.title + "\r\n\r\n检查: " + e.check + " (" + e.type + ")\r\n\r\n动作: " + e.action +
             "\r\n\r\n原因: " + e.message + "\r\n\r\n主机: " + host_name() +
             "\r\n\r\n时间: " + format_local_time(e.when);
    n.program = e.program;
    n.check = e.check;
    n.state = e.kind == NotifyEvent::Kind::Resolved   ? "resolved"
              : e.kind == NotifyEvent::Kind::Reminder ? "reminder"
                                                      : "failed";
    n.message = e.message;
    n.host = host_name();
    n.time = e.when;
    return n;
}

Notifier::Notifier(Logger& log, GlobalConfig config) : log_(log) { set_config(std::move(config)); }

void Notifier::set_config(GlobalConfig config) {
    config_ = std::move(config);
    robots_.clear();
    auto add = [this](notify::Channel c, const std::vector<std::string>& values) {
        for (const auto& v : values) robots_.push_back(notify::parse_target(c, v));
    };
    add(notify::Channel::DingTalk, config_.dingtalk);
    add(notify::Channel::WeCom, config_.wecom);
    add(notify::Channel::Feishu, config_.feishu);
    add(notify::Channel::Webhook, config_.webhook);
    const WechatConfig& w = config_.wechat;
    notify::WecomApp app{w.corpid, w.secret, w.agentid, w.touser, w.toparty, w.totag};
    if (!wechat_token_ || app.corpid != wechat_app_.corpid || app.secret != wechat_app_.secret ||
        app.agentid != wechat_app_.agentid)
        wechat_token_ = std::make_shared<notify::WecomTokenCache>();
    wechat_app_ = app;
}

Lane& Notifier::lane(const std::string& key, const std::string& who, const char* drop_event) {
    auto it = lanes_.find(key);
    if (it != lanes_.end()) return *it->second;
    if (lane_order_.size() >= kMaxLanes) return *lane_order_[std::hash<std::string>{}(key) % kMaxLanes];
    Logger* log = &log_;
    std::string event = drop_event;
    auto made = std::make_unique<Lane>(kQueueCapacity, [log, who, event](uint64_t newly, uint64_t total) {
        log->log(Level::Warn, "", "", event,
                 who + ": more than " + std::to_string(kQueueCapacity) + " notices pending; dropped the " +
                     std::to_string(newly) + " oldest (" + std::to_string(total) + " dropped in all)");
    });
    Lane& l = *made;
    lane_order_.push_back(&l);
    lanes_.emplace(key, std::move(made));
    return l;
}

size_t Notifier::queued() const {
    size_t n = 0;
    for (const auto& [key, l] : lanes_) n += l->pending();
    return n;
}

void Notifier::stop() { stop_within(-1); }

bool Notifier::stop_within(long ms) {
    for (auto* l : lane_order_) l->request_stop();
    auto deadline = ms < 0 ? std::chrono::steady_clock::time_point::max()
                           : std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    bool all = true;
    for (auto* l : lane_order_) all = l->join_until(deadline) && all;
    return all;
}

void Notifier::send(const NotifyEvent& event, bool email, bool robots, bool wechat) {
    const char* kind = event.kind == NotifyEvent::Kind::Resolved   ? "resolved"
                       : event.kind == NotifyEvent::Kind::Reminder ? "reminder"
                                                                   : "failed";
    if (email) {
        if (config_.mail.configured())
            send_mail(event);
        else
            log_.log(Level::Warn, event.check, event.program, "email_skipped",
                     std::string(kind) + ": no mail: section configured");
    }
    if (robots)
        for (const auto& target : robots_) send_robot(target, event);
    if (robots || wechat) send_wechat(event);
}

void Notifier::send_wechat(const NotifyEvent& event) {
    const WechatConfig& w = config_.wechat;
    if (!w.webhook.empty()) send_robot(notify::parse_target(notify::Channel::WeCom, w.webhook), event);
    if (!w.app()) return;
    std::string who = wecom_app_name(wechat_app_);
    lane("wechat-app " + w.corpid + " " + std::to_string(w.agentid), who, "notify_dropped")
        .post(make_wecom_app_job(&log_, wechat_app_, wechat_token_, robot_notice(event), event.check, event.program));
}

void Notifier::send_mail(const NotifyEvent& event) {
    const MailConfig& m = config_.mail;
    smtp::MailServer server{m.host, m.port, m.tls, m.user, m.pass, m.cafile, m.insecure, ""};
    server.allow_plain_auth = m.allow_plain_auth;
    smtp::Message msg{m.from.empty() ? m.user : m.from, m.to_list, mail_subject(event), mail_body(event)};
    // A refusal (a password without TLS, a bad address) is the same on every
    // try: logged once, not retried.
    if (auto st = smtp::validate(server, msg); !st) {
        log_.log(Level::Error, event.check, event.program, "email_failed", "not sent: " + st.error());
        return;
    }
    if (m.insecure)
        log_.log(Level::Warn, event.check, event.program, "email", "mail.insecure: certificate not verified");
    Logger* log = &log_;
    std::string who = "mail " + m.host + ":" + std::to_string(m.port);
    lane("mail", who, "email_dropped").post([server, msg, event, log, attempt = 0]() mutable -> TryResult {
        ++attempt;
        auto st = smtp::send_mail(server, msg, Deadline::after_ms(kMailDeadlineMs));
        if (st) {
            log->log(Level::Info, event.check, event.program, "email_sent",
                     msg.subject + " to " + std::to_string(msg.to.size()) + " recipient(s)");
            return TryResult::finished();
        }
        log->log(Level::Warn, event.check, event.program, "email_failed",
                 "try " + std::to_string(attempt) + "/" + std::to_string(kTries) + ": " + st.error());
        if (attempt < kTries) return TryResult::retry_after(2000L * attempt);
        return TryResult::finished();
    });
}

void Notifier::send_robot(const notify::Target& target, const NotifyEvent& event) {
    Logger* log = &log_;
    std::string who = notify::describe(target);
    notify::Notice notice = robot_notice(event);
    std::string key = std::string(notify::channel_name(target.channel)) + " " + target.id + " " + target.secret;
    auto job = [target, notice, event, log, who, attempt = 0, limited = false]() mutable -> TryResult {
        ++attempt;
        http::ClientOptions opts;
        opts.max_redirects = 0;
        opts.tls.verify = true;
        http::Client client(opts);
        auto req = notify::build_request(target, notice, unix_time_ms());
        if (!req) {
            log->log(Level::Error, event.check, event.program, "notify_failed", who + ": " + req.error());
            return TryResult::finished();
        }
        auto resp = client.fetch(*req, Deadline::after_ms(kRobotDeadlineMs));
        if (resp && notify::check_answer(target, *resp)) {
            log->log(Level::Info, event.check, event.program, "notify_sent", who);
            return TryResult::finished();
        }
        if (resp && notify::is_rate_limited(target, *resp)) {
            if (limited) {
                log->log(Level::Warn, event.check, event.program, "notify_failed",
                         who + ": still rate limited after the retry; notice dropped");
                return TryResult::finished();
            }
            log->log(Level::Warn, event.check, event.program, "notify_limited",
                     who + ": rate limited, one retry in 60 s");
            // This target's lane waits; the other targets go on. The retry
            // gets its own tries.
            limited = true;
            attempt = 0;
            return TryResult::retry_after(kRateLimitWindowMs);
        }
        std::string why = resp ? notify::check_answer(target, *resp).error() : resp.error();
        log->log(Level::Warn, event.check, event.program, "notify_failed",
                 who + ": try " + std::to_string(attempt) + "/" + std::to_string(kTries) + ": " + why);
        if (attempt < kTries) return TryResult::retry_after(1000L * attempt);
        return TryResult::finished();
    };
    lane(key, who, "notify_dropped").post(std::move(job));
}

}  // namespace hc::supervise
