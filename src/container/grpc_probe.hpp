#pragma once
// The container probe of grpc:// and grpcs:// targets: resolve, connect
// (TLS with ALPN "h2" for grpcs), then the grpc.health.v1 Check call
// (grpc/health) driven over the connection, all within one deadline.
#include <string>

#include "container/cli.hpp"
#include "container/grpc_target.hpp"  // is_grpc_url
#include "util/deadline.hpp"

namespace hc::container {

struct GrpcOutcome {
    bool passed = false;  // SERVING
    std::string detail;   // for the output line and notices
};

// opt.url is a grpc:// or grpcs:// URL (is_grpc_url).
GrpcOutcome probe_grpc(const Options& opt, Deadline deadline);

}  // namespace hc::container
