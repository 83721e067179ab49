#include "supervise/run.hpp"

#include <cstdio>

namespace hc::supervise {

int run(const std::vector<std::string>&) {
    std::fprintf(stderr, "healthcheck supervise: not implemented yet\n");
    return 2;
}

}  // namespace hc::supervise
