#include "container/state_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "util/deadline.hpp"
#include "util/text.hpp"

namespace hc::container {
namespace {

std::string sys(const std::string& what, int e) { return what + ": " + errno_text(e); }

}  // namespace

Status StateFile::lock() {
    int fd = ::open((path_ + ".lock").c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return err(sys("cannot open lock file " + path_ + ".lock", errno));
    lock_fd_.reset(fd);
    // The lock is held only for read-decide-write (milliseconds); waiting
    // longer than 2 s means something is badly wrong, so go on without it.
    auto deadline = Deadline::after_ms(2000);
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) return err(sys("cannot lock " + path_ + ".lock", errno));
        if (deadline.expired()) return err("timed out waiting for the lock on " + path_ + ".lock");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return ok_status();
}

StoredState StateFile::read() const {
    int fd = ::open(path_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT) return {Stored::Missing, ""};
        if (errno == ELOOP) return {Stored::Garbled, "is a symbolic link"};
        return {Stored::Garbled, sys("cannot be read", errno)};
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return {Stored::Garbled, "is not a regular file"};
    }
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    if (n < 0) return {Stored::Garbled, sys("cannot be read", errno)};
    std::string text = trim(std::string(buf, static_cast<size_t>(n)));
    if (text.size() == 1 && text[0] >= '1' && text[0] <= '4') return {static_cast<Stored>(text[0] - '0'), ""};
    if (n == 0) return {Stored::Garbled, "is empty"};
    return {Stored::Garbled, "holds \"" + printable(text, 32) + "\", expected 1-4"};
}

Status StateFile::write(int state) const {
    auto slash = path_.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash);
    std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    std::string tmp = dir + "/." + base + ".XXXXXX";
    // mkstemp: O_CREAT|O_EXCL, mode 0600, never follows an existing name.
    int fd = ::mkstemp(&tmp[0]);
    if (fd < 0) return err(sys("cannot write state file " + path_, errno));
    char digit = static_cast<char>('0' + state);
    bool ok = ::write(fd, &digit, 1) == 1;
    int saved = errno;
    if (::close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && ::rename(tmp.c_str(), path_.c_str()) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        ::unlink(tmp.c_str());
        return err(sys("cannot write state file " + path_, saved));
    }
    return ok_status();
}

}  // namespace hc::container
