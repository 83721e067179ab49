#pragma once
// Asynchronous XML-RPC calls to supervisord over its unix socket or HTTP.
// A call that changes something is its own connection (Connection: close);
// the read-only getAllProcessInfo keeps one (kept_), which a restarted
// supervisord closes: the call is then sent again on a new one.
#include <functional>
#include <memory>
#include <string>

#include "http/keep_alive.hpp"
#include "net/address.hpp"
#include "net/url.hpp"
#include "supervise/config.hpp"
#include "supervise/loop.hpp"
#include "supervise/worker.hpp"
#include "util/result.hpp"
#include "xmlrpc/supervisor.hpp"
#include "xmlrpc/xmlrpc.hpp"

namespace hc::supervise {

class SupervisorClient {
public:
    using Reply = std::function<void(Result<xmlrpc::Response>)>;

    // url: unix:///path/to.sock or http://host:port[/RPC2]
    static Result<SupervisorClient> create(const std::string& url, const std::string& user, const std::string& pass);
    // From the config's endpoint, parsed at load (nothing parsed here).
    static Result<SupervisorClient> create(const Result<SupervisordEndpoint>& endpoint, const std::string& user,
                                           const std::string& pass);

    // An http:// host name is looked up on `resolver`, never on the loop.
    // Over a new connection: a call that changes something (stop, start,
    // signal) is never sent twice.
    void call(EventLoop& loop, Worker& resolver, std::string body, long timeout_ms, Reply reply) const;
    // supervisor.getAllProcessInfo: every process in one call (process_table.hpp).
    void get_all_process_info(EventLoop& loop, Worker& resolver, long timeout_ms,
                              std::function<void(Result<std::vector<xmlrpc::ProcessInfo>>)> reply) const;
    const std::string& display() const { return display_; }

private:
    // read_only: the call may go over the kept connection (and be sent again
    // on a new one when supervisord closed it as the call arrived).
    void call(EventLoop& loop, Worker& resolver, std::string body, long timeout_ms, Reply reply, bool read_only) const;

    std::string display_;  // for logs: never holds credentials
    bool unix_ = false;
    net::Address unix_address_;
    net::Url url_;
    // The connection the read-only calls keep between ticks, as
    // supervisorctl's own transport does: supervisord then answers without an
    // accept and a new channel each time. Its answers may predate a SIGTERM
    // supervisord has not handled yet: the daemon confirms a failed probe
    // with a later look (Daemon::confirm_failure).
    std::shared_ptr<http::ConnectionSlot> kept_;
};

// "supervisord fault 70 NOT_RUNNING: ..." for logs.
std::string describe_fault(const xmlrpc::Fault& f);

}  // namespace hc::supervise
