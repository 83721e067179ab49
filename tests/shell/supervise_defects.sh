#!/bin/bash
# Supervise mode against a real supervisord: defects of the original Python
# daemon that no other test covers, one test each.
# docs/DEFECTS.md maps every defect to the test(s) proving we do not have it.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

# log_ms LINE: the millisecond timestamp of a text log line.
log_ms() {
  "$PY" -c 'import sys,datetime; s=sys.argv[1].split()[0]; print(int(datetime.datetime.strptime(s[:23], "%Y-%m-%dT%H:%M:%S.%f").timestamp()*1000))' "$1"
}

# Defect: "quoted tcp port always fails and so restarts healthy services"
# (the original compared/connected with the port as a string). Quoted ports
# ('P' and "P") for tcp and http checks against a listening program pass,
# in --once and in the daemon, and nothing is restarted.
# Defect: "footprint ~24 MB RSS, 3 threads": the same daemon's RSS and
# threads, measured while it runs these checks.
test_quoted_tcp_port_passes() {
  sv_web 500
  local p=$WEB_PORT
  cat >> "$T/hc.yaml" <<YAML
tcp-single:
  program: web
  type: tcp
  host: 127.0.0.1
  port: '$p'
  periodSeconds: 1
  timeoutSeconds: 1
  failureThreshold: 1
  action: restart
tcp-double:
  program: web
  type: tcp
  port: "$p"
  periodSeconds: 1
  timeoutSeconds: 1
  failureThreshold: 1
  action: restart
http-quoted:
  program: web
  port: '$p'
  periodSeconds: 1
  timeoutSeconds: 1
  failureThreshold: 1
  action: restart
YAML
  local pid; pid=$(sv_pid web)
  run "$HC" supervise --once -c "$T/hc.yaml"
  assert_eq 0 "$RC" "--once exit code (out: $OUT err: $ERR)"
  assert_contains "$OUT" "tcp-single web tcp pass: tcp 127.0.0.1:$p: connected"
  assert_contains "$OUT" "tcp-double web tcp pass: tcp localhost:$p: connected"
  assert_contains "$OUT" "http-quoted web http pass: GET http://localhost:$p/: HTTP 200"
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "healthy check=tcp-single .*connected" 5
  wait_log "$HC_LOG" "healthy check=tcp-double .*connected" 5
  wait_log "$HC_LOG" "healthy check=http-quoted .*HTTP 200" 5
  sleep 1.2  # more periods each
  # Footprint (a static binary only: a sanitizer build is bigger by design).
  if ! readelf -l "$HC" 2>/dev/null | grep -q INTERP; then
    local rss threads
    rss=$(awk '/^VmRSS:/{print $2}' "/proc/$HC_PID/status")
    threads=$(awk '/^Threads:/{print $2}' "/proc/$HC_PID/status")
    echo "    daemon with 3 checks: VmRSS $rss KB, $threads threads (original: ~24 MB, 3 threads)" >&2
    assert_lt "$rss" 8192 "daemon VmRSS in KB (original ~24 MB)"
    # The event loop + the proc worker + the mail and robot workers.
    assert_lt "$threads" 5 "daemon threads"
  fi
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit code"
  assert_no_log "$HC_LOG" " (check_failed|check_error|unhealthy|action|action_done) "
  assert_eq "$pid" "$(sv_pid web)" "pid of web"
  assert_eq 1 "$(count_log "$SV_LOG" "spawned: 'web'")" "spawns of web"
}

# Defect: "cpu% is a lifetime average from ps". A program burns 3 s of CPU
# after start, then sleeps. Once idle, its lifetime average (what ps shows,
# and what the original compared with maxCpu) is still above maxCpu 5%
# (~60% on an idle machine, ~15% with both cores busy elsewhere, which is
# why the threshold is low), but our cpu check (utime+stime delta over ~1 s)
# sees ~0% and passes.
test_cpu_is_not_a_lifetime_average() {
  sv_init
  sv_program burst "$PROGS/burst.py 3 $T/burst.done"
  sv_start
  local pid i; pid=$(sv_pid burst)
  [ "$pid" -gt 0 ] || _fail "no pid for burst"
  for i in $(seq 1 150); do [ -e "$T/burst.done" ] && break; sleep 0.1; done
  [ -e "$T/burst.done" ] || _fail "burst.py did not finish its busy phase in 15 s"
  sleep 0.3
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
burst-cpu:
  program: burst
  type: cpu
  maxCpu: 5
  action: restart
YAML
  run "$HC" supervise --once -c "$T/hc.yaml"
  assert_eq 0 "$RC" "--once exit code of the cpu check (out: $OUT err: $ERR)"
  assert_contains "$OUT" "burst-cpu burst cpu pass: cpu "
  local pct; pct=$(printf '%s\n' "$OUT" | grep -oE 'cpu [0-9.]+% of one core' | grep -oE '[0-9.]+')
  [ -n "$pct" ] || _fail "no cpu % in: $OUT"
  assert_lt "$pct" 5 "cpu % measured by the check after the busy phase"
  # The lifetime average, measured after the check ran (so it is the
  # lowest it was during the check): /proc/PID/stat and ps.
  local life ps_pct
  life=$("$PY" - "$pid" <<'PY'
import os, sys
pid = sys.argv[1]
stat = open("/proc/%s/stat" % pid).read()
f = stat[stat.rindex(")") + 2:].split()
# fields 14, 15, 22 of stat(5); f[0] is field 3
utime, stime, start = int(f[11]), int(f[12]), int(f[19])
hz = os.sysconf("SC_CLK_TCK")
up = float(open("/proc/uptime").read().split()[0])
print("%.1f" % (100.0 * (utime + stime) / hz / (up - start / hz)))
PY
)
  ps_pct=$(ps -o %cpu= -p "$pid" | tr -d ' ')
  echo "    after the busy phase: check ${pct}%, lifetime average ${life}% (/proc), ${ps_pct}% (ps)" >&2
  assert_lt 5 "$life" "lifetime cpu average of burst from /proc (must be above maxCpu)"
  [ -n "$ps_pct" ] && assert_lt 5 "$ps_pct" "ps %cpu of burst (must be above maxCpu)"
  assert_eq "$pid" "$(sv_pid burst)" "pid of burst"
}

# Defect: "thresholds are not consecutive" (the original counted every
# failure). A service whose answer alternates 500/200 per request, checked
# every second with failureThreshold 2 and action restart: several
# failures in total, never two in a row, so no action and the same pid.
test_thresholds_are_consecutive() {
  sv_init
  local p; p=$(free_port)
  sv_program flappy "$PROGS/flappy.py $p $T/answers" startsecs=1
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
flappy-http:
  program: flappy
  host: 127.0.0.1
  port: $p
  periodSeconds: 1
  timeoutSeconds: 1
  initialDelaySeconds: 1
  failureThreshold: 2
  action: restart
YAML
  local pid; pid=$(sv_pid flappy)
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "check_failed check=flappy-http .*HTTP 500 \(1/2\)$" 10 3
  sleep 0.3
  hc_stop
  local fails answers500
  fails=$(count_log "$HC_LOG" "check_failed check=flappy-http ")
  answers500=$(count_log "$T/answers" "^500$")
  echo "    $fails failures seen, $answers500 answers 500 of $(grep -c . "$T/answers") in total" >&2
  [ "$fails" -ge 3 ] || _fail "only $fails failures"
  [ "$answers500" -ge 3 ] || _fail "only $answers500 answers 500"
  assert_eq "$fails" "$(count_log "$HC_LOG" "check_failed check=flappy-http .*\(1/2\)$")" "failures counted 1/2"
  assert_no_log "$HC_LOG" "\(2/2\)|unhealthy|action|action_done"
  wait_log "$HC_LOG" "healthy check=flappy-http " 1
  assert_eq "$pid" "$(sv_pid flappy)" "pid of flappy"
  assert_eq 1 "$(count_log "$SV_LOG" "spawned: 'flappy'")" "spawns of flappy"
}

# Defect: "no grace period after a restart" (the original probed right
# away and restarted a service still starting up). The program needs
# ~0.7 s after a restart before it listens (supervisord says RUNNING at
# once, startsecs=0). With initialDelaySeconds 2 the check is on hold after
# our restart: no probe fails while the program starts, the hold is
# released 1-3 s after the restart (supervisord's times are whole seconds),
# and it recovers without a second restart.
test_grace_after_restart() {
  sv_init
  local p; p=$(free_port)
  sv_program slow "/bin/sh -c 'if [ -e $T/slow.marker ]; then sleep 0.5; fi; touch $T/slow.marker; exec $PROGS/web.py $p $T/slow.flag 500 --clear-flag'" startsecs=0
  sv_start
  hc_config "$T/hc.yaml"
  # failureThreshold 4: the backoff gap (period x threshold = 4 s) outlasts
  # the grace, so the hold ends by the grace, not by the backoff.
  cat >> "$T/hc.yaml" <<YAML
slow-http:
  program: slow
  host: 127.0.0.1
  port: $p
  periodSeconds: 1
  timeoutSeconds: 1
  initialDelaySeconds: 2
  failureThreshold: 4
  action: restart
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "healthy check=slow-http " 5
  touch "$T/slow.flag"
  wait_log "$HC_LOG" "action_done check=slow-http program=slow: restart: slow started" 8
  wait_log "$HC_LOG" "hold_released check=slow-http " 8
  wait_log "$HC_LOG" "recovered check=slow-http " 4
  sleep 0.5
  hc_stop
  check_lines "$HC_LOG" slow-http > "$T/slow.log"
  sed -n '/ action_done /,$p' "$T/slow.log" > "$T/after.log"
  assert_no_log "$T/after.log" " (check_failed|check_error|unhealthy|hold_expired|action) " "log after the restart"
  local done_ms rel_ms
  done_ms=$(log_ms "$(grep -m1 ' action_done ' "$T/slow.log")")
  rel_ms=$(log_ms "$(grep -m1 ' hold_released ' "$T/slow.log")")
  echo "    hold released $((rel_ms - done_ms)) ms after the restart (initialDelaySeconds 2)" >&2
  assert_lt 900 $((rel_ms - done_ms)) "ms from restart to hold release"
  assert_eq 1 "$(count_log "$T/slow.log" " action ")" "restarts"
  assert_eq 2 "$(count_log "$SV_LOG" "spawned: 'slow'")" "spawns of slow"
}

# Defect: "a stopped program is never acted on" - also not the second time.
# A program that exits 0.2 s after every start (startsecs=0, no
# autorestart) never reaches RUNNING + grace after our restart, so the
# hold expires with the backoff; it must then be restarted again (with a
# growing gap), not left EXITED for good.
test_exited_again_after_restart_is_acted_on_again() {
  sv_init
  sv_program fast "/bin/sh -c 'sleep 0.2; exit 1'" startsecs=0
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
fast-mem:
  program: fast
  type: mem
  periodSeconds: 1
  failureThreshold: 1
  action: restart
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "action_done check=fast-mem " 5
  # Gaps 1, 2, 4 s: the 2nd and 3rd restarts come within ~4 s of the first.
  wait_log "$HC_LOG" "action check=fast-mem program=fast: restart: stopping fast" 7 3
  hc_stop
  local actions; actions=$(count_log "$HC_LOG" "action check=fast-mem ")
  [ "$actions" -le 4 ] || _fail "$actions restarts: restart storm"
}

run_tests
