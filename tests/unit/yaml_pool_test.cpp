// The config parser's block pool (yaml/pool.hpp): sizes, reuse, realloc's
// copy, the bound on what it keeps, and the C hooks libyaml calls. Under
// AddressSanitizer the pool is plain malloc, and only what holds for both
// is checked.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "yaml/pool.hpp"

namespace pool = hc::yaml::pool;

TEST(YamlPool, BlocksAreAlignedAndHoldTheirSize) {
    for (size_t size : {0, 1, 15, 16, 17, 100, 4096, 16384, 49152, 65536, 65537, 300000}) {
        auto* p = static_cast<unsigned char*>(pool::allocate(size));
        ASSERT_NE(p, nullptr) << size;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u) << size;
        std::memset(p, 0xab, size);
        pool::release(p);
    }
    pool::release(nullptr);
}

TEST(YamlPool, AReleasedBlockIsReusedForItsSizeClass) {
    if (!pool::kPooled) GTEST_SKIP() << "plain malloc under AddressSanitizer";
    void* a = pool::allocate(40);  // the 64-byte class
    const size_t kept = pool::kept_bytes();
    pool::release(a);
    EXPECT_EQ(pool::kept_bytes(), kept + 64);
    EXPECT_EQ(pool::allocate(64), a);  // same class: the same block, at once
    EXPECT_EQ(pool::kept_bytes(), kept);
    pool::release(a);
}

TEST(YamlPool, LargeBlocksAreNotKept) {
    if (!pool::kPooled) GTEST_SKIP() << "plain malloc under AddressSanitizer";
    const size_t kept = pool::kept_bytes();
    pool::release(pool::allocate(65537));
    EXPECT_EQ(pool::kept_bytes(), kept);
}

TEST(YamlPool, WhatItKeepsIsBounded) {
    if (!pool::kPooled) GTEST_SKIP() << "plain malloc under AddressSanitizer";
    std::vector<void*> blocks;
    for (size_t i = 0; i < 2 * pool::kMaxKept / 65536; ++i) blocks.push_back(pool::allocate(65536));
    for (void* b : blocks) pool::release(b);
    EXPECT_LE(pool::kept_bytes(), pool::kMaxKept);
    EXPECT_GE(pool::kept_bytes(), pool::kMaxKept - 65536);
}

TEST(YamlPool, ReallocateKeepsTheBytes) {
    auto* p = static_cast<char*>(pool::reallocate(nullptr, 10));
    std::memcpy(p, "0123456789", 10);
    p = static_cast<char*>(pool::reallocate(p, 12));  // same class: may stay
    EXPECT_EQ(std::memcmp(p, "0123456789", 10), 0);
    p = static_cast<char*>(pool::reallocate(p, 5000));  // a larger class: moved
    EXPECT_EQ(std::memcmp(p, "0123456789", 10), 0);
    std::memset(p + 10, 'x', 4990);
    p = static_cast<char*>(pool::reallocate(p, 200000));  // past the classes
    EXPECT_EQ(std::memcmp(p, "0123456789", 10), 0);
    EXPECT_EQ(p[4999], 'x');
    p = static_cast<char*>(pool::reallocate(p, 300000));  // direct to direct
    EXPECT_EQ(p[4999], 'x');
    pool::release(p);
}

TEST(YamlPool, TheCHooksLibyamlCalls) {
    char* s = hc_yaml_strdup("key: value");
    EXPECT_STREQ(s, "key: value");
    s = static_cast<char*>(hc_yaml_realloc(s, 64));
    EXPECT_STREQ(s, "key: value");
    hc_yaml_free(s);
    void* m = hc_yaml_malloc(0);  // libyaml asks for at least 1; 0 still gives a block
    EXPECT_NE(m, nullptr);
    hc_yaml_free(m);
    hc_yaml_free(nullptr);
}
