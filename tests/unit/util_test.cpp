// util/: the capped file reader, list splitting and the text builder.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "util/file.hpp"
#include "util/text.hpp"

namespace {

std::string temp_path(const char* name) {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/hc_util_test_" + std::to_string(getpid()) + "_" + name;
}

}  // namespace

TEST(SplitList, TrimsAndDropsEmpty) {
    using V = std::vector<std::string>;
    EXPECT_EQ(hc::split_list("restart, exec ,,email"), (V{"restart", "exec", "email"}));
    EXPECT_EQ(hc::split_list(""), V{});
    EXPECT_EQ(hc::split_list(" , "), V{});
    EXPECT_EQ(hc::split_list("a;b", ';'), (V{"a", "b"}));
    EXPECT_EQ(hc::split_list("one"), V{"one"});
}

// The shared helpers that replaced per-module copies (issue 12.4): each
// keeps the rules of the copies it replaced.
TEST(Trim, DefaultSetAndOwnSet) {
    EXPECT_EQ(hc::trim(" \t\r\n a b \r\n"), "a b");
    EXPECT_EQ(hc::trim_view("  \n "), "");
    EXPECT_EQ(hc::trim_view(""), "");
    EXPECT_EQ(hc::trim_view("\f x \v"), "\f x \v");       // not in the default set
    EXPECT_EQ(hc::trim_view(" \tv\r\t ", " \t"), "v\r");  // HTTP OWS: space and tab only
}

TEST(ToLower, AsciiOnly) {
    EXPECT_EQ(hc::to_lower("HTTPS://Ex.COM"), "https://ex.com");
    EXPECT_EQ(hc::to_lower("\xC3\x89"), "\xC3\x89");  // UTF-8 untouched
    EXPECT_EQ(hc::to_lower('Z'), 'z');
    EXPECT_EQ(hc::to_lower('@'), '@');
}

TEST(Printable, BoundedWithControlBytesReplaced) {
    EXPECT_EQ(hc::printable("ab\x1b[2Jc\x7f", 20), "ab?[2Jc?");
    EXPECT_EQ(hc::printable("abcdef", 3), "abc...");
    EXPECT_EQ(hc::printable("abc", 3), "abc");
    EXPECT_EQ(hc::printable("caf\xC3\xA9\r\n", 20), "caf????");
    EXPECT_EQ(hc::printable("caf\xC3\xA9\r\n", 20, true), "caf\xC3\xA9??");
}

TEST(TextBuilder, StringsCharsAndIntegers) {
    hc::TextBuilder t;
    t << "port: " << 8080 << ' ' << std::string("x") << std::string_view("y") << -3 << 42u << static_cast<long long>(1)
      << 5000000000LL;
    EXPECT_EQ(t.str(), "port: 8080 xy-34215000000000");
}

TEST(FileReader, RefusesFifoWithoutHanging) {
    const std::string path = temp_path("fifo");
    unlink(path.c_str());
    ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
    auto r = hc::read_file(path, 100, hc::ReadOptions{false, true});
    unlink(path.c_str());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), path + ": not a regular file");
}

namespace {

// read_fd on the read end of a pipe holding `content`.
hc::Result<std::string> read_pipe(const std::string& content, size_t cap) {
    int fds[2];
    if (pipe(fds) != 0) return hc::err("pipe failed");
    const bool written = write(fds[1], content.data(), content.size()) == static_cast<ssize_t>(content.size());
    close(fds[1]);
    auto r = hc::read_fd(fds[0], "standard input", cap);
    close(fds[0]);
    return written ? r : hc::err("write failed");
}

}  // namespace

TEST(FileReader, FromDescriptor) {
    auto r = read_pipe("hello world", 5);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "standard input: larger than 5 bytes");
    auto ok = read_pipe("hello", 5);
    ASSERT_TRUE(ok.ok()) << ok.error();
    EXPECT_EQ(*ok, "hello");
}

TEST(EscapeControl, ControlBytesBecomeHexEscapes) {
    EXPECT_EQ(hc::escape_control("ok name"), "ok name");
    EXPECT_EQ(hc::escape_control("a\x1b[31mred"), "a\\x1b[31mred");
    EXPECT_EQ(hc::escape_control("line\r\nforged"), "line\\x0d\\x0aforged");
    EXPECT_EQ(hc::escape_control("back\\slash"), "back\\\\slash");
    EXPECT_EQ(hc::escape_control("del\x7f"), "del\\x7f");
    EXPECT_EQ(hc::escape_control("\xe4\xb8\xad"), "\xe4\xb8\xad");  // UTF-8 kept
}

TEST(HasControl, FindsCrLfAndNul) {
    EXPECT_FALSE(hc::has_control("mail.example.com"));
    EXPECT_TRUE(hc::has_control("x\r\nRCPT TO:<a@b>"));
    EXPECT_TRUE(hc::has_control(std::string_view("a\0b", 3)));
    EXPECT_TRUE(hc::has_control("tab\there"));
}
