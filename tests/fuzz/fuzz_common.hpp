#pragma once
// Shared bits of the fuzz targets in tests/fuzz/*.cpp.
//
// Each target file defines its body as
//     HC_FUZZ_TARGET(name) { ...uses data, size... }
// which expands to a function `int hc_fuzz_<name>(const uint8_t*, size_t)`
// and, in a libFuzzer build, to LLVMFuzzerTestOneInput calling it. The
// unit tests build every tests/fuzz/*.cpp with HC_FUZZ_REPLAY (Makefile),
// where the macro registers the function under its name instead, and
// tests/unit/fuzz_regression_test.cpp replays the corpus through each. The
// files in tests/fuzz/ are the one list of targets: mk/quality.mk and
// scripts/fuzz.sh derive theirs from it (a new target is one new file, plus
// its FUZZ_SRCS_<name> link line in mk/quality.mk).
//
// FUZZ_CHECK(cond) states an invariant: abort() under libFuzzer (a crash
// the fuzzer records), a gtest failure under replay.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#ifdef HC_FUZZ_REPLAY
#include <gtest/gtest.h>
#define FUZZ_CHECK(cond)                                               \
    do {                                                               \
        if (!(cond)) ADD_FAILURE() << "fuzz invariant failed: " #cond; \
    } while (0)
#include <map>
namespace hc_fuzz {
using TargetFn = int (*)(const uint8_t*, size_t);
// Name -> target; defined in tests/unit/fuzz_regression_test.cpp.
std::map<std::string, TargetFn>& registry();
struct Register {
    Register(const char* name, TargetFn fn) { registry()[name] = fn; }
};
}  // namespace hc_fuzz
#define HC_FUZZ_TARGET(name)                                                       \
    int hc_fuzz_##name(const uint8_t* data, size_t size);                          \
    static const hc_fuzz::Register hc_fuzz_register_##name(#name, hc_fuzz_##name); \
    int hc_fuzz_##name(const uint8_t* data, size_t size)
#else
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)
#define HC_FUZZ_TARGET(name)                                                                                       \
    int hc_fuzz_##name(const uint8_t* data, size_t size);                                                          \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return hc_fuzz_##name(data, size); } \
    int hc_fuzz_##name(const uint8_t* data, size_t size)
#endif

namespace hc_fuzz {

// Small deterministic PRNG (xorshift64*) for split points and the like, so
// a run is reproducible from the input alone.
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {}
    uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 2685821657736338717ull;
    }
    size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }
};

inline std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t at = s.find(sep, start);
        if (at == std::string_view::npos) {
            out.emplace_back(s.substr(start));
            return out;
        }
        out.emplace_back(s.substr(start, at - start));
        start = at + 1;
    }
}

}  // namespace hc_fuzz
