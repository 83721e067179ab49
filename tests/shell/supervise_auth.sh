#!/bin/bash
# Supervise mode: supervisord over HTTP with Basic auth, HTTP probe auth,
# POST body and headers as the service receives them, and secrets that
# never reach any output.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

# Fails when any of the files holds the secret (or its base64 forms).
assert_no_secret() { # SECRET FILE...
  local s=$1 f; shift
  for f in "$@"; do
    if grep -qF -- "$s" "$f"; then
      grep -nF -- "$s" "$f" | head -3 >&2
      _fail "secret [$s] found in $f"
    fi
  done
}

test_supervisord_http_auth() {
  sv_init inet
  sv_program idle "/bin/sleep 1000"
  sv_start
  cat > "$T/hc.yaml" <<YAML
config:
  supervisordUrl: http://127.0.0.1:$SV_HTTP_PORT/RPC2
  supervisordUser: $SV_USER
  supervisordPass: $SV_PASS
idle-mem:
  program: idle
  type: mem
  periodSeconds: 1
  action: restart
YAML
  chmod 600 "$T/hc.yaml"
  sed "s/supervisordPass: .*/supervisordPass: Wrong-$SV_PASS-x/" "$T/hc.yaml" > "$T/wrong.yaml"
  chmod 600 "$T/wrong.yaml"
  "$HC" supervise --test -c "$T/hc.yaml" > "$T/test.out" 2>&1 || _fail "--test failed: $(cat "$T/test.out")"
  "$HC" supervise --once -c "$T/hc.yaml" > "$T/once.out" 2>&1 || _fail "--once failed: $(cat "$T/once.out")"
  assert_contains "$(cat "$T/once.out")" "idle-mem idle mem pass"
  run "$HC" supervise --once -c "$T/wrong.yaml"
  assert_eq 1 "$RC" "--once exit code with a wrong password"
  assert_contains "$OUT" "idle-mem idle mem error"
  assert_contains "$OUT" "401"
  printf '%s\n%s\n' "$OUT" "$ERR" > "$T/once-wrong.out"
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "healthy check=idle-mem program=idle: rss" 5
  HC_LOG=$T/hc-wrong.log
  local good=$HC_PID
  hc_start "$T/wrong.yaml"
  # One line for all checks (process_table.hpp), not a check_error per check.
  wait_log "$HC_LOG" "supervisord_error: getAllProcessInfo: .*401" 5
  sleep 1.5
  kill -0 "$HC_PID" || _fail "daemon with a wrong password died"
  assert_no_log "$HC_LOG" " (check_failed|unhealthy|action) "
  local pid; pid=$(sv_pid idle)
  hc_stop
  HC_PID=$good; HC_LOG=$T/hc.log
  hc_stop
  assert_eq "$pid" "$(sv_pid idle)" "pid of idle"
  local f
  for f in "$T/test.out" "$T/once.out" "$T/once-wrong.out" "$T/hc.log" "$T/hc-wrong.log"; do
    [ -s "$f" ] || _fail "$f is empty"
  done
  assert_no_secret "$SV_PASS" "$T/test.out" "$T/once.out" "$T/once-wrong.out" "$T/hc.log" "$T/hc-wrong.log"
  assert_no_secret "$(printf '%s:%s' "$SV_USER" "$SV_PASS" | base64)" "$T/hc.log" "$T/hc-wrong.log"
}

test_secrets_http_auth_and_post() {
  start_mock
  sv_init inet
  sv_program idle "/bin/sleep 1000"
  sv_start
  local hpass=Http-secret-$RANDOM$RANDOM mpass=Mail-secret-$RANDOM$RANDOM
  cat > "$T/hc.yaml" <<YAML
config:
  supervisordUrl: http://127.0.0.1:$SV_HTTP_PORT/RPC2
  supervisordUser: $SV_USER
  supervisordPass: $SV_PASS
  mail:
    host: 127.0.0.1
    port: 25
    user: ops@example.com
    pass: $mpass
    to_list: [ops@example.com]
auth-get:
  program: idle
  host: 127.0.0.1
  port: $MOCK_PORT
  path: /echo
  username: hcuser
  password: $hpass
  periodSeconds: 1
  action: none
auth-fail:
  program: idle
  host: 127.0.0.1
  port: $MOCK_PORT
  path: /status/503
  username: hcuser
  password: $hpass
  periodSeconds: 1
  failureThreshold: 1
  action: exec
  execCmd: echo "msg=\$HC_MESSAGE"
post:
  program: idle
  host: 127.0.0.1
  port: $MOCK_PORT
  path: /echo
  mode: POST
  json: '{"a":"b"}'
  headers: '{"X-Test":1}'
  periodSeconds: 1
  action: none
YAML
  chmod 600 "$T/hc.yaml"
  "$HC" supervise --test -c "$T/hc.yaml" > "$T/test.out" 2>&1 || _fail "--test failed: $(cat "$T/test.out")"
  "$HC" supervise --once -c "$T/hc.yaml" > "$T/once.out" 2>&1
  assert_contains "$(cat "$T/once.out")" "auth-get idle http pass"
  assert_contains "$(cat "$T/once.out")" "post idle http pass"
  assert_contains "$(cat "$T/once.out")" "auth-fail idle http fail"
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "healthy check=auth-get " 5
  wait_log "$HC_LOG" "healthy check=post " 5
  wait_log "$HC_LOG" "action_done check=auth-fail program=idle: exec: exit 0, output: msg=GET http://127.0.0.1:$MOCK_PORT/status/503: HTTP 503" 5
  sleep 1
  hc_stop
  # What the service received.
  "$PY" - "$T/requests.jsonl" "hcuser:$hpass" <<'PY' || _fail "requests seen by the service"
import base64, json, sys
reqs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
def hdr(r, name):
    v = [val for k, val in r["headers"] if k.lower() == name.lower()]
    return v
auth = [r for r in reqs if r["method"] == "GET" and r["path"] in ("/echo", "/status/503")]
assert len(auth) >= 3, len(auth)
for r in auth:
    a = hdr(r, "Authorization")
    assert len(a) == 1, r["headers"]
    scheme, _, b64 = a[0].partition(" ")
    assert scheme == "Basic", a
    assert base64.b64decode(b64).decode() == sys.argv[2], a
posts = [r for r in reqs if r["method"] == "POST" and r["path"] == "/echo"]
assert len(posts) >= 2, len(posts)
for r in posts:
    assert r["body"] == '{"a":"b"}', repr(r["body"])
    assert hdr(r, "Content-Type") == ["application/json"], r["headers"]
    assert hdr(r, "X-Test") == ["1"], r["headers"]
    assert hdr(r, "Content-Length") == ["9"], r["headers"]
    assert not hdr(r, "Authorization"), r["headers"]
print("    %d authenticated GETs, %d POSTs checked" % (len(auth), len(posts)), file=sys.stderr)
PY
  local s
  for s in "$SV_PASS" "$hpass" "$mpass" "$(printf 'hcuser:%s' "$hpass" | base64)" \
           "$(printf '%s:%s' "$SV_USER" "$SV_PASS" | base64)"; do
    assert_no_secret "$s" "$T/test.out" "$T/once.out" "$HC_LOG"
  done
}

run_tests
