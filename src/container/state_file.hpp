#pragma once
// The state file: one digit 1-4. Read, decide and write happen under an
// exclusive flock on "<file>.lock", and the write is a new 0600 temp file
// renamed over the old one, so overlapping runs never see a torn file and
// a symlink planted at the path is replaced, never followed.
#include <string>

#include "container/state_machine.hpp"
#include "net/fd.hpp"
#include "util/result.hpp"

namespace hc::container {

struct StoredState {
    Stored value = Stored::Missing;
    std::string problem;  // why it counts as garbled, for stderr
};

class StateFile {
public:
    explicit StateFile(std::string path) : path_(std::move(path)) {}

    // Takes the lock; a failure is reported but the check goes on unlocked.
    Status lock();
    StoredState read() const;
    Status write(int state) const;

private:
    std::string path_;
    net::Fd lock_fd_;
};

}  // namespace hc::container
