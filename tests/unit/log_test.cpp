// Log line timestamps (log.hpp format_timestamp): written by hand, so they
// are compared with what strftime makes of the same broken-down time.
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "supervise/log.hpp"

using hc::supervise::format_timestamp;

namespace {

std::string with_strftime(const std::tm& tm, int millis) {
    char date[32], zone[8], ms[8];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    std::strftime(zone, sizeof zone, "%z", &tm);
    std::snprintf(ms, sizeof ms, ".%03d", millis);
    return std::string(date) + ms + zone;
}

std::tm make_tm(int year, int mon, int mday, int hour, int min, int sec, long gmtoff) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    tm.tm_gmtoff = gmtoff;
    return tm;
}

}  // namespace

TEST(LogTimestamp, MatchesStrftime) {
    const std::tm cases[] = {
        make_tm(2026, 12, 1, 14, 49, 11, 8 * 3600),             // Beijing
        make_tm(1999, 1, 9, 0, 0, 0, 0),                        // UTC, leading zeros
        make_tm(2030, 10, 31, 23, 59, 60, -(3 * 3600 + 1800)),  // Newfoundland, a leap second
        make_tm(2024, 2, 29, 5, 7, 9, 5 * 3600 + 45 * 60),      // Nepal
        make_tm(2001, 7, 4, 12, 30, 0, -10 * 3600),             // Hawaii
    };
    for (const std::tm& tm : cases)
        for (int ms : {0, 7, 45, 999}) EXPECT_EQ(format_timestamp(tm, ms), with_strftime(tm, ms));
}

TEST(LogTimestamp, Shape) {
    EXPECT_EQ(format_timestamp(make_tm(2026, 12, 1, 14, 49, 11, 8 * 3600), 123), "2026-12-01T14:49:11.123+0800");
}
