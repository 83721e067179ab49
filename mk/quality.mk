# Hostile-input tooling: libFuzzer targets, sanitizer and valgrind runs, lint.
# See docs/RELIABILITY.md for what these found.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="url dns"] [FUZZ_JOBS=2]
#   make fuzz-build          only build the fuzzers (build/fuzz/<target>)
#   make fuzz-merge          fold new coverage from build/fuzz/corpus into
#                            the seed corpus tests/fuzz/corpus (minimised)
#   make test-sanitize       ASan+UBSan build in build-sanitize/, full test run
#   make test-valgrind       valgrind on one-shot container checks
#   make lint                clang-tidy + cppcheck over src/ (scripts/lint.sh)
#
# The corpus and regression inputs are also replayed by `make test` through
# tests/unit/fuzz_regression_test.cpp (no clang needed for that).

.PHONY: fuzz fuzz-build fuzz-merge test-sanitize test-valgrind lint lint-tidy lint-cppcheck

FUZZ_CXX      ?= $(shell command -v clang++-14 2>/dev/null || echo clang++)
FUZZ_BUILD    ?= build/fuzz
FUZZ_SECONDS  ?= 60
FUZZ_JOBS     ?= 1
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CXXFLAGS := -std=c++17 -g -O1 -fno-omit-frame-pointer $(INCLUDES) $(MBEDTLS_CFLAGS) $(DEFINES) -MMD -MP

# The targets are the files tests/fuzz/*.cpp (the one list; scripts/fuzz.sh
# and the replay unit test use it too). Each needs its FUZZ_SRCS_<name> below.
FUZZ_ALL := $(sort $(basename $(notdir $(wildcard tests/fuzz/*.cpp))))
FUZZ_TARGETS ?= $(FUZZ_ALL)

# Each target links only the src/ files it exercises, plus util/ (text,
# capped file reads, results, crypto), which every layer may use.
FUZZ_UTIL               := $(sort $(wildcard src/util/*.cpp))
FUZZ_SRCS_http_response := src/http/response_parser.cpp src/http/message.cpp src/net/url.cpp $(FUZZ_UTIL)
FUZZ_SRCS_http_chunked  := $(FUZZ_SRCS_http_response)
FUZZ_SRCS_url           := src/net/url.cpp $(FUZZ_UTIL)
FUZZ_SRCS_dns           := src/net/dns.cpp $(FUZZ_UTIL)
FUZZ_SRCS_state_file    := src/container/state_file.cpp $(FUZZ_UTIL)
FUZZ_SRCS_xmlrpc        := src/xmlrpc/xmlrpc.cpp src/xmlrpc/value.cpp src/xmlrpc/supervisor.cpp $(FUZZ_UTIL)
FUZZ_SRCS_yaml_config   := src/supervise/config.cpp src/supervise/config_describe.cpp src/yaml/doc.cpp src/yaml/pool.cpp src/net/url.cpp \
                           src/net/address.cpp \
                           src/notify/robots.cpp src/notify/dingtalk.cpp src/proc/mem.cpp src/proc/stat.cpp \
                           src/http/status_list.cpp $(FUZZ_UTIL)
FUZZ_SRCS_smtp_reply    := src/smtp/reply.cpp $(FUZZ_UTIL)
FUZZ_SRCS_report_json   := src/container/report.cpp src/net/url.cpp $(FUZZ_UTIL)
FUZZ_SRCS_argv          := src/container/cli.cpp src/container/grpc_target.cpp src/net/url.cpp $(FUZZ_UTIL)
FUZZ_SRCS_hosts         := src/net/hosts.cpp src/net/address.cpp $(FUZZ_UTIL)
FUZZ_SRCS_grpc_h2       := src/grpc/health.cpp src/grpc/hpack.cpp src/grpc/frame.cpp $(FUZZ_UTIL)

# Every target links the mbedTLS archive (LDLIBS); its entropy source is
# ours (MBEDTLS_ENTROPY_HARDWARE_ALT in scripts/mbedtls_config.h).
FUZZ_GLUE := src/net/entropy_getrandom.cpp

$(foreach t,$(FUZZ_ALL),$(if $(FUZZ_SRCS_$(t)),,$(error tests/fuzz/$(t).cpp: no FUZZ_SRCS_$(t) in mk/quality.mk)))

FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)
FUZZ_DEPS_ALL := $(sort $(foreach t,$(FUZZ_ALL),$(FUZZ_SRCS_$(t))) $(FUZZ_GLUE))

fuzz-build:
	@scripts/install-deps.sh fuzz
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) \
	  scripts/fuzz.sh $(FUZZ_TARGETS)

fuzz-merge: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) scripts/fuzz.sh --merge $(FUZZ_TARGETS)

# Library objects: coverage-instrumented, no libFuzzer main. mbedTLS itself
# (the cached archive, see the Makefile) is linked uninstrumented.
$(FUZZ_BUILD)/obj/src/%.o: src/%.cpp $(MBEDTLS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(FUZZ_BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.cpp $(MBEDTLS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

define FUZZ_LINK_RULE
$(FUZZ_BUILD)/$(1): $(FUZZ_BUILD)/obj/tests/fuzz/$(1).o $(sort $(FUZZ_SRCS_$(1):%.cpp=$(FUZZ_BUILD)/obj/%.o) $(FUZZ_GLUE:%.cpp=$(FUZZ_BUILD)/obj/%.o))
	$$(FUZZ_CXX) -fsanitize=fuzzer $(FUZZ_SAN) -o $$@ $$^ $(LDLIBS)
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call FUZZ_LINK_RULE,$(t))))

-include $(FUZZ_ALL:%=$(FUZZ_BUILD)/obj/tests/fuzz/%.d) $(FUZZ_DEPS_ALL:%.cpp=$(FUZZ_BUILD)/obj/%.d)

# ------------------------------------------------------------- sanitizers
# A dynamically linked ASan+UBSan build of the binary and the unit tests,
# then the whole suite against it. Leak checking is on; UBSan aborts on the
# first finding so a report can never scroll by as a pass.
SAN_BUILD := build-sanitize
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -g

SAN_ENV := ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1 \
           UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# HC_TIME_SLACK_MS loosens wall-time limits only (assert_time_lt): an ASan
# binary starts and exits (leak check) far slower; memory checks stay strict.
# tests/run.sh always runs build/unit_tests, so the sanitized unit tests run
# here first and run.sh is limited to the shell tests (TESTS selects files).
# Skipped shell files, because they test properties a sanitized dynamic
# binary cannot have, not behaviour:
#   faults_*     assert peak RSS < 4 MB and tight wall times (ASan's shadow
#                memory alone is ~25 MB)
#   net_resolve  runs the binary chrooted into an empty root (needs a static
#                binary; ASan cannot be linked fully static)
# Override with SAN_SKIP= to run everything.
SAN_SKIP  ?= faults_% net_resolve
SAN_SHELL := $(filter-out $(SAN_SKIP),$(basename $(notdir $(wildcard tests/shell/*.sh))))
hc_empty  :=
hc_space  := $(hc_empty) $(hc_empty)
SAN_TESTS ?= ^($(subst $(hc_space),|,$(strip $(SAN_SHELL)))):
test-sanitize: test-deps
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=$(SAN_BUILD) TOOLCHAIN=native STATIC= OPT=-O1 \
	  CXXFLAGS="$(SAN_FLAGS) $(WARN)" LDFLAGS="$(SAN_FLAGS)" \
	  $(SAN_BUILD)/healthcheck $(SAN_BUILD)/unit_tests
	@echo "== unit tests ($(SAN_BUILD)/unit_tests, ASan+UBSan)"
	@$(SAN_ENV) HC_ROOT=$(CURDIR) $(SAN_BUILD)/unit_tests --gtest_brief=1
	@echo "== shell tests (HC_BIN=$(SAN_BUILD)/healthcheck, ASan+UBSan)"
	@$(SAN_ENV) HC_TIME_SLACK_MS=1000 TESTS='$(SAN_TESTS)' HC_BIN=$(CURDIR)/$(SAN_BUILD)/healthcheck tests/run.sh

# valgrind needs a build without sanitizers; the normal static binary works
# (valgrind handles static executables), but an unstripped -O1 -g build
# gives readable reports, so use that.
VG_BUILD := build-valgrind

test-valgrind: test-deps
	@$(MAKE) --no-print-directory BUILD=$(VG_BUILD) TOOLCHAIN=native STATIC= OPT=-O1 \
	  CXXFLAGS="-g -O1 $(WARN)" LDFLAGS="-g" $(VG_BUILD)/healthcheck
	@HC_BIN=$(CURDIR)/$(VG_BUILD)/healthcheck bash tests/fuzz/valgrind.sh

# ------------------------------------------------------------------- lint
lint:
	@scripts/install-deps.sh lint
	@$(MAKE) --no-print-directory mbedtls
	@LINT_MBEDTLS_INC="$(MBEDTLS_INC)" scripts/lint.sh
