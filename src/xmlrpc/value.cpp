#include "xmlrpc/value.hpp"

namespace hc::xmlrpc {

Value Value::nil() { return Value{}; }

Value Value::boolean(bool v) {
    Value x;
    x.kind = Kind::Bool;
    x.b = v;
    return x;
}

Value Value::integer(int64_t v) {
    Value x;
    x.kind = Kind::Int;
    x.i = v;
    return x;
}

Value Value::real(double v) {
    Value x;
    x.kind = Kind::Double;
    x.d = v;
    return x;
}

Value Value::string(std::string v) {
    Value x;
    x.kind = Kind::String;
    x.s = std::move(v);
    return x;
}

Value Value::list(std::vector<Value> items) {
    Value x;
    x.kind = Kind::Array;
    x.array = std::move(items);
    return x;
}

Value Value::structure(std::vector<Member> items) {
    Value x;
    x.kind = Kind::Struct;
    x.members = std::move(items);
    return x;
}

std::optional<bool> Value::as_bool() const {
    if (kind != Kind::Bool) return std::nullopt;
    return b;
}

std::optional<int64_t> Value::as_int() const {
    if (kind != Kind::Int) return std::nullopt;
    return i;
}

std::optional<double> Value::as_double() const {
    if (kind == Kind::Double) return d;
    if (kind == Kind::Int) return static_cast<double>(i);
    return std::nullopt;
}

const std::string* Value::as_string() const { return kind == Kind::String ? &s : nullptr; }

const std::vector<Value>* Value::as_array() const { return kind == Kind::Array ? &array : nullptr; }

const Value* Value::get(std::string_view name) const {
    if (kind != Kind::Struct) return nullptr;
    for (const Member& m : members) {
        if (m.name == name) return &m.value;
    }
    return nullptr;
}

bool operator==(const Value& a, const Value& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case Value::Kind::Nil: return true;
        case Value::Kind::Bool: return a.b == b.b;
        case Value::Kind::Int: return a.i == b.i;
        case Value::Kind::Double: return a.d == b.d;
        case Value::Kind::String: return a.s == b.s;
        case Value::Kind::Array: return a.array == b.array;
        case Value::Kind::Struct:
            if (a.members.size() != b.members.size()) return false;
            for (size_t k = 0; k < a.members.size(); ++k) {
                if (a.members[k].name != b.members[k].name) return false;
                if (a.members[k].value != b.members[k].value) return false;
            }
            return true;
    }
    return false;
}

const char* kind_name(Value::Kind k) {
    switch (k) {
        case Value::Kind::Nil: return "nil";
        case Value::Kind::Bool: return "boolean";
        case Value::Kind::Int: return "int";
        case Value::Kind::Double: return "double";
        case Value::Kind::String: return "string";
        case Value::Kind::Array: return "array";
        case Value::Kind::Struct: return "struct";
    }
    return "?";
}

}  // namespace hc::xmlrpc
