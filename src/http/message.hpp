#pragma once
// HTTP/1.1 request and response values.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/url.hpp"

namespace hc::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; nullptr when absent.
const std::string* find_header(const Headers& headers, std::string_view name);
bool iequals(std::string_view a, std::string_view b);

struct Request {
    std::string method = "GET";
    net::Url url;
    Headers headers;  // extra headers; they replace defaults with the same name
    std::string body;
};

struct Response {
    int status = 0;
    std::string reason;
    Headers headers;
    std::string body;
    bool body_truncated = false;  // body longer than the cap; only the start kept
    std::string final_url;        // after redirects, without credentials
    int redirects = 0;

    const std::string* header(std::string_view name) const { return find_header(headers, name); }
};

// RFC 9110 field names are tokens; values may hold any byte but a control
// byte (HTAB aside): CR/LF would split the header block.
bool valid_header_name(std::string_view name);
bool valid_header_value(std::string_view value);

// Serialises a request: Host, User-Agent, Accept, Connection: close (left
// out when keep_alive: HTTP/1.1 keeps the connection by default),
// Authorization (Basic, from URL userinfo), Content-Length when a body is set.
// A request that would inject lines (a header name that is not a token, a
// control byte in a value, the method or the target) is refused, not sent:
// the error names the header, never its value (it may be a secret).
Result<std::string> serialize_request(const Request& request, const std::string& user_agent, bool keep_alive = false);

}  // namespace hc::http
