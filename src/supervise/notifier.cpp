#include "supervise/notifier.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/utsname.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <thread>

#include "http/client.hpp"
#include "notify/robots.hpp"
#include "smtp/smtp.hpp"
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
    return "[Supervisor] " + e.program + " Health check " + kind_word(e.kind);
}

// The body lines of the original daemon's mail, in its order.
std::string mail_body(const NotifyEvent& e) {
    return "DateTime: " + format_local_time(e.when) + "\nProgram: " + e.program + "\nIP: " + host_ip() +
           "\nHostname: " + host_name() + "\nPlatform: " + platform() + "\nAction: " + e.action +
           "\nMsg: " + e.message + "\nCheck: " + e.check + " (" + e.type + ")\n";
}

notify::Notice robot_notice(const NotifyEvent& e) {
    notify::Notice n;
    std::string state = e.kind == NotifyEvent::Kind::Resolved ? "已恢复" : e.kind == NotifyEvent::Kind::Reminder ? "仍未恢复" : "健康检查失败";
    n.title = "[" + e.program + "]" + state;
    n.text = n.title + "\r\n\r\n检查: " + e.check + " (" + e.type + ")\r\n\r\n动作: " + e.action + "\r\n\r\n原因: " +
             e.message + "\r\n\r\n主机: " + host_name() + "\r\n\r\n时间: " + format_local_time(e.when);
    n.program = e.program;
    n.check = e.check;
    n.state = e.kind == NotifyEvent::Kind::Resolved ? "resolved" : e.kind == NotifyEvent::Kind::Reminder ? "reminder" : "failed";
    n.message = e.message;
    n.host = host_name();
    n.time = e.when;
    return n;
}

Notifier::Notifier(EventLoop& loop, Logger& log, GlobalConfig config)
    : loop_(loop), log_(log), config_(std::move(config)), mail_worker_(loop), robot_worker_(loop) {}

void Notifier::send(const NotifyEvent& event, bool email, bool robots) {
    const char* kind = event.kind == NotifyEvent::Kind::Resolved ? "resolved"
                     : event.kind == NotifyEvent::Kind::Reminder ? "reminder" : "failed";
    if (email) {
        if (config_.mail.configured()) send_mail(event);
        else log_.log(Level::Warn, event.check, event.program, "email_skipped", std::string(kind) + ": no mail: section configured");
    }
    if (robots) {
        auto add = [&](notify::Channel c, const std::vector<std::string>& values) {
            for (const auto& v : values) send_robot(notify::parse_target(c, v), robot_notice(event), event, 0);
        };
        add(notify::Channel::DingTalk, config_.dingtalk);
        add(notify::Channel::WeCom, config_.wecom);
        add(notify::Channel::Feishu, config_.feishu);
        add(notify::Channel::Webhook, config_.webhook);
    }
}

void Notifier::send_mail(const NotifyEvent& event) {
    const MailConfig& m = config_.mail;
    smtp::MailServer server{m.host, m.port, m.tls, m.user, m.pass, m.cafile, m.insecure, ""};
    smtp::Message msg{m.from.empty() ? m.user : m.from, m.to_list, mail_subject(event), mail_body(event)};
    if (m.insecure) log_.log(Level::Warn, event.check, event.program, "email", "mail.insecure: certificate not verified");
    Logger* log = &log_;
    mail_worker_.post([server, msg, event, log]() -> Worker::Continuation {
        std::string last;
        for (int attempt = 1; attempt <= kTries; ++attempt) {
            auto st = smtp::send_mail(server, msg, Deadline::after_ms(kMailDeadlineMs));
            if (st) {
                log->log(Level::Info, event.check, event.program, "email_sent", msg.subject + " to " + std::to_string(msg.to.size()) + " recipient(s)");
                return nullptr;
            }
            last = st.error();
            log->log(Level::Warn, event.check, event.program, "email_failed",
                     "try " + std::to_string(attempt) + "/" + std::to_string(kTries) + ": " + last);
            if (attempt < kTries) std::this_thread::sleep_for(std::chrono::seconds(2 * attempt));
        }
        return nullptr;
    });
}

void Notifier::send_robot(const notify::Target& target, const notify::Notice& notice, const NotifyEvent& event,
                          int round) {
    Logger* log = &log_;
    EventLoop* loop = &loop_;
    robot_worker_.post([this, target, notice, event, round, log, loop]() -> Worker::Continuation {
        http::ClientOptions opts;
        opts.max_redirects = 0;
        opts.tls.verify = true;
        http::Client client(opts);
        std::string who = notify::describe(target);
        for (int attempt = 1; attempt <= kTries; ++attempt) {
            auto req = notify::build_request(target, notice, unix_time_ms());
            if (!req) {
                log->log(Level::Error, event.check, event.program, "notify_failed", who + ": " + req.error());
                return nullptr;
            }
            auto resp = client.fetch(*req, Deadline::after_ms(kRobotDeadlineMs));
            if (resp && notify::check_answer(target, *resp)) {
                log->log(Level::Info, event.check, event.program, "notify_sent", who);
                return nullptr;
            }
            if (resp && notify::is_rate_limited(target, *resp)) {
                if (round > 0) {
                    log->log(Level::Warn, event.check, event.program, "notify_failed",
                             who + ": still rate limited after the retry; notice dropped");
                    return nullptr;
                }
                log->log(Level::Warn, event.check, event.program, "notify_limited", who + ": rate limited, one retry in 60 s");
                // Wait on the loop, not on this thread, so other notices go on.
                return [this, target, notice, event, loop] {
                    loop->after_ms(kRateLimitWindowMs, [this, target, notice, event] { send_robot(target, notice, event, 1); });
                };
            }
            std::string why = resp ? notify::check_answer(target, *resp).error() : resp.error();
            log->log(Level::Warn, event.check, event.program, "notify_failed",
                     who + ": try " + std::to_string(attempt) + "/" + std::to_string(kTries) + ": " + why);
            if (attempt < kTries) std::this_thread::sleep_for(std::chrono::seconds(attempt));
        }
        return nullptr;
    });
}

}  // namespace hc::supervise
