#include "http/status_list.hpp"

#include <charconv>

#include "util/text.hpp"

namespace hc::http {

namespace {

constexpr int kMinStatus = 100, kMaxStatus = 599;
constexpr size_t kMaxItems = 64;  // a list longer than this is a mistake, not a config

bool parse_code(std::string_view s, int& out) {
    if (s.size() != 3) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && out >= kMinStatus && out <= kMaxStatus;
}

Result<StatusList::Range> parse_item(std::string_view item) {
    const std::string shown = printable(item, 40);
    const std::string expected =
        "bad status \"" + shown + "\": expected a code 100-599, a range like 200-399 or a class like 2xx";
    if (item.size() == 3 && item[0] >= '1' && item[0] <= '5' && (item[1] == 'x' || item[1] == 'X') &&
        (item[2] == 'x' || item[2] == 'X')) {
        int lo = (item[0] - '0') * 100;
        return StatusList::Range{lo, lo + 99};
    }
    const size_t dash = item.find('-');
    int lo = 0, hi = 0;
    if (dash == std::string_view::npos) {
        if (!parse_code(item, lo)) return err(expected, ErrorKind::Config);
        return StatusList::Range{lo, lo};
    }
    if (!parse_code(trim_view(item.substr(0, dash), " \t"), lo) ||
        !parse_code(trim_view(item.substr(dash + 1), " \t"), hi))
        return err(expected, ErrorKind::Config);
    if (lo > hi)
        return err("bad status range \"" + shown + "\": the first code is above the second", ErrorKind::Config);
    return StatusList::Range{lo, hi};
}

}  // namespace

Result<StatusList> StatusList::parse(std::string_view text) {
    std::vector<Range> ranges;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) comma = text.size();
        std::string_view item = trim_view(text.substr(start, comma - start), " \t");
        if (item.empty()) return err("empty item in status list (expected e.g. 200-399,401)", ErrorKind::Config);
        if (ranges.size() == kMaxItems)
            return err("status list longer than " + std::to_string(kMaxItems) + " items", ErrorKind::Config);
        auto r = parse_item(item);
        if (!r) return r.failure();
        ranges.push_back(*r);
        start = comma + 1;
    }
    return StatusList(std::move(ranges));
}

bool StatusList::contains(int status) const {
    for (const Range& r : ranges_)
        if (status >= r.lo && status <= r.hi) return true;
    return false;
}

std::string StatusList::str() const {
    std::string s;
    for (const Range& r : ranges_) {
        if (!s.empty()) s += ',';
        s += std::to_string(r.lo);
        if (r.hi != r.lo) s += "-" + std::to_string(r.hi);
    }
    return s;
}

}  // namespace hc::http
