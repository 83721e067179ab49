#!/bin/bash
# Fault injection, supervise mode: absurdly many checks. 10,000 tcp checks
# in one config (none fires: initialDelaySeconds 3600) for --test and for
# the daemon; then 1,000 tcp checks every second against a private
# supervisord with one program, for about 5 s. Peak RSS from time(1) or
# VmHWM; figures recorded for tests/faults/report.sh.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"
. "$HC_ROOT/tests/faults/lib.sh"
GEN=$HC_ROOT/tests/faults/gen_checks.py

# Limits: generous multiples of what was measured (docs/RELIABILITY.md).
BIG_RSS_LIMIT_KB=$((64 * 1024))
LIVE_RSS_LIMIT_KB=$((16 * 1024))

# sv_one_program: private supervisord with program "web" (a sleeper) and
# the mock HTTP server the tcp checks connect to.
sv_one_program() {
  start_mock
  sv_init
  sv_program web "/bin/sleep 1000" startsecs=0
  sv_start
}

test_10000_checks_config_test() {
  "$PY" "$GEN" 10000 "$T/sv/sv.sock" 9 web 3600 60 > big.yaml
  measure "$HC" supervise --test -c "$T/big.yaml"
  assert_eq 0 "$RC" "--test exit code ($ERR)"
  assert_contains "$OUT" "c09999"
  assert_lt "$MS" 3000 "--test of 10,000 checks: wall time in ms"
  assert_lt "$RSS_KB" "$BIG_RSS_LIMIT_KB" "--test of 10,000 checks: peak RSS in KB"
  record 10a-10k-test "10,000 tcp checks in one config (1.3 MB): supervise --test" \
    "exit 0, all 10,000 checks printed" "$MS" "$RSS_KB" "< 3 s, < 64 MB"
}

test_20000_checks_rejected() {
  # Past the YAML size limits: refused with a message, quickly.
  "$PY" "$GEN" 20000 "$T/sv/sv.sock" 9 web 3600 60 > huge.yaml
  measure "$HC" supervise --test -c "$T/huge.yaml"
  assert_eq 2 "$RC" "--test exit code ($OUT)"
  assert_contains "$ERR" "too large"
  assert_lt "$MS" 3000 "--test of 20,000 checks: wall time in ms"
  assert_lt "$RSS_KB" "$BIG_RSS_LIMIT_KB" "--test of 20,000 checks: peak RSS in KB"
  record 10b-20k-test "20,000 tcp checks (2.6 MB of YAML): supervise --test" \
    "exit 2: ${ERR//$T/\$T}" "$MS" "$RSS_KB" "< 3 s, < 64 MB"
}

test_10000_idle_checks_daemon() {
  sv_one_program
  "$PY" "$GEN" 10000 "$SV_SOCK" "$MOCK_PORT" web 3600 60 > big.yaml
  local t0 i ms
  HC_LOG=$T/hc.log
  t0=$(now_ms)
  hc_start "$T/big.yaml"
  wait_log "$HC_LOG" "loaded .*10000 checks" 10
  ms=$(( $(now_ms) - t0 ))
  sleep 5
  kill -0 "$HC_PID" 2>/dev/null || _fail "daemon died: $(tail -5 "$HC_LOG")"
  local hwm rss; hwm=$(hwm_kb "$HC_PID"); rss=$(rss_kb "$HC_PID")
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit code"
  assert_contains "$(cat "$HC_LOG")" "stopped: probes=0 "
  assert_lt "$ms" 3000 "time to load 10,000 checks (ms)"
  assert_lt "$hwm" "$BIG_RSS_LIMIT_KB" "daemon VmHWM with 10,000 checks"
  record 10c-10k-daemon "10,000 tcp checks, none due (initialDelaySeconds 3600): supervise -c for 5 s" \
    "loaded, idle, no probe, clean exit 0 on SIGTERM; VmRSS after 5 s: $rss KB" "$ms (load)" "$hwm" "< 3 s load, < 64 MB"
}

test_1000_checks_every_second() {
  sv_one_program
  "$PY" "$GEN" 1000 "$SV_SOCK" "$MOCK_PORT" web 0 1 > live.yaml
  HC_LOG=$T/hc.log
  hc_start "$T/live.yaml"
  wait_log "$HC_LOG" "loaded .*1000 checks" 10
  local i hwm rss line probes worst
  sleep 5
  kill -0 "$HC_PID" 2>/dev/null || _fail "daemon died: $(tail -5 "$HC_LOG")"
  hwm=$(hwm_kb "$HC_PID"); rss=$(rss_kb "$HC_PID")
  kill -0 "$SV_PID" 2>/dev/null || _fail "supervisord died"
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit code"
  line=$(grep -m 1 "stopped: probes=" "$HC_LOG")
  probes=$(sed -n 's/.*probes=\([0-9]*\).*/\1/p' <<<"$line")
  worst=$(sed -n 's/.*worst_delay_ms=\([0-9]*\).*/\1/p' <<<"$line")
  [ -n "$probes" ] || _fail "no stop summary: $(tail -5 "$HC_LOG")"
  # 1,000 checks a second for ~5 s: expect most of the 5,000 probes.
  assert_lt 2500 "$probes" "probes run in 5 s"
  assert_lt "$hwm" "$LIVE_RSS_LIMIT_KB" "daemon VmHWM with 1,000 live checks"
  local fails; fails=$(count_log "$HC_LOG" " fail")
  record 10d-1k-live "1,000 tcp checks every 1 s (initialDelaySeconds 0), supervisord with one program, ~5 s" \
    "no crash; $probes probes, worst start delay $worst ms, $fails log lines with \"fail\"; VmRSS at 5 s: $rss KB" \
    "5000 (run)" "$hwm" "no crash, < 16 MB"
}

run_tests
