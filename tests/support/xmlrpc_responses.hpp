#pragma once
// XML-RPC response bodies the way a server (supervisord) writes them, for
// tests and the xmlrpc fuzz target; the daemon itself only parses them, so
// this lives outside src/.
#include <string>

#include "xmlrpc/xmlrpc.hpp"

namespace hc::xmlrpc::test_server {

inline std::string build_response(const Value& value) {
    return "<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n" + value_xml(value) +
           "\n</param>\n</params>\n</methodResponse>\n";
}

inline std::string build_fault(int code, const std::string& message) {
    Value fault = Value::structure({{"faultCode", Value::integer(code)}, {"faultString", Value::string(message)}});
    return "<?xml version=\"1.0\"?>\n<methodResponse>\n<fault>\n" + value_xml(fault) +
           "\n</fault>\n</methodResponse>\n";
}

}  // namespace hc::xmlrpc::test_server
