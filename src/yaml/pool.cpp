#include "yaml/pool.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace hc::yaml::pool {

#ifdef HC_POOL_PASSTHROUGH

void* allocate(size_t size) { return std::malloc(size ? size : 1); }
void* reallocate(void* p, size_t size) { return std::realloc(p, size ? size : 1); }
void release(void* p) { std::free(p); }
size_t kept_bytes() { return 0; }

#else

namespace {

// Every block starts with a header; the caller's bytes follow it, 16-byte
// aligned like malloc's. A free block keeps the next one's address in its
// first payload bytes; the lists hold the blocks' starts (what malloc gave:
// valgrind counts them as reachable, not as leaks).
struct alignas(16) Header {
    uint32_t size_class;  // kDirect: malloc'd for this one request
    size_t size;          // kDirect: the bytes asked for
};
static_assert(sizeof(Header) == 16);

constexpr uint32_t kClasses = 13;  // 16 bytes .. 64 KB
constexpr uint32_t kDirect = UINT32_MAX;
constexpr size_t kMinPayload = 16;

constexpr size_t payload_of(uint32_t c) { return kMinPayload << c; }

// The smallest class that holds size (1 .. 64 KB).
uint32_t class_of(size_t size) {
    if (size <= kMinPayload) return 0;
    return static_cast<uint32_t>(64 - __builtin_clzll(static_cast<unsigned long long>(size - 1))) - 4;
}

// The process's one pool: a C allocator hook has nowhere else to live.
struct Pool {
    std::mutex lock;
    Header* lists[kClasses] = {};
    size_t kept = 0;
};
Pool g_pool;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables): see above

Header* header_of(void* p) { return static_cast<Header*>(p) - 1; }
Header*& next_of(Header* h) { return *reinterpret_cast<Header**>(h + 1); }

void* new_block(uint32_t size_class, size_t size) {
    const size_t payload = size_class == kDirect ? size : payload_of(size_class);
    auto* h = static_cast<Header*>(std::malloc(sizeof(Header) + payload));
    if (!h) return nullptr;
    h->size_class = size_class;
    h->size = size;
    return h + 1;
}

size_t usable_size(void* p) {
    const Header* h = header_of(p);
    return h->size_class == kDirect ? h->size : payload_of(h->size_class);
}

}  // namespace

void* allocate(size_t size) {
    if (size == 0) size = 1;
    if (size > payload_of(kClasses - 1)) return new_block(kDirect, size);
    const uint32_t c = class_of(size);
    {
        std::lock_guard<std::mutex> guard(g_pool.lock);
        if (Header* h = g_pool.lists[c]) {
            g_pool.lists[c] = next_of(h);
            g_pool.kept -= payload_of(c);
            return h + 1;
        }
    }
    return new_block(c, size);
}

void release(void* p) {
    if (!p) return;
    Header* h = header_of(p);
    if (h->size_class != kDirect) {
        const size_t payload = payload_of(h->size_class);
        std::lock_guard<std::mutex> guard(g_pool.lock);
        if (g_pool.kept + payload <= kMaxKept) {
            next_of(h) = g_pool.lists[h->size_class];
            g_pool.lists[h->size_class] = h;
            g_pool.kept += payload;
            return;
        }
    }
    std::free(h);
}

void* reallocate(void* p, size_t size) {
    if (!p) return allocate(size);
    const size_t have = usable_size(p);
    // A pooled block has room up to its class; a large one asked to shrink
    // moves, so its memory goes back.
    if (size <= have && header_of(p)->size_class != kDirect) return p;
    void* q = allocate(size);
    if (!q) return nullptr;  // p stays valid, as with realloc
    std::memcpy(q, p, have < size ? have : size);
    release(p);
    return q;
}

size_t kept_bytes() {
    std::lock_guard<std::mutex> guard(g_pool.lock);
    return g_pool.kept;
}

#endif

}  // namespace hc::yaml::pool

extern "C" {

void* hc_yaml_malloc(size_t size) { return hc::yaml::pool::allocate(size); }
void* hc_yaml_realloc(void* p, size_t size) { return hc::yaml::pool::reallocate(p, size); }
void hc_yaml_free(void* p) { hc::yaml::pool::release(p); }
char* hc_yaml_strdup(const char* s) {
    const size_t n = std::strlen(s) + 1;
    auto* copy = static_cast<char*>(hc::yaml::pool::allocate(n));
    if (copy) std::memcpy(copy, s, n);
    return copy;
}
}
