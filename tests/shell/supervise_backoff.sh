#!/bin/bash
# Supervise mode: a crash-looping program cannot cause a restart storm
# (hold + doubling backoff), and the restart-count check sees the restarts.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

test_crash_loop_backoff() {
  sv_init
  # Runs 1 s, exits 1; supervisord does not restart it by itself.
  sv_program crash "$PROGS/crash.sh 1 $T/crash.pids" startsecs=0
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
crash-mem:
  program: crash
  type: mem
  periodSeconds: 1
  failureThreshold: 1
  action: restart
crash-restarts:
  program: crash
  type: restart
  mincontinueRun: 60
  periodSeconds: 1
  failureThreshold: 2
  action: exec
  execCmd: echo "\$HC_MESSAGE" >> $T/restarts.out
YAML
  hc_start "$T/hc.yaml"
  local t0; t0=$(now_ms)
  wait_log "$HC_LOG" "action check=crash-mem " 6
  sleep 20
  local actions deferred spawns
  actions=$(count_log "$HC_LOG" "action check=crash-mem program=crash: restart: stopping crash")
  deferred=$(count_log "$HC_LOG" "action_deferred check=crash-mem .*backoff: next action allowed in [0-9]+ s")
  spawns=$(count_log "$SV_LOG" "spawned: 'crash'")
  echo "    restarts by the daemon in ~20 s: $actions, deferred: $deferred, spawns: $spawns" >&2
  # One action per period would be ~20; gaps of 1, 2, 4, 8 s allow ~5.
  [ "$actions" -ge 3 ] || _fail "only $actions restarts: the crash loop was not acted on"
  [ "$actions" -le 6 ] || _fail "$actions restarts in 20 s: restart storm"
  [ "$spawns" -le 7 ] || _fail "$spawns spawns in 20 s: restart storm"
  [ "$deferred" -ge 1 ] || _fail "no action_deferred line"
  # The gaps between restarts grow.
  grep -E "action check=crash-mem " "$HC_LOG" | awk '{print $1}' > "$T/times"
  "$PY" - "$T/times" <<'PY' || _fail "restart gaps do not grow"
import sys, datetime
ts = [datetime.datetime.strptime(l.strip()[:23], "%Y-%m-%dT%H:%M:%S.%f") for l in open(sys.argv[1]) if l.strip()]
gaps = [(b - a).total_seconds() for a, b in zip(ts, ts[1:])]
print("    gaps between restarts (s):", " ".join("%.1f" % g for g in gaps), file=sys.stderr)
assert all(g >= 0.9 for g in gaps), gaps
# The backoff gap starts at period x failureThreshold = 1 s and doubles.
assert all(g >= 2 ** i - 0.2 for i, g in enumerate(gaps)), gaps
PY
  assert_no_log "$HC_LOG" "action_failed"
  # The restart-count check saw the restarts (each after a run of ~1 s,
  # under mincontinueRun) and acted once (then backed off).
  wait_log "$HC_LOG" "unhealthy check=crash-restarts .*restarted after a run of [0-9]+ s, under mincontinueRun 60 s" 1
  wait_file "$T/restarts.out"
  assert_contains "$(head -1 "$T/restarts.out")" ", under mincontinueRun 60 s"
}

run_tests
