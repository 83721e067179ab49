#!/bin/bash
# End-to-end test with a real Docker engine (Debian's docker.io), started by
# hand in a temp folder; nothing outside that folder is touched and only
# loopback traffic is made.
#
#  1. An image FROM scratch holding only the static binary, with an exec-form
#     HEALTHCHECK (--interval=1s --retries=1) probing mockserver.py's
#     /svc/app on the host loopback (docker run --network host). The DingTalk
#     endpoint is the same mock (HEALTHCHECK_DINGTALK_URL via docker run -e).
#     /svc/app answers 200, then 500, then 200: Docker's health status goes
#     healthy -> unhealthy -> healthy, the state file in the container's
#     /dev/shm (a host folder mounted there) walks 2 -> 3 -> 4, and the mock
#     records the notices.
#  2. Supervise mode in scratch containers against a supervisord on the host
#     whose socket folder is mounted (-v $T/sv:/sv), config file mounted too:
#     `supervise --once` output, and the daemon's log line (it is the main
#     process of the container in step 1).
#
# Usage: tests/docker/run.sh [BINARY]   (default build/healthcheck-x86_64-musl
# if present, else build/healthcheck). Exit 0 pass, 1 fail, 77 cannot run
# here (not root, docker.io not installable, dockerd does not start).
# Needs root. Bounded: the whole run takes ~20-40 s, hard limit HC_DOCKER_LIMIT
# (90 s).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=/usr/bin/python3
DOCKER=/usr/bin/docker   # Debian's client, matching its dockerd
LIMIT=${HC_DOCKER_LIMIT:-90}
T=""
DOCKERD_PID="" MOCK_PID="" SV_PID="" WATCHDOG_PID=""
START=$(date +%s)

say() { echo "docker-e2e: $*"; }
fail() { echo "docker-e2e: FAIL: $*" >&2; dump; exit 1; }
skip() { echo "docker-e2e: cannot run: $*"; exit 77; }

BIN=${1:-}
if [ -z "$BIN" ]; then
  if [ -x build/healthcheck-x86_64-musl ]; then BIN=build/healthcheck-x86_64-musl; else BIN=build/healthcheck; fi
fi
[ -x "$BIN" ] || skip "no binary $BIN (make or make static-musl)"
if readelf -l "$BIN" 2>/dev/null | grep -q INTERP; then fail "$BIN is not static (scratch image needs a static binary)"; fi
[ "$(id -u)" = 0 ] || skip "needs root (dockerd)"

ensure_docker() {
  [ -x /usr/sbin/dockerd ] && [ -x "$DOCKER" ] && return 0
  say "installing docker.io (Debian)"
  local guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then # keep the package from starting its service
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
  fi
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends docker.io >/dev/null 2>&1 \
    || { DEBIAN_FRONTEND=noninteractive timeout 120 apt-get update -qq >/dev/null 2>&1;
         DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends docker.io >/dev/null 2>&1; }
  [ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d
  [ -x /usr/sbin/dockerd ] && [ -x "$DOCKER" ]
}

dk() { timeout 30 "$DOCKER" "$@"; }

dump() {
  [ -n "$T" ] || return 0
  echo "--- dockerd log (tail)"; tail -n 15 "$T/dockerd.log" 2>/dev/null
  if [ -S "$T/docker.sock" ] && [ -n "${CID:-}" ]; then
    echo "--- container state"; dk inspect --format '{{json .State}}' "$CID" 2>/dev/null | head -c 3000; echo
    echo "--- container log (tail)"; dk logs "$CID" 2>&1 | tail -n 15
  fi
  echo "--- mock requests (tail)"; tail -n 5 "$T/requests.jsonl" 2>/dev/null | cut -c1-300
}

stop_pid() { # pid secs
  local p=$1 i
  [ -n "$p" ] || return 0
  kill "$p" 2>/dev/null || return 0
  for i in $(seq 1 $(( $2 * 10 ))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null
  wait "$p" 2>/dev/null
}

cleanup() {
  set +e
  trap - EXIT INT TERM
  [ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null
  if [ -n "$T" ] && [ -S "$T/docker.sock" ] && [ -n "$DOCKERD_PID" ]; then
    local c
    for c in $(timeout 10 "$DOCKER" ps -aq 2>/dev/null); do timeout 20 "$DOCKER" rm -f "$c" >/dev/null 2>&1; done
  fi
  # dockerd stops its own containerd; if that one lingers, stop it by its pid file.
  local cpid=""
  [ -n "$T" ] && cpid=$(cat "$T/exec/containerd/containerd.pid" 2>/dev/null)
  stop_pid "$DOCKERD_PID" 15
  [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null && stop_pid "$cpid" 5
  stop_pid "$SV_PID" 5
  stop_pid "$MOCK_PID" 3
  if [ -n "$T" ]; then
    umount "$T/exec/netns/default" 2>/dev/null
    local m
    for m in $(awk -v t="$T" 'index($2, t) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null; done
    rm -rf "$T"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ensure_docker || skip "docker.io is not installed and could not be installed"

T=$(mktemp -d /tmp/hc-docker.XXXXXX)
chmod 755 "$T"
# Hard limit on the whole run: the watchdog signals this script, whose trap cleans up.
( trap 'kill "$sp" 2>/dev/null; exit 0' TERM
  sleep "$LIMIT" & sp=$!; wait "$sp" || exit 0
  echo "docker-e2e: time limit ${LIMIT}s reached" >&2; kill -TERM $$ ) 2>/dev/null &
WATCHDOG_PID=$!

# --- dockerd, all state in $T -------------------------------------------------
export DOCKER_HOST=unix://$T/docker.sock DOCKER_BUILDKIT=0 DOCKER_CONFIG=$T/client
/usr/sbin/dockerd -H "unix://$T/docker.sock" --data-root "$T/root" --exec-root "$T/exec" \
  --pidfile "$T/dockerd.pid" --storage-driver overlay2 --iptables=false --ip-masq=false \
  --bridge=none >"$T/dockerd.log" 2>&1 &
DOCKERD_PID=$!
ready=""
for i in $(seq 1 150); do
  kill -0 "$DOCKERD_PID" 2>/dev/null || break
  if [ -S "$T/docker.sock" ] && timeout 5 "$DOCKER" version >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || { tail -n 20 "$T/dockerd.log"; skip "dockerd did not start (log above)"; }
say "dockerd ready in $(( $(date +%s) - START )) s ($($DOCKER version --format '{{.Server.Version}}' 2>/dev/null))"

# --- mock server (HTTP service + DingTalk robot) on the host loopback ------------
"$PY" "$ROOT/tests/mock/mockserver.py" --port 0 --bind 127.0.0.1 --port-file "$T/mock.port" \
  --record "$T/requests.jsonl" >"$T/mock.log" 2>&1 &
MOCK_PID=$!
for i in $(seq 1 100); do [ -s "$T/mock.port" ] && break; sleep 0.05; done
[ -s "$T/mock.port" ] || fail "mock server did not start"
PORT=$(cat "$T/mock.port")
MOCK=http://127.0.0.1:$PORT
toggle() { "$PY" -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5).read()' "$MOCK/toggle/app?code=$1" \
  || fail "toggle $1"; }

# --- supervisord on the host, socket folder mounted into the containers ----------
mkdir -p "$T/sv" "$T/cfg"
cat > "$T/sv/supervisord.conf" <<EOF
[unix_http_server]
file=$T/sv/sv.sock
chmod=0777

[supervisord]
logfile=$T/sv/supervisord.log
pidfile=$T/sv/supervisord.pid
childlogdir=$T/sv

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$T/sv/sv.sock

[program:web]
command=/bin/sleep 300
startsecs=0
autorestart=false
stopwaitsecs=2
EOF
/usr/bin/supervisord -n -c "$T/sv/supervisord.conf" >"$T/sv/out.log" 2>&1 &
SV_PID=$!
for i in $(seq 1 100); do
  timeout 5 /usr/bin/supervisorctl -c "$T/sv/supervisord.conf" status web 2>/dev/null | grep -q RUNNING && break
  sleep 0.1
done
timeout 5 /usr/bin/supervisorctl -c "$T/sv/supervisord.conf" status web 2>/dev/null | grep -q RUNNING \
  || fail "supervisord did not start program web: $(tail -n 5 "$T/sv/supervisord.log")"
cat > "$T/cfg/config.yaml" <<EOF
config:
  supervisordUrl: unix:///sv/sv.sock
web-http:
  program: web
  type: http
  host: 127.0.0.1
  port: $PORT
  path: /status/200
  periodSeconds: 1
  initialDelaySeconds: 0
  action: restart
EOF

# --- image FROM scratch --------------------------------------------------------
mkdir -p "$T/ctx"
cp "$BIN" "$T/ctx/healthcheck"
cat > "$T/ctx/Dockerfile" <<EOF
FROM scratch
COPY healthcheck /healthcheck
ENV TZ=UTC0 NODENAME=docker-e2e
HEALTHCHECK --interval=1s --timeout=5s --retries=1 \\
  CMD ["/healthcheck", "-n", "e2e-app", "-u", "http://127.0.0.1:$PORT/svc/app", "-t", "3000", "tokDockerE2E01"]
ENTRYPOINT ["/healthcheck"]
CMD ["supervise", "-c", "/cfg/config.yaml"]
EOF
IMG=hc-e2e:$$
dk build -q -t "$IMG" "$T/ctx" >"$T/build.log" 2>&1 || { cat "$T/build.log"; fail "docker build"; }
hc_test=$(dk inspect --format '{{json .Config.Healthcheck.Test}}' "$IMG")
[[ $hc_test == '["CMD","/healthcheck"'* ]] || fail "HEALTHCHECK is not exec form: $hc_test"
say "image built ($(dk image inspect --format '{{.Size}}' "$IMG") bytes, binary $(basename "$BIN"))"

# --- 1. health status and state file ------------------------------------------
mkdir -p "$T/shm"
CID=$(dk run -d --network host -e "HEALTHCHECK_DINGTALK_URL=$MOCK/robot/send" \
  -v "$T/shm:/dev/shm" -v "$T/sv:/sv" -v "$T/cfg:/cfg:ro" "$IMG") || fail "docker run"

health() { dk inspect --format '{{.State.Health.Status}}' "$CID" 2>/dev/null; }
# `docker cp` does not see the container's own /dev/shm (a separate tmpfs),
# so /dev/shm is a host folder bind-mounted there: the probe keeps its default
# state file path (-f /dev/shm/status) and the test reads it from the host.
state_file() { cat "$T/shm/status" 2>/dev/null; }
wait_health() { # status secs
  local i s=""
  for i in $(seq 1 $(( $2 * 5 ))); do
    s=$(health)
    [ "$s" = "$1" ] && return 0
    [ "$(dk inspect --format '{{.State.Running}}' "$CID" 2>/dev/null)" = true ] || fail "container stopped"
    sleep 0.2
  done
  fail "health status: wanted $1 within $2 s, last [$s]"
}
wait_state() { # value secs
  local i s=""
  for i in $(seq 1 $(( $2 * 5 ))); do
    s=$(state_file)
    [ "$s" = "$1" ] && return 0
    sleep 0.2
  done
  fail "state file /dev/shm/status: wanted $1 within $2 s, last [$s]"
}

wait_health healthy 15; wait_state 2 5; say "healthy, state 2"
toggle 500
wait_health unhealthy 15; wait_state 3 5; say "unhealthy, state 3"
toggle 200
wait_health healthy 15; wait_state 4 5; say "healthy again, state 4"

titles=$("$PY" - "$T/requests.jsonl" <<'EOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r["path"] == "/robot/send":
        body = json.loads(r["body"])
        tok = r["query"].get("access_token")
        tok = tok[0] if isinstance(tok, list) else tok
        print(tok, body["markdown"]["title"])
EOF
)
echo "$titles" | sed 's/^/    notice: /'
# [N]出现异常,仍未恢复 repeats while the service fails; the three state changes
# must appear in this order.
want=("tokDockerE2E01 [e2e-app]已启动,运行正常" "tokDockerE2E01 [e2e-app]出现异常,无法访问" "tokDockerE2E01 [e2e-app]已经恢复,运行正常")
got=$(grep -v '仍未恢复' <<<"$titles")
expected=$(printf '%s\n' "${want[@]}")
[ "$got" = "$expected" ] || fail "notices: expected
$expected
got
$got"
# the notice names the container (first line of its /etc/hostname: with
# --network host Docker writes the host's name there) and the node
first_text=$("$PY" -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r["path"] == "/robot/send":
        print(json.loads(r["body"])["markdown"]["text"].replace("\r\n", " | ")); break' "$T/requests.jsonl")
cname=$(dk inspect --format '{{.Config.Hostname}}' "$CID")
[[ $first_text == *"容器ID: $cname |"* ]] || fail "notice text lacks 容器ID: $cname: $first_text"
[[ $first_text == *"节点: docker-e2e"* ]] || fail "notice text lacks 节点: docker-e2e: $first_text"
dk inspect --format '{{range .State.Health.Log}}{{.ExitCode}} {{end}}' "$CID" | grep -qE '\b12\b' \
  || fail "health log has no exit code 12 (fail after pass)"

# --- 2. supervise mode in scratch ----------------------------------------------
for i in $(seq 1 50); do
  dk logs "$CID" 2>&1 | grep -q "healthy check=web-http" && break
  sleep 0.2
done
dk logs "$CID" 2>&1 | grep -q "healthy check=web-http" \
  || fail "supervise daemon in the container did not log 'healthy check=web-http'"
say "supervise daemon (container main process) logged: $(dk logs "$CID" 2>&1 | grep -m1 'healthy check=web-http' | cut -c1-160)"
once=$(dk run --rm --network host -v "$T/sv:/sv" -v "$T/cfg:/cfg:ro" "$IMG" supervise --once -c /cfg/config.yaml 2>&1); rc=$?
echo "    --once: $once"
[ "$rc" = 0 ] || fail "supervise --once exit $rc"
[[ $once == *"web-http web http pass"* ]] || fail "supervise --once output"
# supervisord was reached through the mounted socket and nothing was restarted
pid_before=$(timeout 5 /usr/bin/supervisorctl -c "$T/sv/supervisord.conf" pid web)
[ -n "$pid_before" ] && [ "$pid_before" != 0 ] || fail "supervisorctl pid web"

say "PASS in $(( $(date +%s) - START )) s"
exit 0
