#include "proc/reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hc::proc {

Result<std::string> read_file(const std::string& path, size_t cap, bool truncate, int* error) {
    if (error) *error = 0;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (error) *error = errno;
        return err(path + ": " + std::strerror(errno));
    }
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
        if (n < 0) {
            const int e = errno;
            if (error) *error = e;
            ::close(fd);
            return err(path + ": " + std::strerror(e));
        }
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    ::close(fd);
    if (got > cap) {
        if (!truncate) return err(path + ": larger than " + std::to_string(cap) + " bytes");
        got = cap;
    }
    out.resize(got);
    return out;
}

}  // namespace hc::proc
