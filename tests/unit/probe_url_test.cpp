// Container probe URLs (net::parse_probe_url): tcp://, tls:// and unix://
// next to http(s)://.
#include <gtest/gtest.h>

#include "net/url.hpp"

namespace {

using hc::net::parse_probe_url;
using hc::net::parse_url;
using hc::net::Url;

Url must(std::string_view s) {
    auto u = parse_probe_url(s);
    EXPECT_TRUE(u.ok()) << s << ": " << (u ? "" : u.error());
    return u ? *u : Url{};
}

std::string error_of(std::string_view s) {
    auto u = parse_probe_url(s);
    EXPECT_FALSE(u.ok()) << s;
    return u ? "" : u.error();
}

TEST(ProbeUrl, HttpAndHttpsAsParseUrl) {
    Url u = must("https://user:pw@Example.com:8443/a?b=1");
    EXPECT_EQ(u.scheme, "https");
    EXPECT_EQ(u.host, "example.com");
    EXPECT_EQ(u.port, 8443);
    EXPECT_EQ(u.userinfo, "user:pw");
    EXPECT_EQ(u.target, "/a?b=1");
    EXPECT_FALSE(u.connect_only());
}

TEST(ProbeUrl, Tcp) {
    Url u = must("tcp://127.0.0.1:5432");
    EXPECT_EQ(u.scheme, "tcp");
    EXPECT_EQ(u.host, "127.0.0.1");
    EXPECT_EQ(u.port, 5432);
    EXPECT_TRUE(u.connect_only());
    EXPECT_FALSE(u.tls());
    EXPECT_EQ(u.redacted(), "tcp://127.0.0.1:5432");
    EXPECT_EQ(must("TCP://DB.example:80/").redacted(), "tcp://db.example:80");
    EXPECT_EQ(must("tcp://[::1]:6379").host, "::1");
    EXPECT_EQ(must("tcp://[::1]:6379").redacted(), "tcp://[::1]:6379");
}

TEST(ProbeUrl, Tls) {
    Url u = must("tls://localhost:443");
    EXPECT_EQ(u.scheme, "tls");
    EXPECT_TRUE(u.tls());
    EXPECT_TRUE(u.connect_only());
    EXPECT_EQ(u.port, 443);
    EXPECT_EQ(u.redacted(), "tls://localhost:443");
}

TEST(ProbeUrl, TcpAndTlsNeedAPortAndTakeNoPathQueryOrUserinfo) {
    EXPECT_NE(error_of("tcp://h").find("need a port"), std::string::npos);
    EXPECT_NE(error_of("tls://[::1]").find("need a port"), std::string::npos);
    EXPECT_NE(error_of("tcp://h:1/x").find("no path or query"), std::string::npos);
    EXPECT_NE(error_of("tcp://h:1?x=1").find("no path or query"), std::string::npos);
    EXPECT_NE(error_of("tls://u:secret@h:1").find("no user:password@"), std::string::npos);
    EXPECT_NE(error_of("tcp://h:0").find("port"), std::string::npos);
    EXPECT_NE(error_of("tcp://h:70000").find("port"), std::string::npos);
    EXPECT_NE(error_of("tcp://:80").find("missing host"), std::string::npos);
}

TEST(ProbeUrl, UnixSocketWithRequestPath) {
    Url u = must("unix:///var/run/docker.sock:/_ping?x=1");
    EXPECT_EQ(u.scheme, "unix");
    EXPECT_EQ(u.socket_path, "/var/run/docker.sock");
    EXPECT_EQ(u.target, "/_ping?x=1");
    EXPECT_EQ(u.host_header(), "localhost");
    EXPECT_FALSE(u.tls());
    EXPECT_FALSE(u.connect_only());
    EXPECT_EQ(u.redacted(), "unix:///var/run/docker.sock:/_ping?x=***");
}

TEST(ProbeUrl, UnixSocketDefaultPathIsSlash) {
    EXPECT_EQ(must("unix:///run/app.sock").target, "/");
    EXPECT_EQ(must("unix:///run/app.sock:").target, "/");
    EXPECT_EQ(must("UNIX:///run/app.sock:/h#frag").target, "/h");
    EXPECT_EQ(must("unix:///run/app.sock").redacted(), "unix:///run/app.sock:/");
}

TEST(ProbeUrl, UnixSocketErrors) {
    EXPECT_NE(error_of("unix://run/app.sock").find("absolute socket path"), std::string::npos);
    EXPECT_NE(error_of("unix://").find("absolute socket path"), std::string::npos);
    EXPECT_NE(error_of("unix:///run/app.sock?x=1").find("request path goes after ':'"), std::string::npos);
    EXPECT_NE(error_of("unix:///run/app.sock:health").find("must start with /"), std::string::npos);
    EXPECT_NE(error_of("unix:///" + std::string(120, 'a')).find("too long"), std::string::npos);
    EXPECT_NE(error_of("unix:///run/a b.sock").find("space or control"), std::string::npos);
}

TEST(ProbeUrl, RedactedFormParsesBack) {
    for (const char* text :
         {"tcp://127.0.0.1:1", "tls://[::1]:8443", "unix:///s.sock:/a/b?k=v&t", "http://u:p@h:81/x?y=z"}) {
        Url u = must(text);
        Url again = must(u.redacted());
        EXPECT_EQ(again.scheme, u.scheme) << text;
        EXPECT_EQ(again.host, u.host) << text;
        EXPECT_EQ(again.port, u.port) << text;
        EXPECT_EQ(again.socket_path, u.socket_path) << text;
        EXPECT_EQ(again.redacted(), u.redacted()) << text;
    }
}

TEST(ProbeUrl, UnknownSchemes) {
    EXPECT_NE(error_of("ftp://h/").find("\"ftp\" (want http, https, tcp, tls or unix)"), std::string::npos);
    EXPECT_NE(error_of("h:80").find("must start with"), std::string::npos);
    // An unnameable scheme may be a mistyped secret: not echoed.
    EXPECT_EQ(error_of("s3cr3t-t0ken-v@lue://h").find("s3cr3t"), std::string::npos);
}

TEST(ProbeUrl, ParseUrlStillOnlyHttp) {
    // Supervise checks, webhooks and reports keep the http(s)-only parser.
    EXPECT_FALSE(parse_url("tcp://h:1").ok());
    EXPECT_FALSE(parse_url("tls://h:1").ok());
    EXPECT_FALSE(parse_url("unix:///s.sock").ok());
}

TEST(ProbeUrl, RedactUrlTextKnowsProbeSchemes) {
    EXPECT_EQ(hc::net::redact_url_text("tcp://h:1"), "tcp://h:1");
    EXPECT_EQ(hc::net::redact_url_text("unix:///s:/p?token=abc"), "unix:///s:/p?token=***");
}

}  // namespace
