// How supervise mode names supervisord (src/supervise/supervisor_client.cpp):
// the display form in logs never holds the URL's credentials or query
// values, and a bad supervisordUrl is refused without echoing it (issue 11.2,
// 11.4).
#include <gtest/gtest.h>

#include <string>

#include "supervise/supervisor_client.hpp"

namespace {

using hc::supervise::SupervisorClient;

TEST(SupervisorClient, DisplayHidesCredentialsAndQueryValues) {
    auto c = SupervisorClient::create("http://u:UrlPw-1@127.0.0.1:9001/RPC2?token=Tok-2", "su", "SupPw-3");
    ASSERT_TRUE(c.ok()) << c.error();
    EXPECT_EQ(c->display(), "http://127.0.0.1:9001/RPC2?token=***");
    auto d = SupervisorClient::create("HTTP://127.0.0.1:9001", "", "");
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(d->display(), "http://127.0.0.1:9001/RPC2");
}

TEST(SupervisorClient, BadUrlNotEchoed) {
    for (const char* bad : {"http://u:UrlPw-1@127.0.0.1:99999/RPC2", "http://u:UrlPw-1/RPC2?t=UrlPw-1"}) {
        auto c = SupervisorClient::create(bad, "", "");
        ASSERT_FALSE(c.ok()) << bad;
        EXPECT_EQ(c.error().find("UrlPw-1"), std::string::npos) << c.error();
        EXPECT_EQ(c.error().rfind("supervisordUrl: ", 0), 0u) << c.error();
    }
}

}  // namespace
