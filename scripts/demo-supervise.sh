#!/bin/bash
# Supervise-mode demo: a private supervisord runs a small web service; the
# daemon watches it with an http check, the service breaks, the daemon
# restarts it through supervisord's XML-RPC, and the check recovers.
# Everything runs in a temp folder on 127.0.0.1 and is stopped at the end.
set -u
cd "$(dirname "$0")/.."
HC=$(readlink -f "${HC_BIN:-build/healthcheck}")
PY=/usr/bin/python3
[ -x "$HC" ] || { echo "demo: $HC not found; run 'make' first" >&2; exit 1; }

TMP=$(mktemp -d /tmp/hc-demo-supervise.XXXXXX)
SV_PID="" HC_PID=""
cleanup() {
  [ -n "$HC_PID" ] && kill "$HC_PID" 2>/dev/null && wait "$HC_PID" 2>/dev/null
  [ -n "$SV_PID" ] && kill "$SV_PID" 2>/dev/null && wait "$SV_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -t 1 ]; then B=$'\e[1m'; G=$'\e[32m'; R=$'\e[31m'; D=$'\e[2m'; N=$'\e[0m'; else B= G= R= D= N=; fi
heading() { printf '\n%s== %s ==%s\n' "$B" "$*" "$N"; }
die() { printf '%sdemo failed: %s%s\n' "$R" "$*" "$N"; exit 1; }

PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$TMP/supervisord.conf" <<CONF
[unix_http_server]
file=$TMP/sv.sock
[supervisord]
logfile=$TMP/supervisord.log
pidfile=$TMP/supervisord.pid
childlogdir=$TMP
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://$TMP/sv.sock
[program:shop]
command=$PY $PWD/tests/mock/mockserver.py --port $PORT
startsecs=1
CONF
cat > "$TMP/config.yaml" <<CONF
config:
  supervisordUrl: unix://$TMP/sv.sock
shop-http:
  program: shop
  type: http
  host: 127.0.0.1
  port: $PORT
  path: /svc/shop
  periodSeconds: 1
  timeoutSeconds: 1
  failureThreshold: 2
  initialDelaySeconds: 1
  action: restart
CONF

heading "A private supervisord runs 'shop' on 127.0.0.1:$PORT"
$PY /usr/bin/supervisord -n -c "$TMP/supervisord.conf" >/dev/null 2>&1 &
SV_PID=$!
for _ in $(seq 100); do [ -S "$TMP/sv.sock" ] && break; sleep 0.05; done
ctl() { $PY /usr/bin/supervisorctl -c "$TMP/supervisord.conf" "$@"; }
for _ in $(seq 100); do ctl status shop 2>/dev/null | grep -q RUNNING && break; sleep 0.1; done
ctl status shop
OLD_PID=$(ctl pid shop)

heading "The config, validated: healthcheck supervise --test"
"$HC" supervise -c "$TMP/config.yaml" --test | sed -n '/^shop-http/,$p'

heading "One pass of every check: healthcheck supervise --once"
"$HC" supervise -c "$TMP/config.yaml" --once || die "--once failed"

heading "The daemon runs (log below); now we break the service"
"$HC" supervise -c "$TMP/config.yaml" > "$TMP/daemon.log" 2>&1 &
HC_PID=$!
sleep 2
echo "\$ curl http://127.0.0.1:$PORT/toggle/shop?code=500   # the service now answers 500"
$PY -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1]).read()' "http://127.0.0.1:$PORT/toggle/shop?code=500"
for _ in $(seq 150); do grep -q hold_released "$TMP/daemon.log" && break; sleep 0.1; done
sleep 2
kill "$HC_PID"; wait "$HC_PID"; HC_PID=""
sed 's/^/  /' "$TMP/daemon.log"
NEW_PID=$(ctl pid shop)

heading "Result"
echo "shop pid before: $OLD_PID, after: $NEW_PID"
grep -q "action_done.*restart" "$TMP/daemon.log" || die "no restart in the log"
[ "$OLD_PID" != "$NEW_PID" ] || die "the pid did not change"
grep -q "recovered\|healthy" "$TMP/daemon.log" || die "no recovery in the log"
printf '%sThe check failed twice, the daemon restarted shop through supervisord, and it recovered.%s\n' "$G" "$N"
