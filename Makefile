# healthcheck: one static binary, two modes. See README.md.
VERSION   := 0.1.0
CXX       ?= g++
BUILD     ?= build
CXXSTD    := -std=c++17
OPT       ?= -Os
WARN      := -Wall -Wextra -Wno-unused-parameter
SECTIONS  := -ffunction-sections -fdata-sections
INCLUDES  := -Isrc -Ithird_party/picojson -Ithird_party/cxxopts
DEFINES   := -DHC_VERSION=\"$(VERSION)\" -DPICOJSON_USE_INT64 -DCXXOPTS_NO_REGEX
CXXFLAGS  ?= $(OPT) $(WARN)
ALL_CXXFLAGS := $(CXXSTD) $(SECTIONS) $(INCLUDES) $(DEFINES) $(CXXFLAGS) -MMD -MP
STATIC    ?= -static
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
LDFLAGS   ?= $(STATIC) -s -Wl,--gc-sections
LDLIBS    := -lmbedtls -lmbedx509 -lmbedcrypto -lyaml

SRCS      := $(shell find src -name '*.cpp' | sort)
LIB_SRCS  := $(filter-out src/main.cpp,$(SRCS))
OBJS      := $(SRCS:%.cpp=$(BUILD)/obj/%.o)
LIB_OBJS  := $(LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
UNIT_SRCS := $(shell find tests/unit -name '*.cpp' 2>/dev/null | sort)
UNIT_OBJS := $(UNIT_SRCS:%.cpp=$(BUILD)/obj/%.o)

.PHONY: all deps test-deps demo test unit clean bench bench-oneshot lint

all: deps $(BUILD)/healthcheck

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

$(BUILD)/healthcheck: $(OBJS)
	$(CXX) $(ALL_CXXFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(BUILD)/unit_tests: $(LIB_OBJS) $(UNIT_OBJS)
	$(CXX) $(ALL_CXXFLAGS) -o $@ $^ -lgtest -lgtest_main -pthread $(LDLIBS)

unit: deps $(BUILD)/unit_tests

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
	@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/healthcheck
	@scripts/bench-oneshot.sh

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d) $(UNIT_OBJS:.o=.d)

# Feature-specific targets (musl/docker packaging, fuzzing/sanitizers/lint,
# benchmarks) live in mk/*.mk.
-include mk/*.mk
