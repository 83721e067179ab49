// grpc:// and grpcs:// targets of container mode (container/grpc_target).
#include <gtest/gtest.h>

#include "container/grpc_target.hpp"

namespace {

using hc::container::check_grpc_options;
using hc::container::grpc_service;
using hc::container::is_grpc_url;
using hc::container::Options;
using hc::container::parse_grpc_url;

TEST(GrpcTarget, Parses) {
    EXPECT_TRUE(is_grpc_url("GRPC://h:1"));
    EXPECT_TRUE(is_grpc_url("grpcs://h:1"));
    EXPECT_FALSE(is_grpc_url("http://h:1"));
    auto u = parse_grpc_url("grpc://127.0.0.1:50051");
    ASSERT_TRUE(u.ok()) << u.error();
    EXPECT_EQ(u->scheme, "grpc");
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 50051);
    EXPECT_EQ(grpc_service(*u), "");
    auto s = parse_grpc_url("grpcs://[::1]:8443/pkg.v1.Svc%2Fx");
    ASSERT_TRUE(s.ok()) << s.error();
    EXPECT_EQ(s->scheme, "grpcs");
    EXPECT_EQ(s->host, "::1");
    EXPECT_EQ(grpc_service(*s), "pkg.v1.Svc/x");
    EXPECT_EQ(parse_grpc_url("grpcs://h")->port, 443);
}

TEST(GrpcTarget, RefusesWithoutQuotingTheUrl) {
    for (const char* bad :
         {"grpc://user:pw@h:1/s", "grpc://h:1/s?token=pw", "grpc://h:99999/s", "grpc://h:1/a%0Ab", "ftp://h:1"}) {
        auto u = parse_grpc_url(bad);
        EXPECT_FALSE(u.ok()) << bad;
        if (!u) {
            EXPECT_EQ(u.error().find("pw"), std::string::npos) << u.error();
        }
    }
    EXPECT_FALSE(parse_grpc_url("grpc://h:1/" + std::string(1025, 'a')).ok());
}

TEST(GrpcTarget, MatchAndReportNeedHttp) {
    Options opt;
    auto u = parse_grpc_url("grpc://h:1/s");
    ASSERT_TRUE(u.ok());
    EXPECT_TRUE(check_grpc_options(opt, *u).ok());
    opt.match = "x";
    EXPECT_FALSE(check_grpc_options(opt, *u).ok());
    opt.match.clear();
    opt.report_url = "http://r/";
    EXPECT_FALSE(check_grpc_options(opt, *u).ok());
}

}  // namespace
