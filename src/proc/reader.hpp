#pragma once
// Reads small kernel-generated files (/proc, pid files) in one go with a
// size cap. /proc files report st_size 0, so the size is only known by
// reading; the cap keeps a hostile or huge file from costing memory.
#include <cstddef>
#include <string>

#include "util/result.hpp"

namespace hc::proc {

// Whole file, O_CLOEXEC (actions may fork/exec concurrently). More than
// `cap` bytes is an error unless `truncate`, which keeps the first `cap`.
// Errors read "<path>: <strerror>" or "<path>: larger than N bytes";
// `error`, when given, receives the errno (0 for the size error) so callers
// can word ENOENT as "no such process".
Result<std::string> read_file(const std::string& path, size_t cap, bool truncate = false,
                              int* error = nullptr);

}  // namespace hc::proc
