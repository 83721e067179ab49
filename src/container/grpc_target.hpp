#pragma once
// grpc://host:port[/service] and grpcs:// targets of container mode, read
// into a net::Url (scheme "grpc"/"grpcs", target "/service") so the
// command line handles them like any other probe URL. Kept apart from the
// probe (grpc_probe) so the argv fuzz target links only URL code.
#include <string>
#include <string_view>

#include "container/cli.hpp"
#include "net/url.hpp"
#include "util/result.hpp"

namespace hc::container {

// True for grpc:// and grpcs:// (any case).
bool is_grpc_url(std::string_view text);

// host and port as for http(s) (default ports 80 and 443), the path is the
// service name ("" = the whole server), percent-decoded when checked. No
// userinfo, query or fragment. Errors never quote the text.
Result<net::Url> parse_grpc_url(std::string_view text);

// The health service name: the URL path without its leading '/'.
std::string grpc_service(const net::Url& url);

// Usage errors for options a gRPC target can not honour (-m, -r).
Status check_grpc_options(const Options& opt, const net::Url& url);

}  // namespace hc::container
