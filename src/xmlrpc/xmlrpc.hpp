#pragma once
// XML-RPC encoding and decoding, sans I/O: the caller moves the bytes (HTTP
// over a unix socket or TCP) and hands the body to parse_response.
//
// The parser is hand-rolled for the subset real servers (Python's
// xmlrpc.client.dumps, hence supervisord) emit. It never trusts its input:
// nesting and value counts are bounded, every error names an offset. The
// caller must cap the body it reads (kMaxResponseBytes is a sane cap: a
// getAllProcessInfo answer is ~1.5 KB per program); parse_response also
// refuses anything bigger, so a forgotten cap costs memory, not safety.
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"
#include "xmlrpc/value.hpp"

namespace hc::xmlrpc {

constexpr size_t kMaxResponseBytes = 8u << 20;
constexpr int kMaxDepth = 32;          // nested <value>s, arrays and structs
constexpr size_t kMaxValues = 100000;  // <value>s in one document

struct Fault {
    int code = 0;
    std::string message;
};

// Either a single returned value or a fault.
struct Response {
    bool is_fault = false;
    Value value;  // meaningful when !is_fault
    Fault fault;  // meaningful when is_fault
};

// A complete request body: <?xml ...?><methodCall>...</methodCall>.
std::string build_call(const std::string& method, const std::vector<Value>& params);

// One <value>...</value> element, as build_call() writes each parameter.
std::string value_xml(const Value& value);

// Escapes & < > " ' for element text.
std::string escape(std::string_view text);

// Accepts: an optional prolog and comments/processing instructions
// anywhere between tags, whitespace between elements, <value>text</value>
// as a string, <string> <int> <i4> <i8> <boolean> <double> <nil/>
// <array><data> <struct><member><name><value>, <dateTime.iso8601> (kept
// as a string) and the five named entities plus &#NN; / &#xNN;. Rejects
// CDATA, DOCTYPE, <base64>, unknown tags, text where elements belong,
// anything after </methodResponse>, and a response that does not hold
// exactly one <param>.
Result<Response> parse_response(std::string_view xml);

}  // namespace hc::xmlrpc
