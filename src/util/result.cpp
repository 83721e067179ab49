#include "util/result.hpp"

#include <cerrno>

namespace hc {

const char* to_string(ErrorKind k) {
    switch (k) {
        case ErrorKind::Other: return "other";
        case ErrorKind::Connect: return "connect";
        case ErrorKind::Timeout: return "timeout";
        case ErrorKind::Resolve: return "resolve";
        case ErrorKind::Tls: return "tls";
        case ErrorKind::Protocol: return "protocol";
        case ErrorKind::LocalResource: return "local resource";
        case ErrorKind::Config: return "config";
    }
    return "other";
}

ErrorKind errno_kind(int e, ErrorKind otherwise) {
    switch (e) {
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM: return ErrorKind::LocalResource;
        case ETIMEDOUT: return otherwise == ErrorKind::Connect ? ErrorKind::Connect : ErrorKind::Timeout;
        default: return otherwise;
    }
}

}  // namespace hc
