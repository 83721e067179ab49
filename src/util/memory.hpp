#pragma once
// Memory the allocator holds but no object uses, handed back to the kernel.

namespace hc {

// After a burst of short-lived allocations (a config load or reload: the
// YAML tree, the parsed config, the replaced checks), glibc keeps the freed
// chunks mapped, so the daemon's resident memory would stay at the burst's
// peak and grow with every SIGHUP. malloc_trim(0) releases the free pages of
// every arena (also inside the heap, with MADV_DONTNEED). musl's allocator
// returns free memory by itself: there it does nothing.
void release_free_memory();

}  // namespace hc
