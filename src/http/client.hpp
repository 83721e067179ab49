#pragma once
// Blocking HTTP/1.1 client for one-shot use (container mode, notifiers):
// resolve, connect, TLS, request, response and redirects, all within one
// deadline. fetch_all() runs several requests at once (notifications to
// many robots) so one dead endpoint costs its deadline only once.
#include <memory>
#include <string>
#include <vector>

#include "http/exchange.hpp"
#include "http/message.hpp"
#include "net/resolver.hpp"
#include "net/tls.hpp"
#include "util/deadline.hpp"
#include "util/result.hpp"

namespace hc::http {

std::string default_user_agent();

struct ClientOptions {
    int max_redirects = 5;
    ParserLimits limits;
    net::TlsOptions tls;  // verify off = Kubernetes probe semantics
    std::string user_agent = default_user_agent();
    net::ResolverConfig resolver;
};

class Client {
public:
    explicit Client(ClientOptions options) : options_(std::move(options)) {}

    // Follows up to max_redirects redirects (301, 302, 303, 307, 308).
    Result<Response> fetch(Request request, Deadline deadline);
    // No redirects; results in the order of the requests.
    std::vector<Result<Response>> fetch_all(const std::vector<Request>& requests, Deadline deadline);

private:
    Result<std::unique_ptr<Exchange>> start(const Request& request, Deadline deadline);
    Result<Response> fetch_once(const Request& request, Deadline deadline);
    Result<std::shared_ptr<net::TlsConfig>> tls_config();

    ClientOptions options_;
    std::shared_ptr<net::TlsConfig> tls_;
};

}  // namespace hc::http
