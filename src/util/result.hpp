#pragma once
// A value or an error message. Errors are plain sentences meant for an
// operator's log ("connect 127.0.0.1:80: connection refused").
#include <optional>
#include <string>
#include <utility>

namespace hc {

struct Error {
    std::string message;
};

inline Error err(std::string message) { return Error{std::move(message)}; }

template <class T>
class Result {
public:
    Result(T value) : value_(std::move(value)) {}
    Result(Error e) : error_(std::move(e.message)) {}

    bool ok() const { return value_.has_value(); }
    explicit operator bool() const { return ok(); }
    T& value() { return *value_; }
    const T& value() const { return *value_; }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    T& operator*() { return *value_; }
    const T& operator*() const { return *value_; }
    const std::string& error() const { return error_; }

private:
    std::optional<T> value_;
    std::string error_;
};

// For operations that return nothing but can fail.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Status(Unit{}); }

}  // namespace hc
