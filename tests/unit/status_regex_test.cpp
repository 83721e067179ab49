// Unit tests of http::StatusList (expectStatus, --status) and hc::Regex
// (expectRegex): parsing, matching and the bounds.
#include <gtest/gtest.h>

#include <string>

#include "http/status_list.hpp"
#include "util/regex.hpp"

using hc::Regex;
using hc::http::StatusList;

TEST(StatusList, ParsesCodesRangesAndClasses) {
    auto l = StatusList::parse("200-399, 401 ,5xx");
    ASSERT_TRUE(l.ok()) << l.error();
    EXPECT_EQ(l->str(), "200-399,401,500-599");
    for (int s : {200, 204, 301, 399, 401, 500, 599}) EXPECT_TRUE(l->contains(s)) << s;
    for (int s : {100, 199, 400, 402, 499, 600, 0, -1}) EXPECT_FALSE(l->contains(s)) << s;
    EXPECT_EQ(StatusList::parse("200")->str(), "200");
    EXPECT_EQ(StatusList::parse("2XX")->str(), "200-299");
    EXPECT_EQ(StatusList::parse("200 - 204")->str(), "200-204");
    EXPECT_EQ(*StatusList::parse("200-399"), StatusList::range(200, 399));
    EXPECT_TRUE(StatusList::single(200).contains(200));
    EXPECT_FALSE(StatusList::single(200).contains(201));
}

TEST(StatusList, RefusesBadItemsAndNamesThem) {
    for (const char* bad : {"", "abc", "200,", ",200", "99", "600", "2000", "+200", "200-", "-200", "399-200", "6xx",
                            "0xx", "2x", "200;201", "20 0", "1e2"}) {
        auto l = StatusList::parse(bad);
        EXPECT_FALSE(l.ok()) << bad;
        if (!l.ok()) {
            EXPECT_EQ(l.failure().kind, hc::ErrorKind::Config) << bad;
        }
    }
    EXPECT_NE(StatusList::parse("200,abc").error().find("\"abc\""), std::string::npos);
    EXPECT_NE(StatusList::parse("399-200").error().find("above"), std::string::npos);
    // Control bytes in the item are not echoed raw.
    EXPECT_EQ(StatusList::parse("2\x1b[0m").error().find('\x1b'), std::string::npos);
    std::string many;
    for (int i = 0; i < 65; ++i) many += (i ? ",200" : "200");
    EXPECT_FALSE(StatusList::parse(many).ok());
}

TEST(Regex, SearchesAnywhereCaseSensitiveLineAnchors) {
    auto r = Regex::compile("\"status\": *\"(UP|OK)\"");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_TRUE((*r)->search("{\"status\": \"UP\"}"));
    EXPECT_FALSE((*r)->search("{\"status\": \"up\"}"));
    EXPECT_FALSE((*r)->search(""));
    auto line = Regex::compile("^OK$");
    ASSERT_TRUE(line.ok());
    EXPECT_TRUE((*line)->search("first\nOK\n"));
    EXPECT_FALSE((*line)->search("NOT OK\n"));
}

TEST(Regex, MatchesPastNulBytes) {
    auto r = Regex::compile("ready");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE((*r)->search(std::string("bin\0ary ready", 13)));
    EXPECT_FALSE((*r)->search(std::string("bin\0ary", 7)));
}

TEST(Regex, RefusesUnboundedPatterns) {
    EXPECT_FALSE(Regex::compile("").ok());
    EXPECT_FALSE(Regex::compile(std::string(Regex::kMaxPatternBytes + 1, 'a')).ok());
    EXPECT_TRUE(Regex::compile(std::string(Regex::kMaxPatternBytes, 'a')).ok());
    auto backref = Regex::compile("(a)\\1");
    ASSERT_FALSE(backref.ok());
    EXPECT_NE(backref.error().find("back-reference"), std::string::npos);
    auto nested = Regex::compile("((a{100}){100}){100}");
    ASSERT_FALSE(nested.ok());
    EXPECT_NE(nested.error().find("expand"), std::string::npos);
    EXPECT_FALSE(Regex::compile("(a|b{20000})").ok());
    auto bad = Regex::compile("a(b");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().rfind("regex: ", 0), 0u);
    EXPECT_EQ(bad.failure().kind, hc::ErrorKind::Config);
    // Ordinary counted patterns stay allowed.
    EXPECT_TRUE(Regex::compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}").ok());
    EXPECT_TRUE(Regex::compile("a{100}b{200}").ok());
}

TEST(Regex, ExpandedSizeCountsRepetitions) {
    EXPECT_EQ(*hc::regex_expanded_size("abc"), 3u);
    EXPECT_EQ(*hc::regex_expanded_size("a{10}"), 10u);
    EXPECT_EQ(*hc::regex_expanded_size("(ab){10}"), 20u);
    EXPECT_EQ(*hc::regex_expanded_size("(a{10}){10}"), 100u);
    EXPECT_EQ(*hc::regex_expanded_size("a{2,}"), 3u);
    EXPECT_EQ(*hc::regex_expanded_size("[{}]{3}"), 3u);  // a bracket is one atom
    EXPECT_EQ(*hc::regex_expanded_size("[]{5}]x"), 2u);  // ']' first is a member
    EXPECT_EQ(*hc::regex_expanded_size("\\{5}"), 3u);    // an escaped brace is a literal
    EXPECT_EQ(*hc::regex_expanded_size("x{y}"), 4u);     // not a count: literal braces
    EXPECT_GT(*hc::regex_expanded_size("((((a{99}){99}){99}){99}){99}"), Regex::kMaxExpandedAtoms);
}
