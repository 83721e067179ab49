#pragma once
// Whole small files (/proc entries, pid files, /etc/hosts, mail bodies) read
// in one go with a size cap. /proc files report st_size 0, so the size is
// only known by reading; the cap keeps a hostile or huge file from costing
// memory. The one reader for every capped file in both modes.
#include <cstddef>
#include <string>

#include "util/result.hpp"

namespace hc {

struct ReadOptions {
    bool truncate = false;      // keep the first `cap` bytes instead of failing
    bool regular_only = false;  // refuse FIFOs and devices (opened O_NONBLOCK so a FIFO cannot hang)
};

// O_CLOEXEC (actions may fork/exec concurrently). More than `cap` bytes is an
// error unless opt.truncate. Errors read "<path>: <strerror>" or
// "<path>: larger than N bytes"; `error`, when given, receives the errno (0
// for the size error) so callers can word ENOENT as "no such process".
Result<std::string> read_file(const std::string& path, size_t cap, ReadOptions opt = {}, int* error = nullptr);
// The same from an open descriptor (stdin); `name` is used in errors. The
// descriptor stays open.
Result<std::string> read_fd(int fd, const std::string& name, size_t cap, ReadOptions opt = {}, int* error = nullptr);

}  // namespace hc
