#include "container/grpc_target.hpp"

#include "grpc/health.hpp"
#include "util/text.hpp"

namespace hc::container {

bool is_grpc_url(std::string_view text) {
    auto sep = text.find("://");
    if (sep == std::string_view::npos) return false;
    std::string scheme = to_lower(text.substr(0, sep));
    return scheme == "grpc" || scheme == "grpcs";
}

Result<net::Url> parse_grpc_url(std::string_view text) {
    if (!is_grpc_url(text)) return err("not a grpc:// or grpcs:// URL", ErrorKind::Config);
    auto sep = text.find("://");
    bool tls = sep == 5;
    std::string as_http = std::string(tls ? "https" : "http") + std::string(text.substr(sep));
    auto url = net::parse_url(as_http);
    if (!url) return url.failure();
    if (!url->userinfo.empty()) return err("grpc:// URLs take no user:password", ErrorKind::Config);
    if (url->target.find('?') != std::string::npos || as_http.find('#') != std::string::npos)
        return err("grpc:// URLs take no query or fragment: the path is the service name", ErrorKind::Config);
    url->scheme = tls ? "grpcs" : "grpc";
    std::string service = grpc_service(*url);
    if (service.size() > grpc::kMaxServiceName)
        return err("gRPC service name longer than " + std::to_string(grpc::kMaxServiceName) + " bytes",
                   ErrorKind::Config);
    if (has_control(service)) return err("gRPC service name holds control bytes", ErrorKind::Config);
    return url;
}

std::string grpc_service(const net::Url& url) { return net::percent_decode(url.target.substr(1)); }

Status check_grpc_options(const Options& opt, const net::Url& url) {
    if (url.scheme != "grpc" && url.scheme != "grpcs") return ok_status();
    if (!opt.match.empty()) return err("-m/--match needs an HTTP target: a gRPC health check has no body");
    if (!opt.report_url.empty()) return err("-r/--report needs an HTTP target: a gRPC health check has no body");
    return ok_status();
}

}  // namespace hc::container
