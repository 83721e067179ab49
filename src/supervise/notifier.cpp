#include "supervise/notifier.hpp"

namespace hc::supervise {

Notifier::Notifier(EventLoop& loop, Logger& log, GlobalConfig config)
    : log_(log), config_(std::move(config)), worker_(loop) {}

void Notifier::send(const NotifyEvent& event, bool email, bool robots) {
    const char* kind = event.kind == NotifyEvent::Kind::Resolved ? "resolved"
                     : event.kind == NotifyEvent::Kind::Reminder ? "reminder" : "failed";
    if (email && !config_.mail.configured())
        log_.log(Level::Warn, event.check, event.program, "email_skipped", std::string(kind) + ": no mail: section configured");
    (void)robots;
}

}  // namespace hc::supervise
