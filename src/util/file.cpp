#include "util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hc {

namespace {

Result<std::string> fail(const std::string& name, int e, int* error) {
    if (error) *error = e;
    return sys_err(name, e, ErrorKind::Other);
}

}  // namespace

Result<std::string> read_fd(int fd, const std::string& name, size_t cap, ReadOptions opt, int* error) {
    if (error) *error = 0;
    std::string out;
    // One byte past the cap tells "exactly cap" from "too big". The buffer
    // grows as data arrives so a generous cap costs nothing up front.
    const size_t limit = cap + 1;
    size_t got = 0;
    while (got < limit) {
        if (got == out.size()) out.resize(std::min(limit, std::max<size_t>(4096, out.size() * 2)));
        // out.size() > got after the resize above (cppcheck cannot see it).
        // cppcheck-suppress containerOutOfBounds
        const ssize_t n = ::read(fd, &out[got], out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(name, errno, error);
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    if (got > cap) {
        if (!opt.truncate) return err(name + ": larger than " + std::to_string(cap) + " bytes");
        got = cap;
    }
    out.resize(got);
    return out;
}

Result<std::string> read_file(const std::string& path, size_t cap, ReadOptions opt, int* error) {
    const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | (opt.regular_only ? O_NONBLOCK : 0);
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0) return fail(path, errno, error);
    struct stat st {};
    if (opt.regular_only && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        ::close(fd);
        if (error) *error = EINVAL;
        return err(path + ": not a regular file");
    }
    Result<std::string> r = read_fd(fd, path, cap, opt, error);
    ::close(fd);
    return r;
}

}  // namespace hc
