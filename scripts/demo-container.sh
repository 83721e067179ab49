#!/bin/bash
# Container-mode demo: walks one service through the state file machine
# (pass -> fail -> still failing -> recovered) and shows the report mode.
# Everything runs on 127.0.0.1 against tests/mock/mockserver.py, which plays
# both the service and the DingTalk robot. Nothing leaves the machine.
# Usage (from the repo root): scripts/demo-container.sh   [HC_BIN=path/to/healthcheck]
set -u
cd "$(dirname "$0")/.."

HC=${HC_BIN:-build/healthcheck}
PY=/usr/bin/python3
if [ ! -x "$HC" ]; then
  echo "demo: $HC not found; run 'make' first (or set HC_BIN)" >&2
  exit 1
fi

TMP=$(mktemp -d /tmp/hc-demo-container.XXXXXX)
MOCK_PID=""
cleanup() {
  if [ -n "$MOCK_PID" ]; then
    kill "$MOCK_PID" 2>/dev/null
    wait "$MOCK_PID" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -t 1 ]; then B=$'\e[1m'; G=$'\e[32m'; R=$'\e[31m'; D=$'\e[2m'; N=$'\e[0m'; else B= G= R= D= N=; fi
FAILED=0

heading() { printf '\n%s== %s ==%s\n' "$B" "$*" "$N"; }
note() { printf '%s%s%s\n' "$D" "$*" "$N"; }

# Start the mock on an ephemeral port (loopback only) and wait for its port file.
$PY tests/mock/mockserver.py --bind 127.0.0.1 --port 0 --port-file "$TMP/port" \
  --record "$TMP/record.jsonl" 2>"$TMP/mock.log" &
MOCK_PID=$!
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
if [ ! -s "$TMP/port" ]; then
  echo "demo: mockserver did not start:" >&2; cat "$TMP/mock.log" >&2; exit 1
fi
PORT=$(cat "$TMP/port")
BASE="http://127.0.0.1:$PORT"

# The demo's environment: China time without zoneinfo files, a node name, and
# the DingTalk robot pointed at the local mock (never the real oapi.dingtalk.com).
export TZ=CST-8
export NODENAME=demo-node
export HEALTHCHECK_DINGTALK_URL="$BASE/robot/send"
unset HEALTHCHECK_DINGTALK_SECRET 2>/dev/null || true
STATE="$TMP/status"
TOKEN=demo-token

# GET a mock control URL (loopback) without needing curl.
mock_get() {
  $PY -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5).read()' "$1"
}

# Print the requests the mock received on PATH since line $2 of the record,
# as pretty JSON with Chinese shown as-is. With $4, the DingTalk title must be
# exactly $4 ("" = no notice at all), else the demo counts as failed.
show_received() {
  local path=$1 from=$2 what=$3 want=${4-__any__}
  tail -n +"$((from + 1))" "$TMP/record.jsonl" | $PY -c '
import json, sys
path, what, want = sys.argv[1], sys.argv[2], sys.argv[3]
n = 0
titles = []
for line in sys.stdin:
    r = json.loads(line)
    if r["path"] != path:
        continue
    n += 1
    hdr = {k: v for k, v in r["headers"] if k.lower() in ("content-type", "user-agent", "referer")}
    q = dict(r["query"])
    if "access_token" in q:
        q["access_token"] = q["access_token"][:4] + "..."
    print("%s received: %s %s %s" % (what, r["method"], r["path"],
          ("?" + "&".join("%s=%s" % kv for kv in q.items())) if q else ""))
    for k, v in hdr.items():
        print("  %s: %s" % (k, v))
    try:
        body = json.loads(r["body"])
        print(json.dumps(body, ensure_ascii=False, indent=2))
        if isinstance(body, dict) and isinstance(body.get("markdown"), dict):
            titles.append(body["markdown"].get("title"))
    except ValueError:
        print(r["body"])
if n == 0:
    print("%s received nothing" % what)
if want != "__any__" and titles != ([want] if want else []):
    print("!! expected the notice %r, got %r" % (want or "(none)", titles))
    sys.exit(1)
' "$path" "$what" "$want" || FAILED=1
}

record_lines() { [ -f "$TMP/record.jsonl" ] && wc -l <"$TMP/record.jsonl" || echo 0; }

# step EXPECTED_EXIT ARGS...: show the command, run it, show output and exit code.
step() {
  local want=$1; shift
  local shown="$HC"
  for a in "$@"; do
    case $a in *[[:space:]]*|*\&*|*\?*) shown="$shown '$a'" ;; *) shown="$shown $a" ;; esac
  done
  printf '%s$ %s%s\n' "$B" "$shown" "$N"
  "$HC" "$@" 2>&1 | sed 's/^/  /'
  local rc=${PIPESTATUS[0]}
  local st
  st=$(cat "$STATE" 2>/dev/null || echo "(none)")
  if [ "$rc" = "$want" ]; then
    printf '  %s-> exit %s (expected %s), state file now %s%s\n' "$G" "$rc" "$want" "$st" "$N"
  else
    printf '  %s-> exit %s, but expected %s! state file now %s%s\n' "$R" "$rc" "$want" "$st" "$N"
    FAILED=1
  fi
}

heading "Container mode demo"
note "binary: $HC ($(stat -c %s "$HC") bytes; $("$HC" --version 2>&1))"
note "mock service + DingTalk robot: $BASE (record: $TMP/record.jsonl)"
note "TZ=$TZ NODENAME=$NODENAME HEALTHCHECK_DINGTALK_URL=$HEALTHCHECK_DINGTALK_URL"
note "state file: $STATE (does not exist yet)"

heading "1. First check: the service answers 200"
mark=$(record_lines)
step 0 -n demo-app -u "$BASE/svc/app" -f "$STATE" "$TOKEN"
show_received /robot/send "$mark" "DingTalk robot" "[demo-app]已启动,运行正常"

heading "2. Second check: still fine, no notice"
mark=$(record_lines)
step 0 -n demo-app -u "$BASE/svc/app" -f "$STATE" "$TOKEN"
show_received /robot/send "$mark" "DingTalk robot" ""

heading "3. The service breaks (it now answers 500)"
printf '%s$ GET %s%s\n' "$B" "$BASE/toggle/app?code=500" "$N"
mock_get "$BASE/toggle/app?code=500" || FAILED=1
mark=$(record_lines)
step 12 -n demo-app -u "$BASE/svc/app" -f "$STATE" "$TOKEN"
show_received /robot/send "$mark" "DingTalk robot" "[demo-app]出现异常,无法访问"

heading "4. Still broken: a reminder on every check"
mark=$(record_lines)
step 13 -n demo-app -u "$BASE/svc/app" -f "$STATE" "$TOKEN"
show_received /robot/send "$mark" "DingTalk robot" "[demo-app]出现异常,仍未恢复"

heading "5. The service recovers"
printf '%s$ GET %s%s\n' "$B" "$BASE/toggle/app?code=200" "$N"
mock_get "$BASE/toggle/app?code=200" || FAILED=1
mark=$(record_lines)
step 0 -n demo-app -u "$BASE/svc/app" -f "$STATE" "$TOKEN"
show_received /robot/send "$mark" "DingTalk robot" "[demo-app]已经恢复,运行正常"

heading "6. Report mode (-r): the service's JSON, merged with the check's status"
BODY='{"qps":1234,"queue":7,"version":"1.4.2","status":"ok"}'
ENC=$($PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$BODY")
note "service JSON: $BODY"
rm -f "$TMP/status-report"
mark=$(record_lines)
STATE="$TMP/status-report"
step 0 -n demo-app -u "$BASE/json?body=$ENC" -f "$STATE" -r "$BASE/report" "$TOKEN"
show_received /report "$mark" "Collector"
show_received /robot/send "$mark" "DingTalk robot" "[demo-app]已启动,运行正常"

heading "Container demo done"
if [ "$FAILED" = 0 ]; then
  printf '%severy step gave the expected exit code%s\n' "$G" "$N"
else
  printf '%ssome step did not give the expected exit code (see above)%s\n' "$R" "$N"
fi
exit "$FAILED"
