#!/bin/bash
# Runs the libFuzzer targets built by `make fuzz-build` (mk/quality.mk).
#
#   scripts/fuzz.sh [TARGET...]          fuzz each for $FUZZ_SECONDS (60)
#   scripts/fuzz.sh --merge [TARGET...]  minimise build/fuzz/corpus/<t> plus
#                                        the seeds back into tests/fuzz/corpus/<t>
#
# Inputs: the seed corpus tests/fuzz/corpus/<t>, the kept crashers
# tests/fuzz/regressions/<t> and the dictionary tests/fuzz/dict/<t>.dict.
# New inputs go to build/fuzz/corpus/<t> (not into the repository), crashes
# to build/fuzz/artifacts/<t>/. A summary table (target, seconds, execs,
# new units, crashes) is printed and written to build/fuzz/results.md.
# FUZZ_JOBS=N runs N targets at a time. Exit status 1 when anything crashed.
set -u
cd "$(dirname "$0")/.."
B=${FUZZ_BUILD:-build/fuzz}
SECONDS_PER=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-1}
# Every tests/fuzz/*.cpp is a target (the one list, see tests/fuzz/fuzz_common.hpp).
ALL=$(cd tests/fuzz && ls *.cpp | sed 's/\.cpp$//')

merge=0
if [ "${1:-}" = --merge ]; then merge=1; shift; fi
targets=${*:-$ALL}

for t in $targets; do
  [ -x "$B/$t" ] || { echo "fuzz: $B/$t missing; run make fuzz-build" >&2; exit 2; }
done

if [ $merge = 1 ]; then
  for t in $targets; do
    seeds=tests/fuzz/corpus/$t
    mkdir -p "$seeds" "$B/corpus/$t"
    before=$(ls "$seeds" | wc -l)
    "$B/$t" -merge=1 -max_len=65536 "$seeds" "$B/corpus/$t" >"$B/$t.merge.log" 2>&1
    echo "$t: $before -> $(ls "$seeds" | wc -l) seed files"
  done
  exit 0
fi

run_one() { # target
  local t=$1 log=$B/$t.log dict=() seeds=() extra
  rm -rf "$B/artifacts/$t"; mkdir -p "$B/corpus/$t" "$B/artifacts/$t"
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
  for extra in "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t"; do
    [ -d "$extra" ] && seeds+=("$extra")
  done
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
  "$B/$t" -max_total_time="$SECONDS_PER" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$B/artifacts/$t/" "${dict[@]}" \
    "$B/corpus/$t" "${seeds[@]}" >"$log" 2>&1
  echo $? >"$B/$t.rc"
}

start=$(date +%s)
pids=()
for t in $targets; do
  run_one "$t" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 1; done
done
for p in "${pids[@]}"; do wait "$p"; done

status=0
{
  echo "| target | seconds | execs | exec/s | corpus | crashes |"
  echo "|---|---:|---:|---:|---:|---:|"
  for t in $targets; do
    log=$B/$t.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    units=$(ls "$B/corpus/$t" 2>/dev/null | wc -l)
    crashes=$(ls "$B/artifacts/$t" 2>/dev/null | wc -l)
    rc=$(cat "$B/$t.rc" 2>/dev/null || echo 1)
    [ "$rc" != 0 ] && [ "$crashes" = 0 ] && crashes="rc=$rc"
    [ "$rc" != 0 ] && status=1
    echo "| $t | $SECONDS_PER | ${execs:-?} | ${rate:-?} | $units | $crashes |"
  done
} | tee "$B/results.md"
echo "fuzz: $(( $(date +%s) - start )) s; logs in $B/<target>.log, crashes in $B/artifacts/"
if [ $status != 0 ]; then
  echo "fuzz: CRASHES FOUND. Reproduce: $B/<target> $B/artifacts/<target>/crash-*;" \
       "after fixing, keep the input under tests/fuzz/regressions/<target>/" >&2
fi
exit $status
