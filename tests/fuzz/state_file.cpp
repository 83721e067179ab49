// State file reader (src/container/state_file): the input becomes the file's
// content, then StateFile::read() judges it. Invariants: Missing never comes
// back for an existing file; a valid value has no problem text, a garbled
// one has a printable problem text; write(n) then read() gives n back.
#include <fcntl.h>
#include <unistd.h>

#include "container/state_file.hpp"
#include "fuzz_common.hpp"

namespace fuzz_state_file {

// One scratch directory per process, removed at exit.
struct Scratch {
    std::string dir, file;
    Scratch() {
        char tmpl[] = "/tmp/hc-fuzz-state.XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        if (!d) std::abort();
        dir = d;
        file = dir + "/status";
    }
    ~Scratch() {
        ::unlink(file.c_str());
        ::unlink((file + ".lock").c_str());
        ::rmdir(dir.c_str());
    }
};

inline const Scratch& scratch() {
    static Scratch s;
    return s;
}

}  // namespace fuzz_state_file

HC_FUZZ_TARGET(state_file) {
    using hc::container::StateFile;
    using hc::container::Stored;
    const auto& s = fuzz_state_file::scratch();
    int fd = ::open(s.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) std::abort();
    size_t off = 0;
    while (off < size) {
        ssize_t n = ::write(fd, data + off, size - off);
        if (n <= 0) std::abort();
        off += static_cast<size_t>(n);
    }
    ::close(fd);

    StateFile sf(s.file);
    auto st = sf.read();
    FUZZ_CHECK(st.value != Stored::Missing);
    if (st.value == Stored::Garbled) {
        FUZZ_CHECK(!st.problem.empty());
        for (unsigned char c : st.problem) FUZZ_CHECK(c >= 0x20 && c < 0x7f);
    } else {
        FUZZ_CHECK(st.problem.empty());
    }
    // Round trip through write(); the digit comes from the input.
    int digit = size ? 1 + data[0] % 4 : 1;
    FUZZ_CHECK(sf.lock().ok());
    FUZZ_CHECK(sf.write(digit).ok());
    auto back = StateFile(s.file).read();
    FUZZ_CHECK(static_cast<int>(back.value) == digit);
    return 0;
}
