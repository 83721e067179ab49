#!/bin/bash
# action wechat / config.wechat (the original script's WeCom application
# messages) end to end: a real supervisord and daemon, a local mock of the
# WeCom API (tests/mock/wecom_app.py) that checks every request exactly;
# gettoken once per token life, one refetch when the server rejects the
# token, the wechat.webhook robot too, and neither the secret nor a token
# in any output. All traffic stays on 127.0.0.1 (HEALTHCHECK_WECHAT_URL).
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

WECOM_MOCK=$HC_ROOT/tests/mock/wecom_app.py
# Never the real endpoints, even in a test that forgets to set them.
export HEALTHCHECK_WECHAT_URL=http://127.0.0.1:9
export HEALTHCHECK_WECOM_URL=http://127.0.0.1:9/cgi-bin/webhook/send

# start_wecom NAME SECRET [args]: sets WECOM_PORT; requests in $T/wecom-NAME.jsonl.
start_wecom() {
  local name=$1 secret=$2; shift 2
  local pf=$T/wecom-$name.port
  start_bg "$PY" "$WECOM_MOCK" --port-file "$pf" --record "$T/wecom-$name.jsonl" --corpid ww-corp-1 \
    --secret "$secret" --agentid 1000002 "$@"
  wait_file "$pf"
  WECOM_PORT=$(cat "$pf")
}

# wechat_yaml SECRET PORT: the config.wechat section.
wechat_yaml() {
  cat <<YAML
  wechat:
    corpid: ww-corp-1
    secret: $1
    agentid: 1000002
    touser: [ops, dev]
    toparty: '2'
    webhook: http://127.0.0.1:$2/cgi-bin/webhook/send?key=rkey-0001-abcdef
YAML
}

# Fails when any of the strings (secret, tokens) is in any of the files.
assert_absent_in() { # "STRINGS" FILES...
  local s f strings=$1; shift
  for s in $strings; do
    for f in "$@"; do
      grep -qF -- "$s" "$f" && _fail "secret ${s:0:6}... found in $f: $(grep -F -- "$s" "$f" | head -2)"
    done
  done
  return 0
}

# A failing check with action wechat and sendResolved: the failure notice
# meets a rejected token (42001) and is sent again with a new one; the
# recovery notice reuses the cached token (no gettoken). Each notice also
# reaches the wechat.webhook robot. Exact request sequence, no secret out.
test_wechat_app_notices_token_cache_and_secrets() {
  local secret="Wx-Secret-$RANDOM$RANDOM-corp"
  start_wecom main "$secret" --touser 'ops|dev' --toparty 2 --robot-key rkey-0001-abcdef --reject-sends 1
  export HEALTHCHECK_WECHAT_URL=http://127.0.0.1:$WECOM_PORT
  sv_init
  sv_program web "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
  wechat_yaml "$secret" "$WECOM_PORT" >> "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
web-probe:
  program: web
  type: exec
  command: test ! -e $T/bad
  periodSeconds: 1
  initialDelaySeconds: 0
  timeoutSeconds: 1
  failureThreshold: 1
  action: wechat
  sendResolved: true
YAML
  chmod 600 "$T/hc.yaml"
  run "$HC" supervise -c "$T/hc.yaml" --test
  assert_eq 0 "$RC" "--test: $ERR"
  assert_contains "$OUT" "  wechat:
    corpid: ww-corp-1
    secret: ***
    agentid: 1000002
    touser: ops|dev
    toparty: 2
    totag: (none)
    webhook: http://127.0.0.1:$WECOM_PORT/cgi-bin/webhook/send?key=***" "--test"
  assert_contains "$OUT" "  action: wechat" "--test action"
  echo "$OUT" > "$T/test.out"; echo "$ERR" > "$T/test.err"
  touch "$T/bad"
  hc_start "$T/hc.yaml"
  local who="wechat app corpid ww-corp-1 agentid 1000002"
  wait_log "$HC_LOG" "notify_token check=web-probe program=web: $who: access_token rejected \(errcode 42001: access_token expired\); fetching a new one" 8
  wait_log "$HC_LOG" "notify_sent check=web-probe program=web: $who$" 8
  rm -f "$T/bad"
  wait_log "$HC_LOG" "recovered check=web-probe " 6
  wait_log "$HC_LOG" "notify_sent check=web-probe program=web: $who$" 8 2
  wait_log "$HC_LOG" "notify_sent check=web-probe program=web: wecom http://127.0.0.1:$WECOM_PORT/cgi-bin/webhook/send\?key=\*\*\*$" 8 2
  hc_stop
  "$PY" - "$T/wecom-main.jsonl" > "$T/seq" <<'PYEOF' || _fail "requests: $(cat "$T/seq")"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
probs = [p for r in recs for p in r["problems"]]
if probs:
    print("problems: %r" % probs); sys.exit(1)
app = [r for r in recs if r["path"] != "/cgi-bin/webhook/send"]
seq = [(r["method"], r["path"], r.get("answer")) for r in app]
want = [("GET", "/cgi-bin/gettoken", None), ("POST", "/cgi-bin/message/send", 42001),
        ("GET", "/cgi-bin/gettoken", None), ("POST", "/cgi-bin/message/send", 0),
        ("POST", "/cgi-bin/message/send", 0)]
if seq != want:
    print("sequence %r" % seq); sys.exit(1)
if not (app[1]["token"] == app[0]["token"] and app[3]["token"] == app[2]["token"] == app[4]["token"]):
    print("tokens used do not follow the tokens issued"); sys.exit(1)
texts = [json.loads(r["body"])["text"]["content"] for r in app[3:]]
if "健康检查失败" not in texts[0] or "已恢复" not in texts[1] or "web-probe" not in texts[0]:
    print("texts %r" % texts); sys.exit(1)
robots = [r for r in recs if r["path"] == "/cgi-bin/webhook/send"]
if len(robots) != 2:
    print("robot posts %d" % len(robots)); sys.exit(1)
print(" ".join(sorted({r["token"] for r in app})))
PYEOF
  local tokens; tokens=$(cat "$T/seq")
  assert_eq 2 "$(echo "$tokens" | wc -w)" "tokens issued"
  assert_absent_in "$secret $tokens" "$HC_LOG" "$T/test.out" "$T/test.err" "$SV_DIR/supervisord.log"
  wechat_gettoken_error_hides_secret
}

# A wrong secret: gettoken fails (errcode 40001) and the try is logged and
# retried, never with the secret. (Runs in the supervisord of the test
# above: a supervisord start costs ~5 s on a loaded machine.)
wechat_gettoken_error_hides_secret() {
  start_wecom bad "the-right-secret-0001"
  export HEALTHCHECK_WECHAT_URL=http://127.0.0.1:$WECOM_PORT
  HC_LOG=$T/hc-bad.log
  local wrong="Wrong-Secret-$RANDOM$RANDOM"
  hc_config "$T/hc-bad.yaml"
  wechat_yaml "$wrong" "$WECOM_PORT" | grep -v webhook >> "$T/hc-bad.yaml"
  cat >> "$T/hc-bad.yaml" <<YAML
web-probe:
  program: web
  type: exec
  command: [/bin/false]
  periodSeconds: 1
  initialDelaySeconds: 0
  timeoutSeconds: 1
  failureThreshold: 1
  action: notify
YAML
  hc_start "$T/hc-bad.yaml" --log-format json
  wait_log "$HC_LOG" '"msg":"wechat app corpid ww-corp-1 agentid 1000002: try 2\\/3: gettoken: errcode 40001: invalid credential"' 8
  hc_stop
  assert_absent_in "$wrong" "$HC_LOG"
  assert_eq 0 "$(count_log "$HC_LOG" notify_sent)" "notices sent"
  return 0
}

# The original script's config (config.wechat with its keys, action
# restart,wechat) loads as it is; a world-readable file is named with
# config.wechat.secret, never its value; a partial wechat section warns.
test_wechat_upstream_config_loads() {
  cat > "$T/config.yaml" <<'YAML'
config:
  supervisordUrl: http://localhost:9001/RPC2
  supervisordUser: user
  supervisordPass: 123
  mail:
  wechat:
    corpid: 'wwa1b2c3d4e5f6a7b8'
    secret: 'sEcReT-0123456789abcdefghij'
    agentid: '1000002'
    touser: '@all'
    toparty: ''
    totag: ''
cat1:
  program: test1
  type: mem
  maxMem: 1024
  action: restart,wechat
  sendResolved: False
YAML
  chmod 644 "$T/config.yaml"
  run "$HC" supervise -c "$T/config.yaml" --test
  assert_eq 0 "$RC" "exit: $ERR"
  assert_contains "$OUT" "    agentid: 1000002"
  assert_contains "$OUT" "    touser: @all"
  assert_contains "$OUT" "  action: restart,wechat"
  assert_contains "$OUT" "holds secrets (config.supervisordPass, config.wechat.secret) and is readable by all users"
  assert_not_contains "$OUT$ERR" "sEcReT-0123456789abcdefghij"
  printf 'config:\n  wechat:\n    corpid: ww1\n' > "$T/partial.yaml"
  printf 'c:\n  program: p\n  action: wechat\n' >> "$T/partial.yaml"
  run "$HC" supervise -c "$T/partial.yaml" --test
  assert_eq 0 "$RC" "partial exit: $ERR"
  assert_contains "$OUT" "partial.yaml:3: config.wechat: corpid, secret and agentid are all needed for application messages; none will be sent"
  assert_contains "$OUT" "action wechat (c) but config.wechat is not configured; no WeChat message will be sent"
}

run_tests
