#!/bin/bash
# Supervise-mode benchmark: the `healthcheck supervise` daemon against monit,
# both checking the same targets on 127.0.0.1 for BENCH_SECONDS each:
#
#   10 / 100 checks   mix of http, tcp (private nginx), mem, cpu (programs of a
#                     private supervisord), periodSeconds 5
#   1000 checks       http only, periodSeconds 1
#   hang              100 checks at periodSeconds 1 plus one http check against
#                     a port that accepts and never answers (timeoutSeconds 3)
#   sv0, sv1          references for supervisord's own CPU: no client (idle)
#                     and one supervisor.getAllProcessInfo call per second
#
# supervisord's CPU is measured in every run (monit's too: its idle cost) and
# added to the tool's: the daemon's true cost is the sum. The original Python
# script is not measured: it does not start on Python >= 3.9 (Debian 12 has
# 3.11 only; 3.8 is not packaged), see README "Differences from the original".
#
# For each run: peak and final RSS (/proc/PID/status VmHWM, VmRSS), CPU % of
# one core (utime+stime delta of /proc/PID/stat over the wall time), the
# daemon's own worst schedule delay (SIGUSR1 `stats` line, worst_delay_ms) and,
# for both tools, the worst gap between two requests of one check as nginx saw
# them, minus the period. Writes a table between the supervise markers of
# docs/BENCHMARKS.md and a gnuplot SVG (docs/bench-supervise.svg).
#
# Usage (from the repo root): scripts/bench-supervise.sh
#   HC_BIN=path          binary to measure (default build/healthcheck)
#   BENCH_SECONDS=60     duration of each run (10 for a quick look)
#   BENCH_MONIT=1        0 = skip the monit runs
#   BENCH_OUT=docs/BENCHMARKS.md   file to update ("-" = print only, no plot)
#   BENCH_SVG=docs/bench-supervise.svg   plot to write ("" = no plot)
#   BENCH_SCENARIOS="s10 s100 s1000 hang sv0 sv1"   which runs (the report needs all)
#   BENCH_KEEP=1         keep the temp folder (configs, logs, nginx access log)
#   BENCH_WAIT_IDLE=SECONDS  first wait (up to that long) for the 1-minute load
#                        average to drop below nproc/2
# Needs: nginx-light supervisor monit gnuplot-nox (scripts/install-deps.sh bench).
# Only loopback traffic. Everything it starts (supervisord and its programs,
# healthcheck, monit) is stopped by pid on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

HC=${HC_BIN:-build/healthcheck}
SECS=${BENCH_SECONDS:-60}
RUN_MONIT=${BENCH_MONIT:-1}
OUT=${BENCH_OUT:-docs/BENCHMARKS.md}
SVG=${BENCH_SVG-docs/bench-supervise.svg}
[ "$OUT" = - ] && SVG=""   # a trial run leaves the committed plot alone
PY=/usr/bin/python3
SUPERVISORD=/usr/bin/supervisord

case "$SECS" in ''|*[!0-9]*) echo "bench: BENCH_SECONDS must be a whole number" >&2; exit 2 ;; esac
[ "$SECS" -ge 5 ] || { echo "bench: BENCH_SECONDS must be at least 5" >&2; exit 2; }
need_pkgs="nginx-light supervisor"
[ "$RUN_MONIT" = 1 ] && need_pkgs="$need_pkgs monit"
[ -n "$SVG" ] && need_pkgs="$need_pkgs gnuplot-nox"
missing=""
for p in $need_pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "bench: missing packages:$missing (run scripts/install-deps.sh bench)" >&2
  exit 1
fi
[ -x "$HC" ] || { echo "bench: $HC not found; run 'make' first (or set HC_BIN)" >&2; exit 1; }
HC=$(readlink -f "$HC")
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
MONIT=$(command -v monit || echo /usr/bin/monit)

TMP=$(mktemp -d /tmp/hc-bench-sv.XXXXXX)
chmod 755 "$TMP"   # nginx workers may run as another user
SV_PID=""; TOOL_PID=""; MEASURE_PID=""
stop_pid() {  # pid, seconds to wait before SIGKILL
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$MEASURE_PID" 2
  stop_pid "$TOOL_PID" 5
  stop_pid "$SV_PID" 15
  # supervisord stops its programs; should it have died first, stop nginx
  # (started by us through supervisord) by its pid file.
  if [ -s "$TMP/nginx.pid" ]; then
    local np; np=$(cat "$TMP/nginx.pid")
    [ -d "/proc/$np" ] && grep -q nginx "/proc/$np/comm" 2>/dev/null && kill -TERM "$np" 2>/dev/null
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $TMP" >&2; else rm -rf "$TMP"; fi
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
HTTP_PORT=$(free_port)
HANG_PORT=$(free_port); while [ "$HANG_PORT" = "$HTTP_PORT" ]; do HANG_PORT=$(free_port); done
WEB_PORT=$(free_port); while [ "$WEB_PORT" = "$HTTP_PORT" ] || [ "$WEB_PORT" = "$HANG_PORT" ]; do WEB_PORT=$(free_port); done

# ---- targets: nginx and a few programs, all under a private supervisord ------
mkdir -p "$TMP/www" "$TMP/logs" "$TMP/tmp" "$TMP/childlogs" "$TMP/pids"
echo ok >"$TMP/www/index.html"; chmod 644 "$TMP/www/index.html"; chmod 755 "$TMP/www"
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$TMP/nginx.conf" <<EOF
$user_line
worker_processes 1;
worker_rlimit_nofile 8192;
pid $TMP/nginx.pid;
error_log $TMP/logs/error.log warn;
events { worker_connections 4096; }
http {
  log_format bench '\$msec \$uri';
  access_log $TMP/logs/access.log bench;
  client_body_temp_path $TMP/tmp/body;
  proxy_temp_path $TMP/tmp/proxy;
  fastcgi_temp_path $TMP/tmp/fastcgi;
  uwsgi_temp_path $TMP/tmp/uwsgi;
  scgi_temp_path $TMP/tmp/scgi;
  default_type text/plain;
  keepalive_timeout 5;
  server {
    listen 127.0.0.1:$HTTP_PORT backlog=4096;
    location / { return 200 "ok\n"; }
  }
}
EOF
# Accepts connections and never answers (the hanging check's target).
cat >"$TMP/hang.py" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(128)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
    if len(held) > 200:
        held.pop(0).close()
EOF
SV_CONF=$TMP/supervisord.conf
SV_SOCK=$TMP/sv.sock
cat >"$SV_CONF" <<EOF
[unix_http_server]
file=$SV_SOCK

[supervisord]
logfile=$TMP/supervisord.log
pidfile=$TMP/supervisord.pid
childlogdir=$TMP/childlogs
nodaemon=true
minfds=4096

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$SV_SOCK

[program:nginx]
command=$NGINX -c $TMP/nginx.conf -p $TMP -g "daemon off;"
stdout_logfile=$TMP/logs/nginx.out
redirect_stderr=true

[program:web]
command=$PY -m http.server $WEB_PORT --bind 127.0.0.1 --directory $TMP/www
stdout_logfile=$TMP/logs/web.out
redirect_stderr=true

[program:hang]
command=$PY $TMP/hang.py $HANG_PORT
stdout_logfile=$TMP/logs/hang.out
redirect_stderr=true
EOF
for i in 1 2 3; do
  printf '\n[program:sleep%s]\ncommand=/bin/sleep 1000000\nstdout_logfile=NONE\nredirect_stderr=true\n' "$i" >>"$SV_CONF"
done
PROGRAMS="nginx web hang sleep1 sleep2 sleep3"
"$PY" "$SUPERVISORD" -n -c "$SV_CONF" >"$TMP/supervisord.out" 2>&1 &
SV_PID=$!
ctl() { "$PY" /usr/bin/supervisorctl -c "$SV_CONF" "$@"; }
up=0
for _ in $(seq 150); do
  kill -0 "$SV_PID" 2>/dev/null || break
  if [ "$(ctl status 2>/dev/null | grep -c ' RUNNING ')" = 6 ]; then up=1; break; fi
  sleep 0.1
done
if [ "$up" != 1 ]; then
  echo "bench: supervisord or its programs did not come up:" >&2
  ctl status >&2 2>/dev/null || true
  tail -n 20 "$TMP/supervisord.log" "$TMP/logs/nginx.out" "$TMP/logs/error.log" >&2 2>/dev/null || true
  exit 1
fi
for p in $PROGRAMS; do ctl pid "$p" >"$TMP/pids/$p.pid"; done
NGINX_MASTER=$(cat "$TMP/pids/nginx.pid")
# Loopback only, and only to what we started.
$PY - "$HTTP_PORT" <<'EOF'
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:%s/check" % sys.argv[1], timeout=5) as r:
    assert r.status == 200, r.status
EOF
: >"$TMP/logs/access.log"

# ---- config generators ----------------------------------------------------------
# gen.py TOOL N PERIOD KIND HANG OUT: KIND mix|http; TOOL hc|monit
cat >"$TMP/gen.py" <<'EOF'
import os, sys
tool, n, period, kind, hang, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1", sys.argv[6]
tmp, http_port, hang_port, sock = os.environ["TMP"], os.environ["HTTP_PORT"], os.environ["HANG_PORT"], os.environ["SV_SOCK"]
timeout = min(3, period)
procs = ["sleep1", "sleep2", "sleep3", "web", "nginx"]
def kind_of(i):
    if kind == "http":
        return "http"
    return ["http", "http", "tcp", "mem", "cpu"][i % 5]
checks = [(i, kind_of(i)) for i in range(1, n + 1)]
lines = []
if tool == "hc":
    lines += ["config:", "  supervisordUrl: unix://" + sock, ""]
    def common(period, timeout):
        return ["  periodSeconds: %d" % period, "  timeoutSeconds: %d" % timeout, "  action: none"]
    for i, k in checks:
        lines.append("c%04d:" % i)
        if k in ("http", "tcp"):
            lines += ["  program: nginx", "  type: " + k, "  host: 127.0.0.1", "  port: " + http_port]
            if k == "http":
                lines.append("  path: /hc/%d" % i)
        else:
            lines += ["  program: " + procs[i % len(procs)], "  type: " + k]
            lines.append("  maxMem: 1024" if k == "mem" else "  maxCpu: 90")
        lines += common(period, timeout)
    if hang:
        lines += ["hang:", "  program: hang", "  type: http", "  host: 127.0.0.1", "  port: " + hang_port,
                  "  path: /", "  periodSeconds: %d" % period, "  timeoutSeconds: 3", "  action: none"]
else:
    lines += ["set daemon %d" % period, "set log %s/monit.log" % tmp, "set pidfile %s/monit.pid" % tmp,
              "set statefile %s/monit.state" % tmp, "set idfile %s/monit.id" % tmp, ""]
    for i, k in checks:
        if k == "http":
            lines += ["check host h%d with address 127.0.0.1" % i,
                      '  if failed port %s protocol http request "/m/%d" with timeout %d seconds then alert'
                      % (http_port, i, timeout)]
        elif k == "tcp":
            lines += ["check host h%d with address 127.0.0.1" % i,
                      "  if failed port %s type tcp with timeout %d seconds then alert" % (http_port, timeout)]
        else:
            lines.append("check process p%d with pidfile %s/pids/%s.pid" % (i, tmp, procs[i % len(procs)]))
            lines.append("  if memory > 1024 MB then alert" if k == "mem" else "  if cpu > 90% then alert")
    if hang:
        lines += ["check host hang with address 127.0.0.1",
                  '  if failed port %s protocol http request "/" with timeout 3 seconds then alert' % hang_port]
open(out, "w").write("\n".join(lines) + "\n")
os.chmod(out, 0o600)
EOF

# measure.py PID SECONDS OUT_JSON [NAME=PID | NAME=+PID ...]: CPU and memory of
# PID (all threads) over SECONDS; CPU of each peer too (+PID: with its children).
cat >"$TMP/measure.py" <<'EOF'
import json, os, sys, time
pid, secs, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
peers = dict(a.split("=", 1) for a in sys.argv[4:])
tck = os.sysconf("SC_CLK_TCK")
def ticks(p):
    with open("/proc/%d/stat" % p) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])   # fields 14 utime, 15 stime
def tree(p):
    out = [p]
    try:
        for t in os.listdir("/proc/%d/task" % p):
            with open("/proc/%d/task/%s/children" % (p, t)) as f:
                for c in f.read().split():
                    out += tree(int(c))
    except OSError:
        pass
    return out
def tree_ticks(spec):
    s = {}
    for q in (tree(int(spec[1:])) if spec.startswith("+") else [int(spec)]):
        try: s[q] = ticks(q)
        except OSError: pass
    return s
def status(p):
    d = {}
    with open("/proc/%d/status" % p) as f:
        for l in f:
            k, _, v = l.partition(":")
            d[k] = v.strip()
    return d
t0 = time.monotonic(); c0 = ticks(pid)
p0 = {n: tree_ticks(q) for n, q in peers.items()}
max_rss = 0
while True:
    left = t0 + secs - time.monotonic()
    if left <= 0: break
    time.sleep(min(0.5, left))
    max_rss = max(max_rss, int(status(pid)["VmRSS"].split()[0]))
c1 = ticks(pid); t1 = time.monotonic()
p1 = {n: tree_ticks(q) for n, q in peers.items()}
st = status(pid)
wall = t1 - t0
r = {"wall": wall, "cpu_s": (c1 - c0) / tck, "cpu_pct": 100.0 * (c1 - c0) / tck / wall,
     "hwm_kb": int(st["VmHWM"].split()[0]), "rss_kb": int(st["VmRSS"].split()[0]),
     "rss_max_sampled_kb": max_rss, "threads": int(st["Threads"])}
for n in peers:
    d = sum(v - p0[n].get(q, v) for q, v in p1[n].items())
    r["peer_" + n + "_pct"] = 100.0 * d / tck / wall
    r["peer_" + n + "_ticks"] = d
json.dump(r, open(out, "w"))
EOF

# gaps.py ACCESS_LOG PERIOD PREFIX SECONDS: worst gap - period between two
# requests of one check (ms), requests/s, checks seen.
cat >"$TMP/gaps.py" <<'EOF'
import collections, json, sys
log, period, prefix, secs = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
times = collections.defaultdict(list)
n = 0
for line in open(log):
    parts = line.split()
    if len(parts) != 2 or not parts[1].startswith(prefix): continue
    times[parts[1]].append(float(parts[0])); n += 1
worst = 0.0
for t in times.values():
    t.sort()
    for a, b in zip(t, t[1:]):
        worst = max(worst, (b - a - period) * 1000)
print(json.dumps({"requests": n, "req_per_s": n / secs, "paths": len(times), "worst_gap_excess_ms": worst}))
EOF
export TMP HTTP_PORT HANG_PORT SV_SOCK

busy() { awk -v n="$(nproc)" '{exit !($1 >= n / 2)}' /proc/loadavg; }
waited=0
while busy && [ "$waited" -lt "${BENCH_WAIT_IDLE:-0}" ]; do sleep 5; waited=$((waited + 5)); done
busy && echo "bench: warning: load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs; figures will be noisy" >&2

RESULTS=$TMP/results.jsonl
: >"$RESULTS"
SV_PY_PID=$SV_PID

# run_one SCENARIO TOOL N PERIOD KIND HANG
run_one() {
  local sc=$1 tool=$2 n=$3 period=$4 kind=$5 hang=$6 conf log pid load0 load1 prefix
  : >"$TMP/logs/access.log"
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  log=$TMP/$sc-$tool.log
  if [ "$tool" = hc ]; then
    conf=$TMP/$sc.yaml; prefix=/hc/
    $PY "$TMP/gen.py" hc "$n" "$period" "$kind" "$hang" "$conf"
    "$HC" supervise -c "$conf" --test >/dev/null || { echo "bench: config $conf rejected" >&2; "$HC" supervise -c "$conf" --test >&2; exit 1; }
    "$HC" supervise -c "$conf" >"$log" 2>&1 &
  else
    conf=$TMP/$sc.monitrc; prefix=/m/
    $PY "$TMP/gen.py" monit "$n" "$period" "$kind" "$hang" "$conf"
    rm -f "$TMP/monit.log" "$TMP/monit.state" "$TMP/monit.pid"
    "$MONIT" -t -c "$conf" >/dev/null 2>&1 || { echo "bench: monit rejects $conf:" >&2; "$MONIT" -t -c "$conf" >&2; exit 1; }
    "$MONIT" -I -c "$conf" >"$log" 2>&1 &
  fi
  pid=$!; TOOL_PID=$pid
  echo "bench: $sc: $tool, $n checks, period $period s, ${SECS} s (load $load0)" >&2
  # In the background so that a signal reaches the trap now, not after the run.
  $PY "$TMP/measure.py" "$pid" "$SECS" "$TMP/m.json" "supervisord=$SV_PY_PID" "nginx=+$NGINX_MASTER" &
  MEASURE_PID=$!
  wait "$MEASURE_PID"
  MEASURE_PID=""
  local stats="" worst="" probes="" skipped=""
  if [ "$tool" = hc ]; then
    kill -USR1 "$pid"
    for _ in $(seq 50); do grep -q ' stats: ' "$log" && break; sleep 0.1; done
    stats=$(grep ' stats: ' "$log" | tail -n1)
    [ -n "$stats" ] || { echo "bench: no stats line after SIGUSR1:" >&2; tail -n 20 "$log" >&2; exit 1; }
    worst=$(sed -n 's/.*worst_delay_ms=\([0-9-]*\).*/\1/p' <<<"$stats")
    probes=$(sed -n 's/.*probes=\([0-9]*\).*/\1/p' <<<"$stats")
    skipped=$(sed -n 's/.*skipped_busy=\([0-9]*\).*/\1/p' <<<"$stats")
  fi
  stop_pid "$pid" 10; TOOL_PID=""
  if [ "$tool" = hc ] && ! grep -q ' stopped: ' "$log"; then
    echo "bench: no 'stopped' line after SIGTERM:" >&2; tail -n 20 "$log" >&2; exit 1
  fi
  load1=$(cut -d' ' -f1-3 /proc/loadavg)
  local errors
  if [ "$tool" = hc ]; then
    errors=$(grep -cE ' (check_failed|check_error|unhealthy) ' "$log" || true)
  else
    errors=$(grep -ciE 'failed|error' "$TMP/monit.log" 2>/dev/null || true)
    cp "$TMP/monit.log" "$log.monitlog" 2>/dev/null || true
  fi
  local gaps; gaps=$($PY "$TMP/gaps.py" "$TMP/logs/access.log" "$period" "$prefix" "$SECS")
  cp "$TMP/logs/access.log" "$TMP/logs/access-$sc-$tool.log"
  $PY - "$TMP/m.json" "$RESULTS" <<EOF
import json, sys
m = json.load(open(sys.argv[1]))
m.update(json.loads('''$gaps'''))
m.update({"scenario": "$sc", "tool": "$tool", "checks": $n, "period": $period, "kind": "$kind",
          "hang": $hang == 1, "worst_delay_ms": int("${worst:-0}") if "$tool" == "hc" else None,
          "probes": int("${probes:-0}") if "$tool" == "hc" else None,
          "skipped_busy": int("${skipped:-0}") if "$tool" == "hc" else None,
          "errors": int("${errors:-0}"), "load_before": "$load0", "load_after": "$load1"})
open(sys.argv[2], "a").write(json.dumps(m) + "\n")
print("bench:   rss peak %(hwm_kb)d KB, cpu %(cpu_pct).3f%%, worst delay %(worst_delay_ms)s ms, "
      "nginx %(req_per_s).1f req/s, gap excess %(worst_gap_excess_ms).0f ms, supervisord %(peer_supervisord_pct).2f%%"
      % m, file=sys.stderr)
EOF
  sleep 2   # let TIME_WAIT and the load settle between runs
}

# ref.py SOCK CALLS_PER_S SECONDS: a supervisord client that makes
# supervisor.getAllProcessInfo calls at a fixed rate (0: none, just waits).
cat >"$TMP/ref.py" <<'EOF'
import sys, time, xmlrpc.client
from supervisor.xmlrpc import SupervisorTransport
sock, rate, secs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
proxy = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=SupervisorTransport(None, None, "unix://" + sock))
t0 = time.monotonic(); n = 0
while time.monotonic() - t0 < secs + 5:
    if rate > 0:
        proxy.supervisor.getAllProcessInfo(); n += 1
        time.sleep(max(0.0, t0 + n / rate - time.monotonic()))
    else:
        time.sleep(1)
EOF

# run_ref SCENARIO CALLS_PER_S: supervisord's CPU with that reference client.
run_ref() {
  local sc=$1 rate=$2 pid load0 load1
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  $PY "$TMP/ref.py" "$SV_SOCK" "$rate" "$SECS" &
  pid=$!; TOOL_PID=$pid
  echo "bench: $sc: supervisord with $rate getAllProcessInfo calls/s, ${SECS} s (load $load0)" >&2
  $PY "$TMP/measure.py" "$pid" "$SECS" "$TMP/m.json" "supervisord=$SV_PY_PID" &
  MEASURE_PID=$!
  wait "$MEASURE_PID"
  MEASURE_PID=""
  stop_pid "$pid" 5; TOOL_PID=""
  load1=$(cut -d' ' -f1-3 /proc/loadavg)
  $PY - "$TMP/m.json" "$RESULTS" <<EOF
import json, sys
m = json.load(open(sys.argv[1]))
m.update({"scenario": "$sc", "tool": "ref", "calls_per_s": $rate, "load_before": "$load0", "load_after": "$load1"})
open(sys.argv[2], "a").write(json.dumps(m) + "\n")
print("bench:   supervisord %(peer_supervisord_pct).3f%%" % m, file=sys.stderr)
EOF
  sleep 2
}

# SCENARIO CHECKS PERIOD KIND HANG
SCENARIOS="s10:10:5:mix:0 s100:100:5:mix:0 s1000:1000:1:http:0 hang:100:1:mix:1"
WANT=" ${BENCH_SCENARIOS:-s10 s100 s1000 hang sv0 sv1} "
case "$WANT" in *" sv0 "*) run_ref sv0 0 ;; esac
case "$WANT" in *" sv1 "*) run_ref sv1 1 ;; esac
for s in $SCENARIOS; do
  IFS=: read -r sc n period kind hang <<<"$s"
  case "$WANT" in *" $sc "*) ;; *) continue ;; esac
  run_one "$sc" hc "$n" "$period" "$kind" "$hang"
  [ "$RUN_MONIT" = 1 ] && run_one "$sc" monit "$n" "$period" "$kind" "$hang"
done

# ---- facts, report, plot ----------------------------------------------------------
{
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'os\t%s\n' "$(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}")"
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'v_hc\t%s\n' "$("$HC" --version 2>&1 | head -n1)"
  printf 'hc_size\t%s\n' "$(stat -c %s "$HC")"
  printf 'v_monit\t%s\n' "$("$MONIT" -V 2>/dev/null | head -n1 | sed 's/^This is //')"
  printf 'v_nginx\t%s\n' "$("$NGINX" -v 2>&1 | head -n1)"
  printf 'v_supervisord\t%s\n' "$("$PY" "$SUPERVISORD" --version 2>&1 | head -n1)"
  printf 'v_gnuplot\t%s\n' "$(gnuplot --version 2>/dev/null | head -n1 || echo -)"
  printf 'secs\t%s\n' "$SECS"
} >"$TMP/facts.tsv"

HC_SCRIPTS="$(cd "$(dirname "$0")" && pwd)" $PY - "$RESULTS" "$TMP/facts.tsv" "$OUT" "$TMP/plot.dat" <<'PYEOF'
import json, os, sys
res_path, facts_path, out, plot_dat = sys.argv[1:5]
R = [json.loads(l) for l in open(res_path)]
facts = dict(l.rstrip("\n").split("\t", 1) for l in open(facts_path, encoding="utf-8"))
get = lambda sc, tool: next((r for r in R if r["scenario"] == sc and r["tool"] == tool), None)
label = {"s10": "10 checks", "s100": "100 checks", "s1000": "1000 checks", "hang": "100 checks + 1 hanging"}
what = {"mix": "http, tcp, mem, cpu", "http": "http"}

def ratio(a, b):
    return "%.2fx" % (a / b) if b else "-"

def http_per_s(r):  # scheduled http probes per second (gen.py: mix = i % 5 in (0, 1))
    n = r["checks"] if r["kind"] == "http" else sum(1 for i in range(1, r["checks"] + 1) if i % 5 in (0, 1))
    return n / r["period"]

rows = ["| scenario | checks | period | tool | RSS peak (KB) | RSS end (KB) | CPU % of one core | worst delay (ms) | worst gap at nginx (ms) | HTTP req/s at nginx (of scheduled) | supervisord CPU % | sum: tool + supervisord CPU % | load (1 min) |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
ratio_rows = ["| scenario | RSS peak healthcheck/monit | CPU healthcheck/monit |", "|---|---:|---:|"]
for sc in ["s10", "s100", "s1000", "hang"]:
    for tool in ["hc", "monit"]:
        r = get(sc, tool)
        if not r: continue
        checks = "%d (%s)" % (r["checks"], what[r["kind"]]) + (" + 1 hanging" if r["hang"] else "")
        rows.append("| %s | %s | %d s | %s | %d | %d | %.3f | %s | %.0f | %.1f of %g | %.3f | %.3f | %s → %s |" % (
            label[sc], checks, r["period"], "healthcheck" if tool == "hc" else "monit",
            r["hwm_kb"], r["rss_kb"], r["cpu_pct"],
            str(r["worst_delay_ms"]) if r["worst_delay_ms"] is not None else "-",
            r["worst_gap_excess_ms"], r["req_per_s"], http_per_s(r),
            r["peer_supervisord_pct"], r["cpu_pct"] + r["peer_supervisord_pct"],
            r["load_before"].split()[0], r["load_after"].split()[0]))
    h, m = get(sc, "hc"), get(sc, "monit")
    if h and m:
        ratio_rows.append("| %s | %s | %s |" % (label[sc], ratio(h["hwm_kb"], m["hwm_kb"]), ratio(h["cpu_pct"], m["cpu_pct"])))

with open(plot_dat, "w") as f:
    f.write("# checks hc_cpu hc_rss_kb monit_cpu monit_rss_kb\n")
    for sc in ["s10", "s100", "s1000"]:
        h, m = get(sc, "hc"), get(sc, "monit")
        if not h: continue
        f.write("%d %.4f %d %s %s\n" % (h["checks"], h["cpu_pct"], h["hwm_kb"],
                                        "%.4f" % m["cpu_pct"] if m else "NaN", m["hwm_kb"] if m else "NaN"))

targets = []
a, b, hg = get("s100", "hc"), get("s1000", "hc"), get("hang", "hc")
if a:
    targets.append(("100 checks (period 5 s): peak RSS under 4 MB (4096 KB)", "%d KB" % a["hwm_kb"], a["hwm_kb"] < 4096))
    targets.append(("100 checks (period 5 s): under 0.5% of one core", "%.3f%%" % a["cpu_pct"], a["cpu_pct"] < 0.5))
if b:
    # The target is for 1000 probes/s: a run that skipped ticks (previous
    # probe still in flight) did not do the work it is judged on.
    rate = b["probes"] / b["wall"]
    targets.append(("1000 checks/s (1000 http checks, period 1 s): under 10% of one core, "
                    "at least 95% of the scheduled probes done",
                    "%.2f%% at %.0f probes/s (%d probes, %d ticks skipped busy)" % (
                        b["cpu_pct"], rate, b["probes"], b["skipped_busy"]),
                    b["cpu_pct"] < 10 and rate >= 0.95 * b["checks"] / b["period"]))
sv0, sv1 = get("sv0", "ref"), get("sv1", "ref")
if b:
    targets.append(("1000 http checks/s: our process at most 5% of one core", "%.2f%%" % b["cpu_pct"], b["cpu_pct"] <= 5))
for sc in ["s100", "s1000"]:
    r = get(sc, "hc")
    if r and sv1:
        # Compared in clock ticks (1/CLK_TCK s, what /proc counts in): the runs
        # last the same time, and a percentage also carries each run's few
        # milliseconds of extra wall time. Each figure is the difference of two
        # readings truncated to whole ticks, so one tick either way is below
        # what /proc can tell apart: our daemon and the reference both make one
        # call a second, and the same run read 8 vs 8, 9 vs 7 and 9 vs 8.
        mine, ref = r.get("peer_supervisord_ticks"), sv1.get("peer_supervisord_ticks")
        ticks = " (%d vs %d clock ticks)" % (mine, ref) if mine is not None and ref is not None else ""
        targets.append(("%s: supervisord's CPU at most what 1 getAllProcessInfo call/s costs it (to /proc's "
                        "resolution, one clock tick)" % label[sc],
                        "%.3f%% vs %.3f%%%s (idle: %s)" % (r["peer_supervisord_pct"], sv1["peer_supervisord_pct"], ticks,
                                                          "%.3f%%" % sv0["peer_supervisord_pct"] if sv0 else "-"),
                        mine <= ref + 1 if ticks else r["peer_supervisord_pct"] <= sv1["peer_supervisord_pct"]))
if hg:
    targets.append(("schedule delay under 50 ms with one check hanging", "%d ms (%d skipped busy: the hanging check)" % (
        hg["worst_delay_ms"], hg["skipped_busy"]), hg["worst_delay_ms"] < 50))
for sc in ["s10", "s100", "s1000"]:
    r = get(sc, "hc")
    if r:
        targets.append(("(info) %s: schedule delay under 50 ms" % label[sc], "%d ms" % r["worst_delay_ms"], r["worst_delay_ms"] < 50))
trow = ["| target | measured | result |", "|---|---|---|"]
for t, mv, ok in targets:
    trow.append("| %s | %s | **%s** |" % (t, mv, "PASS" if ok else "FAIL"))

errs = "; ".join("%s %s %d" % (label[r["scenario"]], "healthcheck" if r["tool"] == "hc" else "monit", r["errors"]) for r in R if r["tool"] != "ref")
secs = facts["secs"]
block = ["<!-- supervise:begin -->",
         "<!-- Generated by scripts/bench-supervise.sh; edits inside this block are overwritten. -->",
         "## Supervise mode vs monit", "",
         "Each row is one run of %s s: `healthcheck supervise` (the event-loop daemon) or `monit -I` "
         "(cycle `set daemon N`, no httpd), started fresh, checking targets on 127.0.0.1: a private nginx "
         "(`return 200`) for http and tcp checks, the programs of a private supervisord (3 `sleep`, a Python "
         "HTTP server, nginx) for mem and cpu checks. The mix is 2/5 http, 1/5 tcp, 1/5 mem (rss), 1/5 cpu; "
         "monit gets the same checks (`check host ... protocol http request`, `type tcp`, `check process ... "
         "with pidfile ... if memory / cpu`). The runs are sequential." % secs, "",
         "- RSS: `/proc/PID/status` VmHWM (peak) and VmRSS (end). CPU: utime+stime delta of `/proc/PID/stat` "
         "(all threads) over the wall time, in % of one core; start-up included.",
         "- worst delay: the daemon's own figure (`worst_delay_ms` of the SIGUSR1 `stats` line), the latest a "
         "check's timer fired after it was due. monit has no such figure.",
         "- worst gap at nginx: for each http check, the largest interval between two of its requests in nginx's "
         "access log, minus the period; the worst over all checks. For healthcheck it includes the "
         "`supervisor.getAllProcessInfo` call that precedes the probe (one call per tick, shared by the checks "
         "due in it).",
         "- supervisord CPU %: supervisord's own CPU during the run (with healthcheck: its XML-RPC calls; "
         "monit does not talk to supervisord, so its row is supervisord's idle cost). The sum is the tool's "
         "CPU plus supervisord's: what the machine pays for the checks.",
         "- The original Python script is not in the table: it does not start on Python >= 3.9, and "
         "Debian 12 has Python 3.11 only (3.8 is not packaged), see README, \"Differences from the original "
         "Python script\".", "",
         ]
block += rows
block += ["", "Ratios (healthcheck / monit). Where a tool falls behind its schedule (HTTP req/s below the "
          "scheduled rate) its CPU figure pays for less work than the other's:", ""] + ratio_rows
if sv0 or sv1:
    block += ["", "supervisord alone, for reference (%s s each, no checker running): " % secs +
              "; ".join("%s %.3f%% of one core" % (n, r["peer_supervisord_pct"]) for n, r in
                        (("idle", sv0), ("1 getAllProcessInfo call/s", sv1)) if r) + "."]
block += ["", "### Targets", ""] + trow
block += ["", "![CPU % and peak RSS against the number of checks](bench-supervise.svg)", "",
          "10 and 100 checks: mix, period 5 s; 1000 checks: http only, period 1 s (1000 probes/s).", "",
          "### What monit cannot do here", "",
          "- monit runs all checks one after another in one cycle. A check that hangs (here: its 3 s timeout) "
          "holds up every check after it; the gap at nginx in the hanging scenario shows it. The daemon runs "
          "the hanging probe next to the others.",
          "- `set daemon N` is the sleep between two cycles, not a fixed rate: a cycle that takes T seconds "
          "makes every check's period N + T. The minimum is 1 s, and per-check periods are only whole "
          "multiples of the cycle (`every N cycles`).",
          "- monit cannot ask supervisord for a pid or a state: its process checks need a pid file (written "
          "here from `supervisorctl pid`) or `matching`, and a program that is STOPPED or FATAL in "
          "supervisord is invisible to it.",
          "- monit's cpu test is a share of all CPUs, not of one core.", "",
          "Log lines about failed checks (sanity; 0 expected except in the hanging scenario, where only "
          "the hanging check fails): " + errs + ".", "",
          "### Machine and versions", "",
          "- date: %s; load average (1/5/15 min) per run in the table (before → after). "
          "The machine is shared: other jobs run at the same time." % facts["date"],
          "- CPU: %s, nproc %s; %s; %s" % (facts["cpu"], facts["nproc"], facts["kernel"], facts["os"]),
          "- %s (%s bytes, static); %s; %s; supervisord %s; %s" % (
              facts["v_hc"], format(int(facts["hc_size"]), ","), facts["v_monit"], facts["v_nginx"],
              facts["v_supervisord"], facts["v_gnuplot"]),
          "<!-- supervise:end -->"]
text = "\n".join(block) + "\n"
summary = "\n".join(rows + [""] + ratio_rows + [""] + trow) + "\n"
if out == "-":
    sys.stdout.write(text)
    sys.exit(0)
sys.path.insert(0, os.environ["HC_SCRIPTS"])
import docblock
docblock.replace(out, "supervise", text)
sys.stdout.write(summary)
print("bench: wrote %s" % out, file=sys.stderr)
PYEOF

if [ -n "$SVG" ]; then
  have_monit=0
  awk '!/^#/ && $4 != "NaN" {f=1} END {exit !f}' "$TMP/plot.dat" && have_monit=1
  {
    echo "set terminal svg size 960,420 font 'sans,12' background rgb 'white'"
    echo "set output '$SVG.tmp'"
    echo "set multiplot layout 1,2 title 'healthcheck supervise vs monit ($SECS s per run; 10, 100 checks: mix at 5 s; 1000: http at 1 s)'"
    echo "set logscale x; set xrange [6:1600]; set xtics ('10' 10, '100' 100, '1000' 1000)"
    echo "set xlabel 'checks'; set grid; set key bottom right; set logscale y"
    # CPU is counted in clock ticks: a run with none shows at the floor 0.01.
    echo "set ylabel 'CPU % of one core (log)'; set yrange [0.004:100]"
    echo "fl(v) = v > 0.01 ? v : 0.01"
    cpu_hc="'$TMP/plot.dat' using 1:(fl(\$2)) with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'healthcheck', '' using 1:(fl(\$2)):(sprintf('%.2f', \$2)) with labels offset 0,-1 tc rgb '#1f77b4' notitle"
    cpu_mo="'' using 1:(fl(\$4)) with linespoints lw 2 pt 5 ps 1 lc rgb '#d62728' title 'monit', '' using 1:(fl(\$4)):(sprintf('%.2f', \$4)) with labels offset 0,1 tc rgb '#d62728' notitle"
    rss_hc="'$TMP/plot.dat' using 1:3 with linespoints lw 2 pt 7 ps 1 lc rgb '#1f77b4' title 'healthcheck', '' using 1:3:(sprintf('%d', \$3)) with labels offset 0,1 tc rgb '#1f77b4' notitle"
    rss_mo="'' using 1:5 with linespoints lw 2 pt 5 ps 1 lc rgb '#d62728' title 'monit', '' using 1:5:(sprintf('%d', \$5)) with labels offset 0,1 tc rgb '#d62728' notitle"
    if [ "$have_monit" = 1 ]; then echo "plot $cpu_hc, $cpu_mo"; else echo "plot $cpu_hc"; fi
    echo "set ylabel 'peak RSS (KB)'; unset logscale y; set yrange [0:*]; set offsets 0, 0, graph 0.12, 0"
    if [ "$have_monit" = 1 ]; then echo "plot $rss_hc, $rss_mo"; else echo "plot $rss_hc"; fi
    echo "unset multiplot"
  } >"$TMP/plot.gp"
  gnuplot "$TMP/plot.gp"
  mv "$SVG.tmp" "$SVG"
  echo "bench: wrote $SVG" >&2
fi
