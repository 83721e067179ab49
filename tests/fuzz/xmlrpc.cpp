// XML-RPC response parser (src/xmlrpc/xmlrpc) and the supervisord view on
// top of it (to_process_info). Invariants: a parsed value survives
// build_response -> parse_response unchanged (faults via build_fault), and
// the typed conversions never throw or crash on whatever shape came back.
#include <cmath>

#include "../support/xmlrpc_responses.hpp"
#include "fuzz_common.hpp"
#include "xmlrpc/supervisor.hpp"
#include "xmlrpc/xmlrpc.hpp"

namespace fuzz_xmlrpc {

using hc::xmlrpc::Value;

// Value equality where NaN equals NaN (operator== follows IEEE).
inline bool same(const Value& a, const Value& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case Value::Kind::Double: return (std::isnan(a.d) && std::isnan(b.d)) || a.d == b.d;
        case Value::Kind::Array:
            if (a.array.size() != b.array.size()) return false;
            for (size_t i = 0; i < a.array.size(); ++i)
                if (!same(a.array[i], b.array[i])) return false;
            return true;
        case Value::Kind::Struct:
            if (a.members.size() != b.members.size()) return false;
            for (size_t i = 0; i < a.members.size(); ++i)
                if (a.members[i].name != b.members[i].name || !same(a.members[i].value, b.members[i].value))
                    return false;
            return true;
        default: return a == b;
    }
}

inline void views(const Value& v) {
    auto info = hc::xmlrpc::to_process_info(v);
    if (info) {
        (void)info->full_name();
        (void)hc::xmlrpc::state_name(info->state);
    }
    auto infos = hc::xmlrpc::to_process_infos(v);
    if (infos)
        for (const auto& i : *infos) (void)i.full_name();
    (void)v.as_bool();
    (void)v.as_int();
    (void)v.as_double();
    (void)v.get("name");
    (void)hc::xmlrpc::kind_name(v.kind);
}

}  // namespace fuzz_xmlrpc

HC_FUZZ_TARGET(xmlrpc) {
    using namespace fuzz_xmlrpc;
    std::string_view xml(reinterpret_cast<const char*>(data), size);
    auto r = hc::xmlrpc::parse_response(xml);
    if (!r) {
        FUZZ_CHECK(r.error().rfind("xml-rpc: ", 0) == 0);
        return 0;
    }
    if (r->is_fault) {
        (void)hc::xmlrpc::fault_name(r->fault.code);
        auto again = hc::xmlrpc::parse_response(hc::xmlrpc::test_server::build_fault(r->fault.code, r->fault.message));
        FUZZ_CHECK(again.ok() && again->is_fault);
        if (again) {
            FUZZ_CHECK(again->fault.code == r->fault.code);
            FUZZ_CHECK(again->fault.message == r->fault.message);
        }
        return 0;
    }
    views(r->value);
    auto again = hc::xmlrpc::parse_response(hc::xmlrpc::test_server::build_response(r->value));
    FUZZ_CHECK(again.ok() && !again->is_fault);
    if (again) FUZZ_CHECK(same(again->value, r->value));
    // A request carrying the value must be well-formed too (no crash).
    (void)hc::xmlrpc::build_call("supervisor.getProcessInfo", {r->value});
    return 0;
}
