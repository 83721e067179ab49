#pragma once
// Report mode: the probed service's JSON object, merged with our fields,
// POSTed to a collector.
#include <optional>
#include <string>

#include "http/message.hpp"
#include "util/result.hpp"

namespace hc::container {

struct ReportFields {
    int status;
    std::string name;
    std::string ua;     // $NODENAME
    std::string refer;  // container id
};

// nullopt when the body is not a JSON object (then nothing is reported).
std::optional<std::string> merge_report(const std::string& body, const ReportFields& fields);

Result<http::Request> report_request(const std::string& url, const std::string& json, const ReportFields& fields);

}  // namespace hc::container
