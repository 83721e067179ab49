#pragma once
// An XML-RPC value. Structs keep their members in wire order (a vector, not
// a map) because supervisord's order is stable and lookups are over a dozen
// keys at most; it also keeps output deterministic for tests.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hc::xmlrpc {

struct Member;

struct Value {
    enum class Kind { Nil, Bool, Int, Double, String, Array, Struct };

    Kind kind = Kind::Nil;
    bool b = false;
    int64_t i = 0;
    double d = 0.0;
    std::string s;
    std::vector<Value> array;
    std::vector<Member> members;

    static Value nil();
    static Value boolean(bool v);
    static Value integer(int64_t v);
    static Value real(double v);
    static Value string(std::string v);
    static Value list(std::vector<Value> items);
    static Value structure(std::vector<Member> items);

    bool is(Kind k) const { return kind == k; }
    std::optional<bool> as_bool() const;
    std::optional<int64_t> as_int() const;
    // Int values widen to double; nothing else converts.
    std::optional<double> as_double() const;
    const std::string* as_string() const;
    const std::vector<Value>* as_array() const;
    // First member with this name, or nullptr (also when not a struct).
    const Value* get(std::string_view name) const;
};

struct Member {
    std::string name;
    Value value;
};

bool operator==(const Value& a, const Value& b);
inline bool operator!=(const Value& a, const Value& b) { return !(a == b); }

const char* kind_name(Value::Kind k);

}  // namespace hc::xmlrpc
