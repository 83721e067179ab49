#!/bin/bash
# Fault injection, supervise mode: absurdly many checks. 10,000 tcp checks
# in one config (none fires: initialDelaySeconds 3600) for --test and for
# the daemon (with a SIGHUP reload); then 1,000 tcp checks every second
# (against a local TCP listener) for a private supervisord with one
# program, for about 5 s, also with only 64 open files. Peak RSS from
# time(1) or VmHWM; figures recorded for tests/faults/report.sh.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"
. "$HC_ROOT/tests/faults/lib.sh"
GEN=$HC_ROOT/tests/faults/gen_checks.py

# Limits: generous multiples of what was measured (docs/RELIABILITY.md).
BIG_RSS_LIMIT_KB=$((64 * 1024))
RELOAD_RSS_LIMIT_KB=$((96 * 1024))
LIVE_RSS_LIMIT_KB=$((16 * 1024))

# sv_one_program: private supervisord with program "web" (a sleeper) and
# the TCP listener the tcp checks connect to (tests/faults/tcpsink.py:
# accept queue deep enough for 1,000 simultaneous connects). Sets MOCK_PORT.
sv_one_program() {
  start_bg "$PY" "$HC_ROOT/tests/faults/tcpsink.py" "$T/sink.port"
  wait_file "$T/sink.port"
  MOCK_PORT=$(cat "$T/sink.port")
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

test_20000_checks_load() {
  # 2.5 MB of YAML, about 300,000 nodes: under the 4 MiB and 500,000-node limits
  # since the tree is compact (it was refused when the cap was 200,000).
  "$PY" "$GEN" 20000 "$T/sv/sv.sock" 9 web 3600 60 > huge.yaml
  measure "$HC" supervise --test -c "$T/huge.yaml"
  assert_eq 0 "$RC" "--test exit code ($ERR)"
  assert_contains "$OUT" "c19999"
  assert_lt "$MS" 3000 "--test of 20,000 checks: wall time in ms"
  assert_lt "$RSS_KB" "$BIG_RSS_LIMIT_KB" "--test of 20,000 checks: peak RSS in KB"
  record 10b-20k-test "20,000 tcp checks (2.5 MB of YAML): supervise --test" \
    "exit 0, all 20,000 checks printed" "$MS" "$RSS_KB" "< 3 s, < 64 MB"
}

test_yaml_node_cap_refused() {
  # Past the YAML node cap (500,000) in 1.2 MB: refused with its line, quickly.
  "$PY" -c "
print('config:\n  supervisordUrl: unix:///tmp/x.sock\nx:\n  program: web\n  exitCodes: [' + ','.join(['1'] * 600000) + ']')" > nodes.yaml
  measure "$HC" supervise --test -c "$T/nodes.yaml"
  assert_eq 2 "$RC" "--test exit code ($OUT)"
  assert_contains "$ERR" "nodes.yaml:5: YAML error: document too large"
  assert_lt "$MS" 3000 "--test past the node cap: wall time in ms"
  assert_lt "$RSS_KB" "$BIG_RSS_LIMIT_KB" "--test past the node cap: peak RSS in KB"
  record 10b2-node-cap "600,000 YAML nodes in one list (1.2 MB): supervise --test" \
    "exit 2: ${ERR//$T/\$T}" "$MS" "$RSS_KB" "< 3 s, < 64 MB"
}

test_10000_idle_checks_daemon() {
  # No check is due within the run, so no supervisord is needed.
  "$PY" "$GEN" 10000 "$T/sv.sock" 9 web 3600 60 > big.yaml
  local t0 i ms
  HC_LOG=$T/hc.log
  t0=$(now_ms)
  hc_start "$T/big.yaml"
  wait_log "$HC_LOG" "loaded .*10000 checks" 10
  ms=$(( $(now_ms) - t0 ))
  sleep 2
  local hwm1 rss1 hwm rss reload_ms
  hwm1=$(hwm_kb "$HC_PID"); rss1=$(rss_kb "$HC_PID")
  # Reload the same 10,000 checks (SIGHUP): old and new config coexist for
  # a moment.
  t0=$(now_ms)
  kill -HUP "$HC_PID"
  wait_log "$HC_LOG" "loaded .*10000 checks \\(10000 kept" 10
  reload_ms=$(( $(now_ms) - t0 ))
  sleep 2
  kill -0 "$HC_PID" 2>/dev/null || _fail "daemon died: $(tail -5 "$HC_LOG")"
  hwm=$(hwm_kb "$HC_PID"); rss=$(rss_kb "$HC_PID")
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit code"
  assert_contains "$(cat "$HC_LOG")" "stopped: probes=0 "
  assert_lt "$ms" 3000 "time to load 10,000 checks (ms)"
  assert_lt "$reload_ms" 3000 "time to reload 10,000 checks (ms)"
  assert_lt "$hwm1" "$BIG_RSS_LIMIT_KB" "daemon VmHWM with 10,000 checks"
  assert_lt "$hwm" "$RELOAD_RSS_LIMIT_KB" "daemon VmHWM with 10,000 checks, after a reload"
  record 10c-10k-daemon "10,000 tcp checks, none due (initialDelaySeconds 3600): supervise -c for ~5 s, SIGHUP reload after 2 s" \
    "loaded, idle, no probe, clean exit 0 on SIGTERM; before the reload VmRSS $rss1 KB (peak $hwm1 KB), reload took $reload_ms ms, VmRSS after it $rss KB" \
    "$ms (load)" "$hwm" "< 3 s load and reload, < 64 MB before the reload, < 96 MB after"
}

# live_run SECONDS [NOFILE]: the daemon on live.yaml for SECONDS with the
# given open-files limit. Sets HWM, RSS (KB), FDS_MAX (most open fds seen,
# sampled every 0.5 s), PROBES, WORST, ERRORS (check_error lines), FAILS
# (check_failed lines), STOP_RC.
live_run() {
  local secs=$1 nofile=${2:-} i n
  : > "$T/hc.log"
  HC_LOG=$T/hc.log
  ( [ -n "$nofile" ] && ulimit -n "$nofile"; exec "$HC" supervise -c "$T/live.yaml" >>"$HC_LOG" 2>&1 ) &
  HC_PID=$!; register_pid "$HC_PID"
  wait_log "$HC_LOG" "loaded .*1000 checks" 10
  FDS_MAX=0
  for i in $(seq 1 $((secs * 2))); do
    sleep 0.5
    n=$(ls "/proc/$HC_PID/fd" 2>/dev/null | wc -l)
    [ "$n" -gt "$FDS_MAX" ] && FDS_MAX=$n
  done
  kill -0 "$HC_PID" 2>/dev/null || _fail "daemon died: $(tail -5 "$HC_LOG")"
  kill -0 "$SV_PID" 2>/dev/null || _fail "supervisord died"
  HWM=$(hwm_kb "$HC_PID"); RSS=$(rss_kb "$HC_PID")
  hc_stop
  STOP_RC=$HC_RC
  local line; line=$(grep -m 1 "stopped: probes=" "$HC_LOG")
  PROBES=$(sed -n 's/.*probes=\([0-9]*\).*/\1/p' <<<"$line")
  WORST=$(sed -n 's/.*worst_delay_ms=\([0-9]*\).*/\1/p' <<<"$line")
  [ -n "$PROBES" ] || _fail "no stop summary: $(tail -5 "$HC_LOG")"
  ERRORS=$(count_log "$HC_LOG" " check_error ")
  FAILS=$(count_log "$HC_LOG" " check_failed ")
}

test_1000_checks_every_second() {
  sv_one_program
  "$PY" "$GEN" 1000 "$SV_SOCK" "$MOCK_PORT" web 0 1 1 > live.yaml
  local pid0; pid0=$(sv_pid web)
  # 1,000 checks a second for ~5 s, open-files limit as inherited.
  live_run 5
  assert_eq 0 "$STOP_RC" "daemon exit code"
  assert_lt 2500 "$PROBES" "probes run in 5 s (1,000 a second)"
  assert_eq 0 "$FAILS" "check_failed lines"
  assert_lt "$HWM" "$LIVE_RSS_LIMIT_KB" "daemon VmHWM with 1,000 live checks"
  record 10d-1k-live "1,000 tcp checks every 1 s (initialDelaySeconds 0), supervisord with one program, ~5 s (open files limit $(ulimit -n))" \
    "no crash, exit 0 on SIGTERM; $PROBES probes, worst start delay $WORST ms, $FAILS check_failed, $ERRORS check_error; VmRSS at the end $RSS KB; up to $FDS_MAX open fds (the probes' sockets; one getAllProcessInfo per tick)" \
    "5000 (run)" "$HWM" "no crash, < 16 MB"
  # The same with only 64 open files: a probe that cannot get a socket is a
  # check_error (logged, not counted as a failure): nothing is restarted,
  # the daemon keeps running.
  live_run 2 64
  assert_eq 0 "$STOP_RC" "daemon exit code (64 open files)"
  # With first runs spread over the period and getProcessInfo shared per
  # program, 64 descriptors may well be enough; when they are not, the
  # probe is a check_error (glibc "Too many open files", musl "No file
  # descriptors available"), never a failure.
  assert_eq 0 "$FAILS" "check_failed lines (64 open files)"
  assert_eq "$pid0" "$(sv_pid web)" "pid of web (nothing restarted)"
  assert_lt "$HWM" "$LIVE_RSS_LIMIT_KB" "daemon VmHWM with 1,000 live checks (64 open files)"
  record 10e-1k-live-64fds "as 10d with an open files limit of 64, ~2 s" \
    "no crash, exit 0; $ERRORS check_error lines (\"supervisord unix://...: socket: Too many open files\"), $FAILS check_failed, nothing restarted; $PROBES probes" \
    "2000 (run)" "$HWM" "no crash, no restart"
}

run_tests
