#pragma once
// The container probe of grpc:// and grpcs:// targets: resolve, connect
// (TLS with ALPN "h2" for grpcs), then the grpc.health.v1 Check call
// (grpc/health) driven over the connection, all within one deadline.
#include <string>

#include "container/cli.hpp"
#include "net/url.hpp"
#include "util/deadline.hpp"

namespace hc::container {

struct GrpcOutcome {
    bool passed = false;  // SERVING
    std::string detail;   // for the output line and notices
};

GrpcOutcome probe_grpc(const Options& opt, const net::Url& url, Deadline deadline);

}  // namespace hc::container
