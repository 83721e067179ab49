#!/bin/bash
# Supervise mode, operator controls (issue 13, items 12 and 13) against a real
# supervisord: the status socket (`supervise status`, `pause`, `resume`), the
# give-up after maxRestarts (one notice, re-armed by resume and SIGHUP), the
# Prometheus endpoint, and hostile clients of both servers.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

# One daemon, two checks. idle-mem: status shows state, last result, counts,
# next probe and action; pause keeps a `supervisorctl stop` in place; resume
# acts again. crashy-mem (maxRestarts 1): one restart, then "gave up" with one
# notice (the mock webhook counts them) and no more actions; resume and SIGHUP
# re-arm it.
test_status_pause_resume_give_up() {
  start_mock
  sv_init
  sv_program idle "sleep 600"
  sv_program crashy "sh -c 'sleep 0.3; exit 1'" autostart=false
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
  webhook: $MOCK_URL/webhook
idle-mem:
  program: idle
  type: mem
  maxMem: 1000
  periodSeconds: 1
  failureThreshold: 1
  action: restart
crashy-mem:
  program: crashy
  type: mem
  periodSeconds: 1
  failureThreshold: 1
  initialDelaySeconds: 0
  action: restart,notify
  maxRestarts: 1
  restartWindow: 600
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "status_socket: serving $T/hc.sock" 5
  assert_eq 600 "$(stat -c %a "$T/hc.sock")" "status socket mode"
  wait_log "$HC_LOG" "healthy check=idle-mem " 5
  wait_log "$HC_LOG" "gave_up check=crashy-mem .*gave up after 1 action within 600 s" 10
  run "$HC" supervise status -c "$T/hc.yaml"
  assert_eq 0 "$RC" "status exit code ($ERR)"
  echo "$OUT" | sed 's/^/    | /' >&2
  assert_contains "$(echo "$OUT" | head -1)" "CHECK"
  assert_contains "$(echo "$OUT" | head -1)" "NEXT ACTION"
  local line; line=$(echo "$OUT" | grep '^idle-mem ')
  [[ $line =~ ^idle-mem\ +idle\ +mem\ +healthy\ +pass\ +0\ +[0-9]+\ +in\ [01]\ s\ +restart\ after\ 1\ more\ failure\ + ]] ||
    _fail "status line: [$line]"
  line=$(echo "$OUT" | grep '^crashy-mem ')
  [[ $line =~ ^crashy-mem\ +crashy\ +mem\ +given\ up\ +fail\ +[0-9]+\ +0\ .*none\ \(given\ up ]] || _fail "status line: [$line]"
  run "$HC" supervise status --socket "$T/hc.sock"  # --socket instead of -c
  assert_eq 0 "$RC" "status --socket"
  assert_contains "$OUT" "crashy-mem"

  run "$HC" supervise pause idle-mem -c "$T/hc.yaml"
  assert_eq 0 "$RC" "pause exit code ($ERR)"
  assert_eq "paused idle-mem" "$OUT"
  svctl stop idle >/dev/null
  sv_wait_state idle STOPPED 5
  sleep 2  # failureThreshold 1, period 1: would have acted twice over
  assert_eq STOPPED "$(sv_state idle)" "a paused check restarted its program"
  assert_eq 0 "$(count_log "$HC_LOG" "action check=idle-mem ")" "actions while paused"
  run "$HC" supervise status -c "$T/hc.yaml"
  line=$(echo "$OUT" | grep '^idle-mem ')
  assert_contains "$line" " paused "
  assert_contains "$line" "none while paused"
  # The given-up check stayed quiet: one restart, one gave_up, two notices.
  assert_eq 1 "$(count_log "$HC_LOG" "action check=crashy-mem program=crashy: restart")" "restarts before giving up"
  assert_eq 1 "$(count_log "$HC_LOG" "gave_up check=crashy-mem ")" "gave_up lines"
  wait_log "$HC_LOG" "notify_sent check=crashy-mem .*webhook" 5 2
  assert_eq 2 "$(grep -c '"/webhook"' "$T/requests.jsonl")" "webhook notices (the failure, then the give-up)"
  grep '"/webhook"' "$T/requests.jsonl" | tail -1 | grep -q "gave up after 1 action" ||
    _fail "the last notice does not say it gave up: $(tail -1 "$T/requests.jsonl")"

  # Unknown check: refused, exit 1; a usage error exits 2.
  run "$HC" supervise pause nosuch -c "$T/hc.yaml"
  assert_eq 1 "$RC" "pause of an unknown check"
  assert_contains "$OUT" 'error: no check named "nosuch"'
  run "$HC" supervise pause -c "$T/hc.yaml"
  assert_eq 2 "$RC" "pause without a check"

  run "$HC" supervise resume crashy-mem -c "$T/hc.yaml"
  assert_eq "re-armed crashy-mem" "$OUT"
  run "$HC" supervise resume idle-mem -c "$T/hc.yaml"
  assert_eq "resumed idle-mem" "$OUT"
  wait_log "$HC_LOG" "action check=idle-mem program=idle: restart: stopping idle" 6
  wait_log "$HC_LOG" "action check=crashy-mem program=crashy: restart" 6 2
  wait_log "$HC_LOG" "gave_up check=crashy-mem " 8 2
  kill -HUP "$HC_PID"
  wait_log "$HC_LOG" "rearmed check=crashy-mem .*SIGHUP" 5
  wait_log "$HC_LOG" "action check=crashy-mem program=crashy: restart" 6 3
  sv_wait_state idle RUNNING 10
  hc_stop
  [ -e "$T/hc.sock" ] && _fail "the socket file outlived the daemon"
  return 0
}

# metricsListen: Prometheus text over HTTP/1.1; only GET /metrics; no secret
# in the metrics or the status output; hostile clients do not stall checks.
test_metrics_secrets_and_hostile_clients() {
  local web mport closed
  web=$(free_port); mport=$(free_port); closed=$(free_port)
  sv_init
  sv_program web "$PROGS/web.py $web $T/web.flag 500" startsecs=1
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
  metricsListen: 127.0.0.1:$mport
  statusSocket: $T/ctl.sock
  supervisordPass: Sv-Pass-4411
web-http:
  program: web
  port: $web
  periodSeconds: 1
  action: none
web-secret:
  program: web
  port: $closed
  path: /x?token=Tok-Secret-7788
  username: admin
  password: Pw-Secret-9911
  headers: {Authorization: Bearer Hdr-Secret-5522}
  periodSeconds: 1
  failureThreshold: 1
  action: none
YAML
  chmod 600 "$T/hc.yaml"
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "metrics: serving http://127.0.0.1:$mport/metrics" 5
  wait_log "$HC_LOG" "healthy check=web-http " 6
  wait_log "$HC_LOG" "unhealthy check=web-secret " 6
  run curl -sS -i "http://127.0.0.1:$mport/metrics"
  assert_eq 0 "$RC" "curl /metrics ($ERR)"
  assert_contains "$OUT" "HTTP/1.1 200 OK"
  assert_contains "$OUT" "Content-Type: text/plain; version=0.0.4"
  assert_contains "$OUT" 'healthcheck_check_up{check="web-http",program="web",type="http"} 1'
  assert_contains "$OUT" 'healthcheck_check_up{check="web-secret",program="web",type="http"} 0'
  assert_contains "$OUT" '# TYPE healthcheck_probe_duration_seconds histogram'
  assert_contains "$OUT" 'healthcheck_probe_duration_seconds_bucket{check="web-http",program="web",type="http",le="+Inf"}'
  assert_contains "$OUT" 'healthcheck_probe_duration_seconds_count{check="web-http",program="web",type="http"}'
  assert_contains "$OUT" '# TYPE healthcheck_actions_total counter'
  assert_contains "$OUT" 'healthcheck_notices_total{check="web-secret",program="web",type="http",kind="failed"} 0'
  assert_contains "$OUT" 'healthcheck_check_paused{check="web-http",program="web",type="http"} 0'
  local metrics=$OUT
  run "$HC" supervise status -c "$T/hc.yaml"
  assert_contains "$OUT" "web-secret"
  local status=$OUT s
  for s in Tok-Secret-7788 Pw-Secret-9911 Hdr-Secret-5522 Sv-Pass-4411 admin; do
    assert_not_contains "$metrics" "$s" "metrics"
    assert_not_contains "$status" "$s" "status"
  done
  run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/"
  assert_eq 404 "$OUT" "GET /"
  run curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$mport/metrics"
  assert_eq 404 "$OUT" "POST /metrics"

  # Slow, silent and huge clients of both servers: each is cut off (request
  # cap, 3 s deadline, at most 16 at once) and the checks keep their schedule.
  "$PY" - "$T/ctl.sock" "$mport" "http://127.0.0.1:$mport/metrics" <<'PY' || _fail "hostile clients"
import re, socket, sys, time, urllib.request
sock_path, port, url = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def probes():
    body = urllib.request.urlopen(url, timeout=5).read().decode()
    return int(re.search(r'healthcheck_probe_duration_seconds_count\{check="web-http"[^}]*\} (\d+)', body).group(1))

def reply(s, limit=10):
    s.settimeout(limit)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk

def unix():
    s = socket.socket(socket.AF_UNIX); s.connect(sock_path); return s

def tcp():
    return socket.create_connection(("127.0.0.1", port), timeout=5)

# Huge requests: answered with an error and closed, never buffered whole.
s = unix(); s.sendall(b"x" * 100000)
assert reply(s).startswith(b"error: request too long"), "control socket: huge request"
s = tcp()
try:
    s.sendall(b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 100000)
except (BrokenPipeError, ConnectionResetError):
    pass
assert reply(s).startswith(b"HTTP/1.1 431"), "metrics: huge request"

before = probes()
t0 = time.monotonic()
# 40 silent clients on each server, plus one that sends half a request line.
held = [unix() for _ in range(40)] + [tcp() for _ in range(40)]
slow = tcp()
slow.sendall(b"GET /met")
for s in held:
    s.settimeout(10)
closed_at = []
for s in held:
    try:
        data = s.recv(100)
    except (ConnectionResetError, socket.timeout):
        data = b""
    closed_at.append(time.monotonic() - t0)
assert max(closed_at) < 6.5, "silent clients not cut off in time: %.1f s" % max(closed_at)
elapsed = time.monotonic() - t0
after = probes()
print("    hostile clients cut off after %.1f s; probes %d -> %d" % (max(closed_at), before, after), file=sys.stderr)
assert max(closed_at) >= 2.0 or min(closed_at) < 1.0, closed_at
assert after - before >= int(elapsed) - 1, "the check stalled: %d probes in %.1f s" % (after - before, elapsed)
PY
  run "$HC" supervise status -c "$T/hc.yaml"
  assert_eq 0 "$RC" "status after the hostile clients ($ERR)"
  assert_no_log "$HC_LOG" "check_error"
  hc_stop
}

run_tests
