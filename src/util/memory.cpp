#include "util/memory.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc (features.h) before the test below

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace hc {

void release_free_memory() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

}  // namespace hc
