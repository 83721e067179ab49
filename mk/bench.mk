# Supervise-mode benchmark: `healthcheck supervise` vs monit with 10, 100 and
# 1000 checks, one hanging check and two supervisord references (idle, one
# call/s) (scripts/bench-supervise.sh). About 11
# minutes with the default BENCH_SECONDS=60; `make bench-supervise
# BENCH_SECONDS=10` for a quick look. Rewrites the supervise block of
# docs/BENCHMARKS.md and docs/bench-supervise.svg.
.PHONY: bench-supervise

bench-supervise:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/healthcheck
	@HC_BIN=$(BUILD)/healthcheck $(if $(BENCH_SECONDS),BENCH_SECONDS=$(BENCH_SECONDS)) scripts/bench-supervise.sh

# Supervise start-up with 1,000 and 10,000 checks (scripts/bench-startup.sh):
# load time and instructions, idle memory per check, memory after SIGHUP
# reloads. About a minute. Rewrites the startup block of docs/BENCHMARKS.md.
.PHONY: bench-startup
bench: bench-startup

bench-startup:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/healthcheck
	@HC_BIN=$(BUILD)/healthcheck scripts/bench-startup.sh
