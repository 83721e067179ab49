#!/bin/bash
# Runs every test: the GoogleTest unit tests, then each shell test file in
# tests/shell/. Last line: "N passed, N failed". Exit 1 when any failed.
#   TESTS=regex   only shell files/functions whose "file:function" matches
#   HC_BIN=path   binary under test (default build/healthcheck)
set -u
cd "$(dirname "$0")/.."
export HC_ROOT=$PWD
export HC_BIN=${HC_BIN:-$PWD/build/healthcheck}
export HC_RESULTS; HC_RESULTS=$(mktemp)
trap 'rm -f "$HC_RESULTS"' EXIT
start=$(date +%s)

passed=0 failed=0
if [ -z "${TESTS:-}" ] && [ -x build/unit_tests ]; then
  out=$(build/unit_tests --gtest_brief=1 2>&1); rc=$?
  echo "$out" | grep -E '^\[  FAILED  \]|Failure|error' | head -50
  p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
  f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
  p=${p:-0}; f=${f:-0}
  [ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
  echo "unit tests: $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
fi

# Shell files run a few at a time (most of their time is spent waiting on
# timers and child processes); each file's output is printed whole, in order.
jobs=${HC_TEST_JOBS:-3}
outdir=$(mktemp -d)
trap 'rm -f "$HC_RESULTS"; rm -rf "$outdir"' EXIT
files=(tests/shell/*.sh)
running=0
for i in "${!files[@]}"; do
  file=${files[$i]}
  [ -e "$file" ] || continue
  bash "$file" > "$outdir/$i.out" 2>&1 &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
for i in "${!files[@]}"; do
  [ -e "$outdir/$i.out" ] && cat "$outdir/$i.out"
done
while read -r result; do
  case $result in
    PASS) passed=$((passed + 1)) ;;
    FAIL) failed=$((failed + 1)) ;;
  esac
done < "$HC_RESULTS"
echo "shell and unit tests took $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
