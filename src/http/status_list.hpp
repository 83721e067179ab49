#pragma once
// Lists of HTTP status codes that count as a pass: "200", "200-399,401",
// "2xx,301". Parsed once where the text is read (a config key or a command
// line option); matching is then a scan of a few ranges. Shared by the
// supervise http check (expectStatus) and container mode (--status).
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace hc::http {

class StatusList {
public:
    struct Range {
        int lo = 0, hi = 0;  // inclusive, 100-599
        bool operator==(const Range& o) const { return lo == o.lo && hi == o.hi; }
    };

    StatusList() = default;  // empty: matches nothing
    static StatusList single(int status) { return StatusList({{status, status}}); }
    static StatusList range(int lo, int hi) { return StatusList({{lo, hi}}); }

    // Comma separated items, spaces allowed around them: a code ("401"), a
    // range ("200-399", lo <= hi) or a class ("2xx"). Codes are 100-599.
    // Errors name the offending item: `bad status "abc": expected ...`.
    static Result<StatusList> parse(std::string_view text);

    bool contains(int status) const;
    bool empty() const { return ranges_.empty(); }
    // Canonical text: "200-399,401" (ranges as parsed, "2xx" as 200-299).
    std::string str() const;
    const std::vector<Range>& ranges() const { return ranges_; }

    bool operator==(const StatusList& o) const { return ranges_ == o.ranges_; }
    bool operator!=(const StatusList& o) const { return !(*this == o); }

private:
    explicit StatusList(std::vector<Range> r) : ranges_(std::move(r)) {}
    std::vector<Range> ranges_;
};

}  // namespace hc::http
