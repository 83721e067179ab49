// Report mode's JSON merge (src/container/report, picojson): the probed
// service's body is merged with our fields. Invariants: the result is a JSON
// object holding our four fields, and merging it again changes nothing.
#include <picojson.h>

#include "container/report.hpp"
#include "fuzz_common.hpp"

HC_FUZZ_TARGET(report_json) {
    std::string body(reinterpret_cast<const char*>(data), size);
    hc::container::ReportFields f{2, "svc \"name\"\n", "node-1", "c0ffee"};
    auto merged = hc::container::merge_report(body, f);
    if (!merged) return 0;
    picojson::value v;
    std::string error = picojson::parse(v, *merged);
    FUZZ_CHECK(error.empty());
    FUZZ_CHECK(v.is<picojson::object>());
    if (v.is<picojson::object>()) {
        const auto& o = v.get<picojson::object>();
        FUZZ_CHECK(o.count("status") && o.at("status").is<int64_t>() && o.at("status").get<int64_t>() == 2);
        FUZZ_CHECK(o.count("name") && o.at("name").is<std::string>() && o.at("name").get<std::string>() == f.name);
    }
    auto twice = hc::container::merge_report(*merged, f);
    FUZZ_CHECK(twice.has_value());
    if (twice) FUZZ_CHECK(*twice == *merged);
    auto req = hc::container::report_request("http://127.0.0.1:9/r", *merged, f);
    FUZZ_CHECK(req.ok());
    return 0;
}
