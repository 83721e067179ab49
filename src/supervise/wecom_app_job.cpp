#include "supervise/wecom_app_job.hpp"

#include "http/client.hpp"
#include "net/url.hpp"
#include "util/text.hpp"

namespace hc::supervise {
namespace {

constexpr long kDeadlineMs = 10000;
constexpr int kTries = 3;

// A transport error could quote the request URL: the secret and the token
// go, as they are and percent-encoded (as the URL carries them).
std::string clean(std::string text, const std::string& secret, const std::string& token) {
    for (const std::string& s : {secret, net::percent_encode(secret), token, net::percent_encode(token)}) {
        if (s.empty()) continue;
        for (size_t p; (p = text.find(s)) != std::string::npos;) text.replace(p, s.size(), "***");
    }
    return text;
}

}  // namespace

std::string wecom_app_name(const notify::WecomApp& app) {
    return "wechat app corpid " + printable(app.corpid, 64) + " agentid " + std::to_string(app.agentid);
}

DeliveryJob make_wecom_app_job(Logger* log, notify::WecomApp app, std::shared_ptr<notify::WecomTokenCache> cache,
                               notify::Notice notice, const std::string& check, const std::string& program) {
    const std::string who = wecom_app_name(app);
    return [=, attempt = 0]() mutable -> TryResult {
        ++attempt;
        http::ClientOptions opts;
        opts.max_redirects = 0;
        opts.tls.verify = true;
        http::Client client(opts);
        const std::string base = notify::wecom_app_base();
        std::string token;
        auto failed = [&](const std::string& why) {
            log->log(Level::Warn, check, program, "notify_failed",
                     who + ": try " + std::to_string(attempt) + "/" + std::to_string(kTries) + ": " +
                         clean(why, app.secret, token));
            return attempt < kTries ? TryResult::retry_after(1000L * attempt) : TryResult::finished();
        };
        // Round 2 only after the server rejected a cached token.
        for (int round = 1; round <= 2; ++round) {
            token = cache->get(notify::WecomTokenCache::Clock::now());
            if (token.empty()) {
                auto req = notify::wecom_token_request(base, app);
                if (!req) {
                    log->log(Level::Error, check, program, "notify_failed", who + ": " + req.error());
                    return TryResult::finished();
                }
                auto resp = client.fetch(*req, Deadline::after_ms(kDeadlineMs));
                if (!resp) return failed("gettoken: " + resp.error());
                auto tok = notify::parse_wecom_token(*resp);
                if (!tok) return failed(tok.error());
                cache->put(*tok, notify::WecomTokenCache::Clock::now());
                token = tok->token;
            }
            auto req = notify::wecom_send_request(base, app, token, notice);
            if (!req) return failed(req.error());
            auto resp = client.fetch(*req, Deadline::after_ms(kDeadlineMs));
            if (!resp) return failed("message/send: " + resp.error());
            std::string why;
            switch (notify::judge_wecom_send(*resp, why)) {
                case notify::WecomVerdict::Sent:
                    log->log(Level::Info, check, program, "notify_sent", who);
                    return TryResult::finished();
                case notify::WecomVerdict::TokenRejected:
                    cache->drop();
                    if (round == 1) {
                        log->log(Level::Info, check, program, "notify_token",
                                 who + ": access_token rejected (" + why + "); fetching a new one");
                        continue;
                    }
                    return failed("message/send: " + why);
                case notify::WecomVerdict::RateLimited:
                case notify::WecomVerdict::Failed: return failed("message/send: " + why);
            }
        }
        return TryResult::finished();
    };
}

}  // namespace hc::supervise
