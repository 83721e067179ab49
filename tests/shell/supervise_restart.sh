#!/bin/bash
# Supervise mode, the restart-count check (type: restart) against a real
# supervisord: every restart after a run shorter than mincontinueRun counts
# toward failureThreshold; a run of mincontinueRun seconds resets the count.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

# One daemon, two programs under supervisord's autorestart, ~12 s:
#   crash: runs 2 s, exits 1, is respawned within a second. Its starts are
#     >= 2 s apart, so a sliding window of mincontinueRun 4 s never holds
#     more than 2 of its restarts: the earlier rule (failureThreshold 3
#     restarts in the window) never acted.
#   slow: runs 6 s, exits 1, is respawned. Each run is longer than
#     mincontinueRun, so its restarts are not failures (failureThreshold 1:
#     the earlier rule acted on its first restart).
test_crash_loop_counts_every_restart() {
  sv_init
  sv_program crash "$PROGS/crash.sh 2" autorestart=true
  sv_program slow "$PROGS/crash.sh 6" autorestart=true
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
crash-restarts:
  program: crash
  type: restart
  mincontinueRun: 4
  periodSeconds: 1
  initialDelaySeconds: 0
  failureThreshold: 3
  action: exec
  execCmd: echo "\$HC_MESSAGE" >> $T/crash.out
slow-restarts:
  program: slow
  type: restart
  mincontinueRun: 4
  periodSeconds: 1
  initialDelaySeconds: 0
  failureThreshold: 1
  action: exec
  execCmd: echo "\$HC_MESSAGE" >> $T/slow.out
YAML
  local t0 acted_ms; t0=$(now_ms)
  hc_start "$T/hc.yaml"
  # Restarts at ~2.5, ~5, ~7.5 s: the third is the action. 30 s is generous.
  wait_log "$HC_LOG" "action check=crash-restarts program=crash: exec: " 30
  acted_ms=$(( $(now_ms) - t0 ))
  echo "    crash loop acted on after $acted_ms ms ($(count_log "$SV_LOG" "spawned: 'crash'") spawns)" >&2
  wait_file "$T/crash.out"
  assert_contains "$(head -1 "$T/crash.out")" ", under mincontinueRun 4 s"
  # Three restarts in a row counted: (1/3), (2/3), (3/3), then unhealthy.
  local n
  for n in 1 2 3; do
    [ "$(count_log "$HC_LOG" "check_failed check=crash-restarts .*restarted after a run of [0-9]+ s, under mincontinueRun 4 s.*\($n/3\)")" -ge 1 ] ||
      { check_lines "$HC_LOG" crash-restarts >&2; _fail "no check_failed ($n/3) for crash-restarts"; }
  done
  wait_log "$HC_LOG" "unhealthy check=crash-restarts program=crash: restarted after a run of" 1
  # slow: ran 4 s (healthy), then restarted after its run of 6 s; two
  # probes after its respawn: still no failure and no action.
  wait_log "$HC_LOG" "healthy check=slow-restarts program=slow: running [0-9]+ s without a restart \(mincontinueRun 4 s\)" 15
  wait_log "$SV_LOG" "spawned: 'slow'" 15 2
  sleep 2
  assert_no_log "$HC_LOG" " (check_failed|unhealthy|action) check=slow-restarts " "daemon log"
  [ ! -e "$T/slow.out" ] || _fail "slow's restart after a run of 6 s was acted on: $(cat "$T/slow.out")"
  assert_no_log "$HC_LOG" "action_failed|check_error"
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit code"
}

run_tests
