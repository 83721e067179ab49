// URL parsing and Location resolution (src/net/url).
#include <gtest/gtest.h>

#include "http/message.hpp"
#include "net/url.hpp"

namespace {

using hc::net::parse_url;
using hc::net::resolve_location;
using hc::net::Url;

Url must(std::string_view s) {
    auto u = parse_url(s);
    EXPECT_TRUE(u.ok()) << s << ": " << (u ? "" : u.error());
    return u ? *u : Url{};
}

std::string target_of(std::string_view base, std::string_view loc) {
    auto b = parse_url(base);
    EXPECT_TRUE(b.ok());
    auto r = resolve_location(*b, loc);
    EXPECT_TRUE(r.ok()) << loc;
    return r ? r->scheme + "://" + r->host_header() + r->target : "";
}

TEST(Url, Basic) {
    Url u = must("http://example.com/a/b?x=1");
    EXPECT_EQ(u.scheme, "http");
    EXPECT_EQ(u.host, "example.com");
    EXPECT_EQ(u.port, 80);
    EXPECT_EQ(u.target, "/a/b?x=1");
    EXPECT_TRUE(u.userinfo.empty());
    EXPECT_FALSE(u.tls());
    EXPECT_TRUE(u.default_port());
    EXPECT_EQ(u.host_header(), "example.com");
}

TEST(Url, DefaultPorts) {
    EXPECT_EQ(must("http://h").port, 80);
    EXPECT_EQ(must("https://h").port, 443);
    EXPECT_EQ(must("https://h:443/").host_header(), "h");
    EXPECT_EQ(must("https://h:80/").host_header(), "h:80");
    EXPECT_EQ(must("http://h:8080/").host_header(), "h:8080");
    EXPECT_TRUE(must("https://h").tls());
}

TEST(Url, EmptyPathBecomesSlash) {
    EXPECT_EQ(must("http://h").target, "/");
    EXPECT_EQ(must("http://h:81").target, "/");
    EXPECT_EQ(must("http://h?q=1").target, "/?q=1");
}

TEST(Url, FragmentDropped) {
    EXPECT_EQ(must("http://h/p?q#frag").target, "/p?q");
    EXPECT_EQ(must("http://h#frag").target, "/");
}

TEST(Url, SchemeAndHostCaseInsensitive) {
    Url u = must("HTTPS://Example.COM:8443/Path");
    EXPECT_EQ(u.scheme, "https");
    EXPECT_EQ(u.host, "example.com");
    EXPECT_EQ(u.port, 8443);
    EXPECT_EQ(u.target, "/Path");  // path keeps its case
}

TEST(Url, Schemes) {
    EXPECT_FALSE(parse_url("ftp://h/").ok());
    EXPECT_FALSE(parse_url("file:///etc/passwd").ok());
    EXPECT_FALSE(parse_url("127.0.0.1").ok());
    EXPECT_FALSE(parse_url("http:/h").ok());
    EXPECT_FALSE(parse_url("://h").ok());
    EXPECT_FALSE(parse_url("").ok());
}

TEST(Url, Userinfo) {
    Url u = must("http://user:p%40ss@h:81/x");
    EXPECT_EQ(u.userinfo, "user:p@ss");
    EXPECT_EQ(u.host, "h");
    EXPECT_EQ(u.port, 81);
    EXPECT_EQ(u.redacted(), "http://h:81/x");
    // The last @ separates userinfo from the host.
    Url v = must("http://a@b@h/");
    EXPECT_EQ(v.userinfo, "a@b");
    EXPECT_EQ(v.host, "h");
    // An @ in the path is not userinfo.
    Url w = must("http://h/p@q");
    EXPECT_TRUE(w.userinfo.empty());
    EXPECT_EQ(w.host, "h");
    EXPECT_EQ(w.target, "/p@q");
}

// Item 11.4: the display form drops userinfo and masks every query value,
// keeping the keys so the URL is still recognisable.
TEST(Url, RedactedMasksQueryValues) {
    EXPECT_EQ(must("http://u:pw@h:81/x?access_token=T0k&sign=S1g").redacted(),
              "http://h:81/x?access_token=***&sign=***");
    EXPECT_EQ(must("https://h/p?a=1&bare&empty=&&z=2").redacted(), "https://h/p?a=***&***&empty=&&z=***");
    EXPECT_EQ(must("http://h/p?").redacted(), "http://h/p?");
    EXPECT_EQ(must("http://h/p?k=a=b").redacted(), "http://h/p?k=***");
    EXPECT_EQ(must("http://h/p/no/query").redacted(), "http://h/p/no/query");
    EXPECT_EQ(hc::net::redacted_target("/health?token=T&x"), "/health?token=***&***");
    EXPECT_EQ(hc::net::redacted_target("/health"), "/health");
    // The display form parses again, to itself.
    Url r = must(must("http://u:p@h/a?x=1&y").redacted());
    EXPECT_EQ(r.redacted(), "http://h/a?x=***&***");
    EXPECT_TRUE(r.userinfo.empty());
}

// redacted() is display only: the request line carries the real target.
TEST(Url, RequestKeepsTheRealQuery) {
    hc::http::Request req;
    req.url = must("http://user:pw@h/x?access_token=T0k&sign=S1g");
    std::string wire = *hc::http::serialize_request(req, "ua");
    EXPECT_EQ(wire.rfind("GET /x?access_token=T0k&sign=S1g HTTP/1.1\r\n", 0), 0u) << wire;
    EXPECT_NE(wire.find("Authorization: Basic dXNlcjpwdw==\r\n"), std::string::npos) << wire;
}

// Item 11.2: parse errors name the problem but never echo the URL or a part
// of it (without '@', "http://user:pass/" puts the password where the port goes).
TEST(Url, ErrorsNeverEchoTheUrl) {
    for (std::string_view bad :
         {"http://user:S3cr3t-x@h:99999/?access_token=S3cr3t-x", "http://user:S3cr3t-x/", "http://[::1/S3cr3t-x",
          "http://[S3cr3t-x]/", "http://h/a b?t=S3cr3t-x", "S3cr3t-x://h/", "ftp://h/?t=S3cr3t-x", "h/S3cr3t-x",
          "http://S3cr3t-x%/", "http://h:S3cr3t-x@/", "http://h/\x01S3cr3t-x"}) {
        auto r = parse_url(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().find("S3cr3t"), std::string::npos) << r.error();
        EXPECT_NE(r.error().find("URL"), std::string::npos) << r.error();
    }
    EXPECT_NE(parse_url("http://h:99999/").error().find("port out of range"), std::string::npos);
    EXPECT_NE(parse_url("http://h:8o/").error().find("invalid port"), std::string::npos);
    EXPECT_EQ(parse_url("ftp://h/").error(), "unsupported URL scheme \"ftp\" (only http and https)");
    EXPECT_EQ(parse_url("h/x").error(), "URL must start with http:// or https://");
    auto b = parse_url("http://a/b");
    ASSERT_TRUE(b.ok());
    auto loc = resolve_location(*b, "http://u:S3cr3t-x@x:99999/?t=S3cr3t-x");
    ASSERT_FALSE(loc.ok());
    EXPECT_EQ(loc.error().find("S3cr3t"), std::string::npos) << loc.error();
}

TEST(Url, RedactUrlText) {
    EXPECT_EQ(hc::net::redact_url_text("HTTP://u:pw@H/x?t=1"), "http://h/x?t=***");
    EXPECT_EQ(hc::net::redact_url_text("http://u:pw/x"), "(unparsable URL)");
    EXPECT_EQ(hc::net::redact_url_text("not a url"), "(unparsable URL)");
}

// Item 11.10: scheme checks ignore case.
TEST(Url, IsHttpUrl) {
    for (std::string_view s : {"http://h", "https://h", "HTTP://h", "HTTPS://h/x", "hTtPs://h"})
        EXPECT_TRUE(hc::net::is_http_url(s)) << s;
    for (std::string_view s : {"", "h", "http:/h", "ftp://h", "httpx://h", "tok:http://h"})
        EXPECT_FALSE(hc::net::is_http_url(s)) << s;
}

TEST(Url, IPv4) {
    Url u = must("http://127.0.0.1:8080/status");
    EXPECT_EQ(u.host, "127.0.0.1");
    EXPECT_EQ(u.port, 8080);
}

TEST(Url, IPv6) {
    Url u = must("http://[::1]:8080/x");
    EXPECT_EQ(u.host, "::1");
    EXPECT_EQ(u.port, 8080);
    EXPECT_EQ(u.host_header(), "[::1]:8080");
    EXPECT_EQ(u.redacted(), "http://[::1]:8080/x");
    Url v = must("https://[2001:DB8::1]/");
    EXPECT_EQ(v.host, "2001:db8::1");
    EXPECT_EQ(v.port, 443);
    EXPECT_EQ(v.host_header(), "[2001:db8::1]");
    EXPECT_EQ(must("http://[::ffff:127.0.0.1]:1/").host, "::ffff:127.0.0.1");
    EXPECT_FALSE(parse_url("http://[::1/").ok());
    EXPECT_FALSE(parse_url("http://[::1]x/").ok());
    EXPECT_FALSE(parse_url("http://[::1]:/").ok());
    EXPECT_FALSE(parse_url("http://[]/").ok());
    EXPECT_FALSE(parse_url("http://[zz::1]/").ok());
    EXPECT_FALSE(parse_url("http://::1/").ok());
}

TEST(Url, BadPorts) {
    EXPECT_FALSE(parse_url("http://h:/").ok());
    EXPECT_FALSE(parse_url("http://h:0/").ok());
    EXPECT_FALSE(parse_url("http://h:65536/").ok());
    EXPECT_FALSE(parse_url("http://h:99999/").ok());
    EXPECT_FALSE(parse_url("http://h:123456/").ok());
    EXPECT_FALSE(parse_url("http://h:-1/").ok());
    EXPECT_FALSE(parse_url("http://h:8a/").ok());
    EXPECT_FALSE(parse_url("http://h:+80/").ok());
    EXPECT_EQ(must("http://h:65535/").port, 65535);
    EXPECT_EQ(must("http://h:1/").port, 1);
}

TEST(Url, BadHosts) {
    EXPECT_FALSE(parse_url("http:///path").ok());
    EXPECT_FALSE(parse_url("http://:80/").ok());
    EXPECT_FALSE(parse_url("http://h%2f/").ok());
    EXPECT_FALSE(parse_url("http://h\\x/").ok());
    EXPECT_FALSE(parse_url("http://user@/").ok());
}

TEST(Url, SpacesAndControls) {
    EXPECT_FALSE(parse_url("http://h/a b").ok());
    EXPECT_FALSE(parse_url("http://h /").ok());
    EXPECT_FALSE(parse_url(" http://h/").ok());
    EXPECT_FALSE(parse_url("http://h/\r\nX-Injected: 1").ok());
    EXPECT_FALSE(parse_url(std::string_view("http://h/\0x", 10)).ok());
    EXPECT_FALSE(parse_url("http://h/\x7f").ok());
    auto e = parse_url("http://h/a b");
    EXPECT_NE(e.error().find("space"), std::string::npos);
}

TEST(Url, PercentCoding) {
    EXPECT_EQ(hc::net::percent_decode("a%20b%2Fc%zz%4"), "a b/c%zz%4");
    EXPECT_EQ(hc::net::percent_encode("a b/+=~._-Z9"), "a%20b%2F%2B%3D~._-Z9");
    EXPECT_EQ(hc::net::percent_encode("中"), "%E4%B8%AD");
}

TEST(ResolveLocation, Absolute) {
    EXPECT_EQ(target_of("http://a/b/c", "https://x:8443/y?z"), "https://x:8443/y?z");
    EXPECT_EQ(target_of("https://a/b/c", "http://x/"), "http://x/");
}

TEST(ResolveLocation, SchemeRelative) {
    EXPECT_EQ(target_of("https://a/b", "//x/y"), "https://x/y");
    EXPECT_EQ(target_of("http://a:81/b", "//x:82/y"), "http://x:82/y");
}

TEST(ResolveLocation, AbsolutePath) {
    EXPECT_EQ(target_of("http://a:81/b/c?q", "/d"), "http://a:81/d");
    EXPECT_EQ(target_of("http://a/b/c", "/d/./e/../f?x=1"), "http://a/d/f?x=1");
    EXPECT_EQ(target_of("http://a/b/c", "/../../d"), "http://a/d");
    EXPECT_EQ(target_of("http://a/b/c", "/d/"), "http://a/d/");
}

TEST(ResolveLocation, RelativePath) {
    EXPECT_EQ(target_of("http://a/b/c/d?q", "e"), "http://a/b/c/e");
    EXPECT_EQ(target_of("http://a/b/c/d", "./e"), "http://a/b/c/e");
    EXPECT_EQ(target_of("http://a/b/c/d", "../e"), "http://a/b/e");
    EXPECT_EQ(target_of("http://a/b/c/d", "../../e"), "http://a/e");
    EXPECT_EQ(target_of("http://a/b/c/d", "../../../../e"), "http://a/e");
    EXPECT_EQ(target_of("http://a/b/c/d", ".."), "http://a/b/");
    EXPECT_EQ(target_of("http://a/b/c/d", "."), "http://a/b/c/");
    EXPECT_EQ(target_of("http://a/b/c/", "e?x=1&y=2"), "http://a/b/c/e?x=1&y=2");
    EXPECT_EQ(target_of("http://a/", "status/200"), "http://a/status/200");
    EXPECT_EQ(target_of("http://a/redirect?to=x", "status/200"), "http://a/status/200");
}

TEST(ResolveLocation, QueryOnly) { EXPECT_EQ(target_of("http://a/b/c?old=1", "?new=2"), "http://a/b/c?new=2"); }

TEST(ResolveLocation, FragmentDropped) {
    EXPECT_EQ(target_of("http://a/b", "/c#frag"), "http://a/c");
    EXPECT_EQ(target_of("http://a/b?q", "#frag"), "http://a/b?q");
}

TEST(ResolveLocation, CredentialsNotCarried) {
    auto b = parse_url("http://u:p@a/b");
    ASSERT_TRUE(b.ok());
    auto r = resolve_location(*b, "/c");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->userinfo.empty());
}

TEST(ResolveLocation, Bad) {
    auto b = parse_url("http://a/b");
    ASSERT_TRUE(b.ok());
    EXPECT_FALSE(resolve_location(*b, "").ok());
    EXPECT_FALSE(resolve_location(*b, "ftp://x/").ok());
    EXPECT_FALSE(resolve_location(*b, "http://x:99999/").ok());
}

// A Location with a space or control character must never reach the
// request line verbatim ("GET /a b HTTP/1.1"): reject it or encode it.
TEST(ResolveLocation, NoRawSpaceOrControlInTarget) {
    auto b = parse_url("http://a/b/c");
    ASSERT_TRUE(b.ok());
    for (std::string_view loc : {"/a b", "a b", "?q=a b", "/a\tb",
                                 "/a\x01"
                                 "b",
                                 "//h/a b"}) {
        auto r = resolve_location(*b, loc);
        if (!r.ok()) continue;
        for (char c : r->target)
            EXPECT_FALSE(static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
                << "Location \"" << loc << "\" gave target \"" << r->target << "\"";
    }
}

TEST(ResolveLocation, ColonInPathIsNotAScheme) {
    EXPECT_EQ(target_of("http://a/b/", "c?u=http://x"), "http://a/b/c?u=http://x");
    EXPECT_EQ(target_of("http://a/b/", "/c?u=http://x"), "http://a/c?u=http://x");
}

// One bracketing rule for URLs, Host headers, probe endpoints and --test.
TEST(Url, BracketHost) {
    EXPECT_EQ(hc::net::bracket_host("::1"), "[::1]");
    EXPECT_EQ(hc::net::bracket_host("fe80::1%eth0"), "[fe80::1%eth0]");
    EXPECT_EQ(hc::net::bracket_host("127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(hc::net::bracket_host("example.com"), "example.com");
    EXPECT_EQ(parse_url("http://[::1]:8080/x")->host_header(), "[::1]:8080");
}

}  // namespace
