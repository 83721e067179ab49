# Supervise-mode benchmark: `healthcheck supervise` vs monit with 10, 100 and
# 1000 checks and one hanging check (scripts/bench-supervise.sh). About 9
# minutes with the default BENCH_SECONDS=60; `make bench-supervise
# BENCH_SECONDS=10` for a quick look. Rewrites the supervise block of
# docs/BENCHMARKS.md and docs/bench-supervise.svg.
.PHONY: bench-supervise

bench-supervise:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/healthcheck
	@HC_BIN=$(BUILD)/healthcheck $(if $(BENCH_SECONDS),BENCH_SECONDS=$(BENCH_SECONDS)) scripts/bench-supervise.sh
