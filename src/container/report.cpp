#include "container/report.hpp"

#include <picojson.h>

namespace hc::container {

std::optional<std::string> merge_report(const std::string& body, const ReportFields& fields) {
    picojson::value v;
    std::string error;
    auto end = body.end();
    try {
        end = picojson::parse(v, body.begin(), body.end(), &error);
    } catch (const std::overflow_error&) {  // picojson throws on numbers like 1e999
        return std::nullopt;
    }
    if (!error.empty() || !v.is<picojson::object>()) return std::nullopt;
    // Only whitespace may follow the object.
    for (auto it = end; it != body.end(); ++it)
        if (*it != ' ' && *it != '\n' && *it != '\r' && *it != '\t') return std::nullopt;
    auto& obj = v.get<picojson::object>();
    obj["status"] = picojson::value(static_cast<int64_t>(fields.status));
    obj["name"] = picojson::value(fields.name);
    obj["ua"] = picojson::value(fields.ua);
    obj["refer"] = picojson::value(fields.refer);
    return v.serialize();
}

Result<http::Request> report_request(const std::string& url, const std::string& json, const ReportFields& fields) {
    auto parsed = net::parse_url(url);
    if (!parsed) return err("report: " + parsed.error());
    http::Request req;
    req.method = "POST";
    req.url = *parsed;
    req.headers = {{"Content-Type", "application/json"}, {"User-Agent", fields.ua}, {"Referer", fields.refer}};
    req.body = json;
    return req;
}

}  // namespace hc::container
