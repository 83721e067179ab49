#pragma once
// Delivery of failure/recovery notices (email, chat robots, webhook) on a
// worker thread: a dead mail server or robot costs its own deadline, never
// a probe's or an action's time.
#include <ctime>
#include <string>

#include "notify/robots.hpp"
#include "supervise/config.hpp"
#include "supervise/log.hpp"
#include "supervise/worker.hpp"

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
    Notifier(EventLoop& loop, Logger& log, GlobalConfig config);
    void set_config(GlobalConfig config) { config_ = std::move(config); }
    void send(const NotifyEvent& event, bool email, bool robots);
    size_t queued() const { return mail_worker_.queued() + robot_worker_.queued(); }
    void stop() {
        mail_worker_.stop();
        robot_worker_.stop();
    }
    // Both workers are asked to stop (no short-circuit), each within ms.
    bool stop_within(long ms) {
        bool mail = mail_worker_.stop_within(ms);
        bool robots = robot_worker_.stop_within(ms);
        return mail && robots;
    }

private:
    void send_mail(const NotifyEvent& event);
    void send_robot(const notify::Target& target, const notify::Notice& notice, const NotifyEvent& event, int round);

    EventLoop& loop_;
    Logger& log_;
    GlobalConfig config_;
    // Separate threads: a dead mail server must not delay the robots.
    Worker mail_worker_;
    Worker robot_worker_;
};

}  // namespace hc::supervise
