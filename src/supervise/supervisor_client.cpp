#include "supervise/supervisor_client.hpp"

#include <cctype>

#include "http/client.hpp"
#include "supervise/tasks.hpp"
#include "util/text.hpp"

namespace hc::supervise {

std::string describe_fault(const xmlrpc::Fault& f) {
    return "supervisord fault " + std::to_string(f.code) + " " + xmlrpc::fault_name(f.code) + ": " +
           f.message.substr(0, 200);
}

Result<SupervisorClient> SupervisorClient::create(const std::string& url, const std::string& user,
                                                  const std::string& pass) {
    return create(parse_supervisord_url(url), user, pass);
}

Result<SupervisorClient> SupervisorClient::create(const Result<SupervisordEndpoint>& endpoint, const std::string& user,
                                                  const std::string& pass) {
    if (!endpoint) return endpoint.failure();
    SupervisorClient c;
    c.unix_ = endpoint->unix_socket;
    c.unix_address_ = endpoint->unix_address;
    c.url_ = endpoint->url;
    c.display_ = endpoint->display;
    // supervisord asks for credentials only when both are configured.
    if (!user.empty() && !pass.empty()) c.url_.userinfo = user + ":" + pass;
    c.kept_ = std::make_shared<http::ConnectionSlot>(std::make_shared<http::IdleBudget>(1), std::chrono::seconds(60));
    return c;
}

namespace {

// One XML-RPC POST, over the kept connection when `kept` is set and holds
// one, else a new one; runs on the loop thread.
void post_call(EventLoop& loop, const net::Url& url, const std::string& where, std::vector<net::Address> addresses,
               std::string body, Deadline deadline, const SupervisorClient::Reply& reply,
               const std::shared_ptr<http::ConnectionSlot>& kept) {
    http::Request req;
    req.method = "POST";
    req.url = url;
    req.headers = {{"Content-Type", "text/xml"}};
    req.body = std::move(body);
    http::ExchangeOptions opts;
    opts.user_agent = http::default_user_agent();
    opts.limits.max_body_bytes = xmlrpc::kMaxResponseBytes;
    opts.keep_alive = kept != nullptr;
    std::optional<http::IdleConnection> idle;
    if (kept) idle = kept->take(addresses);
    auto ex = std::make_unique<http::Exchange>(req, std::move(addresses), opts, deadline, std::move(idle));
    loop.add(std::make_unique<ExchangeTask>(std::move(ex), [reply, where, kept](http::Exchange& done) {
        if (kept && done.state() == http::Exchange::State::Done && done.response().status == 200)
            if (auto c = done.take_connection()) kept->keep(std::move(*c));
        if (done.state() == http::Exchange::State::Failed) {
            reply(forward(done.failure(), "supervisord " + where + ": "));
            return;
        }
        auto& resp = done.response();
        if (resp.status == 401) {
            reply(err("supervisord " + where + ": 401 Unauthorized (check supervisordUser/supervisordPass)",
                      ErrorKind::Config));
            return;
        }
        if (resp.status != 200) {
            reply(err("supervisord " + where + ": HTTP " + std::to_string(resp.status), ErrorKind::Protocol));
            return;
        }
        if (resp.body_truncated) {
            reply(err("supervisord " + where + ": response too large", ErrorKind::Protocol));
            return;
        }
        auto parsed = xmlrpc::parse_response(resp.body);
        if (!parsed) {
            reply(err("supervisord " + where + ": " + parsed.error(), ErrorKind::Protocol));
            return;
        }
        reply(std::move(*parsed));
    }));
}

}  // namespace

void SupervisorClient::call(EventLoop& loop, Worker& resolver, std::string body, long timeout_ms, Reply reply) const {
    call(loop, resolver, std::move(body), timeout_ms, std::move(reply), false);
}

void SupervisorClient::call(EventLoop& loop, Worker& resolver, std::string body, long timeout_ms, Reply reply,
                            bool read_only) const {
    auto deadline = Deadline::after_ms(timeout_ms);
    auto kept = read_only ? kept_ : nullptr;
    if (unix_) return post_call(loop, url_, display_, {unix_address_}, std::move(body), deadline, reply, kept);
    // Copies: the continuation may outlive this client (SIGHUP replaces it).
    resolve_async(resolver, url_.host, url_.port, deadline,
                  [&loop, url = url_, where = display_, body = std::move(body), deadline, reply,
                   kept = std::move(kept)](Addresses&& a) mutable {
                      if (!a) return reply(forward(a, "supervisord " + where + ": "));
                      post_call(loop, url, where, std::move(*a), std::move(body), deadline, reply, kept);
                  });
}

void SupervisorClient::get_all_process_info(EventLoop& loop, Worker& resolver, long timeout_ms,
                                            std::function<void(Result<std::vector<xmlrpc::ProcessInfo>>)> reply) const {
    call(
        loop, resolver, xmlrpc::get_all_process_info_call(), timeout_ms,
        [reply](Result<xmlrpc::Response> r) {
            if (!r) return reply(r.failure());
            if (r->is_fault) return reply(err(describe_fault(r->fault)));
            auto all = xmlrpc::to_process_infos(r->value);
            if (!all) return reply(err("supervisord: " + all.error(), ErrorKind::Protocol));
            reply(std::move(*all));
        },
        true);
}

}  // namespace hc::supervise
