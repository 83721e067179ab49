#pragma once
// The config parser's memory: blocks of up to 64 KB kept on free lists for
// the life of the process, one list per power-of-two size.
//
// Why not malloc: loading a config is a burst of short-lived allocations
// (libyaml allocates and frees a few strings for every scalar: 68 a check
// of the start-up benchmark), and a SIGHUP reload repeats the same burst next
// to the running checks. With musl's mallocng every burst mapped fresh
// groups for the parser's buffers and faulted their pages in again (a
// reload's peak a few pages above the first load's, issue 14.4), and its
// malloc+free pair cost about 300 instructions. From the pool, a reload
// reuses the pages the first load touched, and a pair costs a list push
// and pop.
//
// What the pool keeps is bounded (kMaxKept bytes); past that, and for
// blocks above 64 KB, it is plain malloc and free. Under AddressSanitizer
// everything is plain malloc and free, so ASan still sees every overflow.
//
// libyaml is compiled with its malloc, realloc, free and strdup renamed to
// the hc_yaml_* functions below (scripts/libyaml_alloc.h; the musl build in
// scripts/build-musl.sh, the glibc builds in scripts/mbedtls.sh). A build
// against the system's libyaml (MBEDTLS=system, Dockerfile.alpine) keeps
// its malloc there; our own parse arena (doc.cpp) uses the pool always.
#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define HC_POOL_PASSTHROUGH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HC_POOL_PASSTHROUGH 1
#endif
#endif

namespace hc::yaml::pool {

#ifdef HC_POOL_PASSTHROUGH
constexpr bool kPooled = false;
#else
constexpr bool kPooled = true;
#endif

void* allocate(size_t size);
void* reallocate(void* p, size_t size);
void release(void* p);

// Bytes held on the free lists (for the tests).
size_t kept_bytes();
constexpr size_t kMaxKept = 4u << 20;

}  // namespace hc::yaml::pool

extern "C" {
void* hc_yaml_malloc(size_t size);
void* hc_yaml_realloc(void* p, size_t size);
void hc_yaml_free(void* p);
char* hc_yaml_strdup(const char* s);
}
