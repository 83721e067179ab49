#pragma once
// The Prometheus endpoint (metricsListen): text exposition format 0.0.4 over
// plain HTTP/1.1, GET /metrics only. Pure parts here (the per-check counters,
// rendering, the request rule); serve.hpp does the I/O. Labels are the check
// name, the program and the type: never a URL, a host or a header.
//
//   healthcheck_check_up{check,program,type}                 1 healthy, 0 failed (absent while unknown)
//   healthcheck_check_paused / healthcheck_check_given_up    0 or 1
//   healthcheck_probe_duration_seconds{check,program,type}   histogram
//   healthcheck_actions_total{check,program,type,action}     counter
//   healthcheck_notices_total{check,program,type,kind}       counter (failed, resolved, reminder, gave_up)
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hc::supervise {

constexpr size_t kMaxMetricsRequest = 8192;

struct ProbeHistogram {
    static constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static constexpr size_t kCount = sizeof kBuckets / sizeof kBuckets[0];
    uint64_t buckets[kCount] = {};  // cumulative counts are built when rendering
    uint64_t count = 0;
    double sum = 0;
    void observe(double seconds);
};

struct CheckMetrics {
    std::string name, program, type;
    int up = -1;  // -1 unknown (not exported), 0 failed, 1 healthy
    bool paused = false, given_up = false;
    std::string action;  // the configured program action ("restart"), exported at 0 before it runs
    ProbeHistogram probe;
    std::map<std::string, uint64_t> actions;  // by action kind
    std::map<std::string, uint64_t> notices;  // by notice kind
};

// The whole exposition: HELP and TYPE once per family, then every check.
std::string render_metrics(const std::vector<const CheckMetrics*>& checks);

// The HTTP side: a request is whole at the blank line; the reply to it (or to
// one over kMaxMetricsRequest) with Connection: close. `body` is called only
// for GET /metrics (a query string is allowed); anything else is 404.
bool http_request_complete(const std::string& request);
template <class Body>
std::string http_reply(const std::string& request, bool too_long, Body body);

std::string http_response(int status, const std::string& reason, const std::string& content_type,
                          const std::string& content);
// "GET /metrics HTTP/1.1" and the like: true when the request asks for the metrics.
enum class MetricsRoute { Metrics, NotFound, Bad };
MetricsRoute route_metrics(const std::string& request);

template <class Body>
std::string http_reply(const std::string& request, bool too_long, Body body) {
    if (too_long) return http_response(431, "Request Header Fields Too Large", "text/plain", "request too large\n");
    switch (route_metrics(request)) {
        case MetricsRoute::Metrics: return http_response(200, "OK", "text/plain; version=0.0.4; charset=utf-8", body());
        case MetricsRoute::NotFound: return http_response(404, "Not Found", "text/plain", "not found\n");
        case MetricsRoute::Bad: break;
    }
    return http_response(400, "Bad Request", "text/plain", "bad request\n");
}

}  // namespace hc::supervise
