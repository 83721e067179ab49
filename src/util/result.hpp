#pragma once
// A value or an error. Errors are plain sentences meant for an operator's
// log ("connect 127.0.0.1:80: Connection refused") plus a kind, set where
// the error happens, for the decisions callers make (try the next address,
// count a probe failure or only report it). Decide on kind(), never on the
// wording of the message.
#include <cstring>
#include <optional>
#include <string>
#include <utility>

namespace hc {

enum class ErrorKind {
    Other,          // the default: nothing decides on it
    Connect,        // a TCP connect to one address failed (refused, unreachable...)
    Timeout,        // a deadline passed
    Resolve,        // a host name did not resolve
    Tls,            // TLS set-up or handshake failed (the server's answer)
    Protocol,       // the peer's bytes broke the protocol (HTTP, XML-RPC, SMTP)
    LocalResource,  // our own shortage (EMFILE, ENFILE, ENOBUFS, ENOMEM), not the peer's fault
    Config,         // a setting is unusable
};

const char* to_string(ErrorKind k);

// The OS wording of an errno ("Connection refused"): the one formatter,
// so the same error reads the same in every module.
inline std::string errno_text(int e) { return std::strerror(e); }

// The kind an errno implies: a local shortage whatever the call was,
// a timeout, or `otherwise` (what the failing call was about).
ErrorKind errno_kind(int e, ErrorKind otherwise);

struct Error {
    std::string message;
    ErrorKind kind = ErrorKind::Other;
};

inline Error err(std::string message, ErrorKind kind = ErrorKind::Other) { return Error{std::move(message), kind}; }

// "<what>: <strerror>" with the kind errno_kind() gives.
inline Error sys_err(const std::string& what, int e, ErrorKind otherwise) {
    return err(what + ": " + errno_text(e), errno_kind(e, otherwise));
}

template <class T>
class Result {
public:
    Result(T value) : value_(std::move(value)) {}
    Result(Error e) : error_(std::move(e.message)), kind_(e.kind) {}

    bool ok() const { return value_.has_value(); }
    explicit operator bool() const { return ok(); }
    T& value() { return *value_; }
    const T& value() const { return *value_; }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    T& operator*() { return *value_; }
    const T& operator*() const { return *value_; }
    const std::string& error() const { return error_; }
    ErrorKind kind() const { return kind_; }
    // The error as it is, to return from a function of another type.
    Error failure() const { return Error{error_, kind_}; }
    // The error with context in front ("supervisord x: " + error), same kind.
    Error wrap(const std::string& prefix) const { return Error{prefix + error_, kind_}; }

private:
    std::optional<T> value_;
    std::string error_;
    ErrorKind kind_ = ErrorKind::Other;
};

// Forwards an error with context, keeping its kind:
// `return forward(r, "supervisord " + where + ": ");`
template <class T>
Error forward(const Result<T>& r, const std::string& prefix = {}) {
    return r.wrap(prefix);
}

inline Error forward(Error e, const std::string& prefix) {
    e.message = prefix + e.message;
    return e;
}

// For operations that return nothing but can fail.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Status(Unit{}); }

}  // namespace hc
