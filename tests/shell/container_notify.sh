#!/bin/bash
# Container mode: DingTalk delivery rules (every token, failures on stderr
# only, bounded time, signing, no token leaks) and report mode (-r).
. "$(dirname "$0")/../lib.sh"

cid() {
  local l=""
  [ -r /etc/hostname ] && l=$(head -n1 /etc/hostname | tr -d ' \t\r')
  [ -n "$l" ] && echo "$l" || echo "${HOSTNAME:-}"
}
dt_tokens() {
  "$PY" -c '
import json,sys
print(",".join(sorted(json.loads(l)["query"].get("access_token","") for l in open(sys.argv[1]) if "\"/robot/send\"" in l)))' "$T/requests.jsonl"
}
# hc ARGS... : a check with the DingTalk endpoint on the mock.
hc() { run env TZ=UTC0 NODENAME=node-7 HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send "$HC" -n 我的程序 -f "$T/st" -t 3000 "$@"; }

test_multiple_tokens_all_receive() {
  start_mock
  hc -u $MOCK_URL/status/200 tokenAAAA1111 tokenBBBB2222 tokenCCCC3333
  assert_eq 0 "$RC" rc; assert_eq "" "$ERR" stderr
  assert_eq "tokenAAAA1111,tokenBBBB2222,tokenCCCC3333" "$(dt_tokens)" tokens
}

test_failing_tokens_reported_others_delivered() {
  start_mock
  hc -u $MOCK_URL/status/500 tokenGOOD0001 badtoken99999 http500 tokenGOOD0002
  assert_eq 10 "$RC" "rc unchanged"
  assert_eq "badtoken99999,http500,tokenGOOD0001,tokenGOOD0002" "$(dt_tokens)" "all attempted"
  assert_contains "$ERR" "300001" "bad token reported"
  assert_contains "$ERR" "HTTP 500" "http500 reported"
  assert_eq 2 "$(grep -c . <<<"$ERR")" "stderr lines: $ERR"
  assert_not_contains "$ERR" "tokenGOOD" "good tokens on stderr"
}

test_notice_failure_never_changes_exit_code() {
  start_mock
  # endpoint down: closed port
  local port
  port=$("$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
  run env HEALTHCHECK_DINGTALK_URL=http://127.0.0.1:$port/robot/send "$HC" -u $MOCK_URL/status/200 -f st tokDown123456
  assert_eq 0 "$RC" "rc pass"; assert_contains "$ERR" "refused"
  run env HEALTHCHECK_DINGTALK_URL=http://127.0.0.1:$port/robot/send "$HC" -u $MOCK_URL/status/500 -f st tokDown123456
  assert_eq 12 "$RC" "rc fail"; assert_contains "$ERR" "refused"
  # endpoint answers garbage (not JSON)
  run env HEALTHCHECK_DINGTALK_URL=$MOCK_URL/status/200 "$HC" -u $MOCK_URL/status/500 -f st tokBody123456
  assert_eq 13 "$RC" "rc still failing"; assert_contains "$ERR" "JSON"
}

test_hang_token_and_report_bounded() {
  # A hanging robot and a hanging report endpoint share one ~5 s deadline.
  start_mock
  local t0=$(now_ms) ms
  hc -u "$MOCK_URL/json?body=%7B%22a%22%3A1%7D" -r $MOCK_URL/hang hang tokenAfterHang1
  ms=$(( $(now_ms) - t0 ))
  assert_eq 0 "$RC" "rc unchanged"
  assert_time_lt "$ms" 6500 "duration with a hanging robot and report"
  assert_contains "$ERR" "timed out"
  assert_contains "$ERR" "report"
  assert_contains "$(dt_tokens)" "tokenAfterHang1" "other token delivered"
}

test_signed_robot_accepted() {
  start_mock --dingtalk-secret SEC0123456789abcdef
  hc -u $MOCK_URL/status/200 "tokenSigned777:SEC0123456789abcdef"
  assert_eq 0 "$RC" rc
  assert_eq "" "$ERR" "stderr (errcode 0)"
  "$PY" -c '
import json,sys,time
r=[json.loads(l) for l in open(sys.argv[1]) if "\"/robot/send\"" in l][0]
q=r["query"]
assert q["access_token"]=="tokenSigned777", q
assert abs(int(q["timestamp"])/1000 - time.time()) < 10, q
assert "SEC0123456789abcdef" not in r["raw_target"], r["raw_target"]' "$T/requests.jsonl" || _fail "signed query"
}

test_signed_robot_wrong_secret() {
  start_mock --dingtalk-secret SEC0123456789abcdef
  hc -u $MOCK_URL/status/200 "tokenSigned777:SECwrongwrongwrong"
  assert_eq 0 "$RC" "rc unchanged"
  assert_contains "$ERR" "310000"
}

test_unsigned_robot_against_signed_endpoint() {
  start_mock --dingtalk-secret SEC0123456789abcdef
  hc -u $MOCK_URL/status/500 tokenNoSign888
  assert_eq 10 "$RC" "rc unchanged"
  assert_contains "$ERR" "310000"
}

test_token_and_secret_never_printed() {
  start_mock --dingtalk-secret SECsupersecret42
  local all tok
  hc -u $MOCK_URL/status/200 "tokenLeakCheckABCDEF:SECsupersecret42" "badLeakCheckGHIJKL" http500LeakMNOP
  all=$OUT$ERR
  hc -u $MOCK_URL/status/500 "tokenLeakCheckABCDEF:SECwrongsecret99" "badLeakCheckGHIJKL"
  all+=$OUT$ERR
  for tok in tokenLeakCheckABCDEF SECsupersecret42 SECwrongsecret99 badLeakCheckGHIJKL http500LeakMNOP; do
    assert_not_contains "$all" "$tok" "output"
  done
  # Robots are still named (redacted) so the failing one can be found.
  assert_contains "$all" "badLea"
}

# Issue 11.1/11.4: a password and query secrets in the probe URL (no -n, so
# the name defaults to the URL) reach none of: stdout, stderr, the state
# file, the robot and webhook bodies, the report body. The probe itself
# still sends the real query and credentials.
test_probe_url_secrets_reach_no_output() {
  start_mock
  local pw=Pw-Secret-4411 tok=QueryTok-5522 sig=QuerySig-6633 all bodies s
  local q="access_token=$tok&sign=$sig"
  export HEALTHCHECK_WECOM_URL=$MOCK_URL/cgi-bin/webhook/send
  run env TZ=UTC0 NODENAME=node-7 HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send HEALTHCHECK_FEISHU_URL=$MOCK_URL/open-apis/bot/v2/hook/ \
    "$HC" -f "$T/st" -t 3000 -u "http://user:$pw@127.0.0.1:$MOCK_PORT/json?body=%7B%22a%22%3A1%7D&$q" \
    -r $MOCK_URL/report --webhook $MOCK_URL/webhook --feishu fhookSecrets1 --wecom wkeySecrets1 tokSecrets01
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  all=$OUT$ERR$(cat "$T/st")
  assert_contains "$OUT" "http://127.0.0.1:$MOCK_PORT/json?body=***&access_token=***&sign=*** pass: HTTP 200 from http://127.0.0.1:$MOCK_PORT/json?body=***&access_token=***&sign=***"
  run env TZ=UTC0 HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send HEALTHCHECK_FEISHU_URL=$MOCK_URL/open-apis/bot/v2/hook/ \
    "$HC" -f "$T/st" -t 3000 -u "http://user:$pw@127.0.0.1:$MOCK_PORT/status/500?body=%7B%22b%22%3A2%7D&ctype=application/json&$q" \
    -r $MOCK_URL/report --webhook $MOCK_URL/webhook --feishu fhookSecrets1 --wecom wkeySecrets1 tokSecrets01
  assert_eq 12 "$RC" "rc: $OUT $ERR"
  all+=$OUT$ERR$(cat "$T/st")
  assert_contains "$OUT" "HTTP 500 from http://127.0.0.1:$MOCK_PORT/status/500?body=***&ctype=***&access_token=***&sign=***"
  # What the robots, the webhook and the report received (not the probes).
  bodies=$("$PY" -c '
import json,sys
for l in open(sys.argv[1]):
    r=json.loads(l)
    if r["method"]=="POST": print(r["path"], r["body"])' "$T/requests.jsonl")
  for s in /robot/send /cgi-bin/webhook/send /open-apis/bot/v2/hook/fhookSecrets1 /webhook /report; do
    [ "$(grep -c "^$s " <<<"$bodies")" = 2 ] || _fail "two posts to $s expected: $bodies"
  done
  all+=$bodies
  for s in "$pw" "$tok" "$sig" "user:"; do assert_not_contains "$all" "$s" "outputs, state file and bodies"; done
  assert_contains "$bodies" "access_token=***&sign=***" "notice bodies name the URL redacted"
  # The probes themselves carried the real query and the credentials.
  "$PY" -c '
import json,sys
ps=[json.loads(l) for l in open(sys.argv[1])]
ps=[r for r in ps if r["method"]=="GET"]
assert len(ps)==2, ps
for r in ps:
    assert r["query"]["access_token"]==sys.argv[2] and r["query"]["sign"]==sys.argv[3], r
    assert ["Authorization","Basic dXNlcjpQdy1TZWNyZXQtNDQxMQ=="] in r["headers"], r["headers"]' "$T/requests.jsonl" "$tok" "$sig" \
    || _fail "probe requests"
}

# Issue 11.3/11.10: robot and webhook URLs are masked on stderr the way
# tokens are (a token in the path, a Feishu hook id before a query), and an
# upper-case scheme is a URL, not TOKEN:SECRET sent to the default endpoint.
test_robot_urls_masked_and_upper_case_scheme() {
  start_mock
  local hp=127.0.0.1:$MOCK_PORT s
  run env HEALTHCHECK_DINGTALK_URL=$MOCK_URL/default-dingtalk/send HEALTHCHECK_FEISHU_URL=$MOCK_URL/default-feishu/ "$HC" -n app -f "$T/st" -t 3000 -u $MOCK_URL/status/200 \
    "HTTP://$hp/robot/send?access_token=badUpperTok-778899" \
    --feishu "HTTP://$hp/open-apis/bot/v2/hook/badFeishuHook-334455?src=ci" \
    --webhook "http://$hp/hook-fail/WebhookPathTok-112233"
  assert_eq 0 "$RC" "rc unchanged: $ERR"
  assert_contains "$ERR" "dingtalk http://$hp/robot/send?access_token=***: errcode 300001"
  assert_contains "$ERR" "feishu http://$hp/open-apis/bot/v2/hook/badFei***?src=***: code 19001"
  assert_contains "$ERR" "webhook http://$hp/hook-fail/Webhoo***: HTTP 500"
  for s in badUpperTok-778899 badFeishuHook-334455 WebhookPathTok-112233 "=ci"; do
    assert_not_contains "$OUT$ERR" "$s" "output"
  done
  # The upper-case DingTalk URL was posted to, the default endpoint never.
  "$PY" -c '
import json,sys
rs=[json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["method"]=="POST"]
paths=sorted(r["path"] for r in rs)
assert paths==["/hook-fail/WebhookPathTok-112233","/open-apis/bot/v2/hook/badFeishuHook-334455","/robot/send"], paths
assert [r for r in rs if r["path"]=="/robot/send"][0]["query"]["access_token"]=="badUpperTok-778899"' "$T/requests.jsonl" \
    || _fail "robot requests"
}

# A notice endpoint that redirects is not followed, and its Location (which
# may repeat a path token) is not printed (a guard: container notices never
# followed redirects; supervise's are covered in supervise_secrets.sh).
test_notice_redirect_not_followed_nor_shown() {
  start_mock
  run "$HC" -n app -f "$T/st" -t 3000 -u $MOCK_URL/status/200 --webhook "$MOCK_URL/redirect?to=/hooks/RedirTok-12345678"
  assert_eq 0 "$RC" "rc unchanged: $ERR"
  assert_contains "$ERR" "webhook http://127.0.0.1:$MOCK_PORT/redirect?to=***: HTTP 302"
  assert_not_contains "$ERR" "RedirTok-12345678" "stderr"
  grep -q '"path":"/hooks/' requests.jsonl && _fail "redirect followed"
  return 0
}

# Issue 11.15: a robot's answer with control bytes does not reach the
# terminal raw; nor does a name with ESC, on stdout.
test_control_bytes_escaped_in_output_and_stderr() {
  "$PY" -c '
import sys
b = b"{\"errcode\":1,\"errmsg\":\"\\u001b]0;pwned\\u0007\"}"
sys.stdout.buffer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(b) + b)' > raw
  start_mock --raw-file "$T/raw"
  run env HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send "$HC" -n $'\e[31mRED\r\nFAKE' -f "$T/st" -t 3000 -u $MOCK_URL/ tokCtl123456
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  assert_contains "$ERR" 'errcode 1: \x1b]0;pwned\x07' "stderr"
  assert_contains "$OUT" '\x1b[31mRED\x0d\x0aFAKE pass' "stdout"
  [[ $OUT$ERR == *[$'\x01'-$'\x09'$'\x0b'-$'\x1f'$'\x7f']* ]] && _fail "control bytes in output: $(printf %q "$OUT$ERR")"
  assert_eq 1 "$(grep -c . <<<"$OUT")" "stdout is one line"
}

test_empty_token_skipped() {
  start_mock
  hc -u $MOCK_URL/status/200 "" tokenOnly12345
  assert_eq 0 "$RC" rc
  assert_eq "tokenOnly12345" "$(dt_tokens)" tokens
}

# ---- report mode -----------------------------------------------------------

# report_check EXPECTED_STATUS EXTRA_PY_ASSERTS
report_check() {
  "$PY" - "$T/requests.jsonl" "$1" "$(cid)" "${2:-}" <<'PY' || _fail "report"
import json, sys
path, status, cid, extra = sys.argv[1:5]
reps = [json.loads(l) for l in open(path, encoding="utf-8")]
reps = [r for r in reps if r["path"] == "/report"]
assert len(reps) == 1, "reports: %d" % len(reps)
r = reps[0]
assert r["method"] == "POST"
h = {k.lower(): v for k, v in r["headers"]}
assert h["content-type"].startswith("application/json"), h
b = json.loads(r["body"])
assert b["status"] == int(status) and type(b["status"]) is int, b
assert b["name"] == "我的程序", b
assert b["ua"] == "node-7", b
assert b["refer"] == cid, (b, cid)
assert h["user-agent"] == "node-7", h
assert h["referer"] == cid, h
exec(extra)
PY
}

test_report_merges_fields() {
  start_mock
  local body='{"qps":12,"status":"UP","nested":{"k":[1,2]},"msg":"正常"}'
  hc -u "$MOCK_URL/json?body=$("$PY" -c 'import urllib.parse,sys;print(urllib.parse.quote(sys.argv[1]))' "$body")" \
     -m '"UP"' -r $MOCK_URL/report
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  report_check 2 'assert b["qps"]==12 and b["nested"]=={"k":[1,2]} and b["msg"]=="正常", b'
}

test_report_status_follows_state() {
  start_mock
  printf '2\n' > st
  hc -u "$MOCK_URL/status/500?body=%7B%22a%22%3A1%7D&ctype=application/json" -r $MOCK_URL/report
  assert_eq 12 "$RC" rc
  report_check 3 'assert b["a"]==1'
  : > requests.jsonl
  hc -u "$MOCK_URL/json?body=%7B%7D" -r $MOCK_URL/report
  assert_eq 0 "$RC" rc
  report_check 4
}

test_report_not_sent_for_non_object() {
  start_mock
  hc -u "$MOCK_URL/json?body=%5B1%2C2%5D" -r $MOCK_URL/report
  assert_eq 0 "$RC" rc
  hc -u "$MOCK_URL/status/200?body=plain%20text" -r $MOCK_URL/report
  hc -u "$MOCK_URL/json?body=%7B%22a%22%3A1%7D%20trailing" -r $MOCK_URL/report
  hc -u "$MOCK_URL/json?body=%22str%22" -r $MOCK_URL/report
  grep -q '"/report"' requests.jsonl && _fail "report sent for a non-object body"
  return 0
}

test_report_not_sent_without_response() {
  start_mock
  local port
  port=$("$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
  hc -u http://127.0.0.1:$port/ -r $MOCK_URL/report
  assert_eq 10 "$RC" rc
  assert_not_contains "$ERR" "report" stderr
  grep -q '"/report"' requests.jsonl 2>/dev/null && _fail "report sent without a probe body"
  return 0
}

test_report_endpoint_failing() {
  start_mock
  hc -u "$MOCK_URL/json?body=%7B%22a%22%3A1%7D" -r $MOCK_URL/report-fail
  assert_eq 0 "$RC" "rc unchanged"
  assert_contains "$ERR" "report"
  assert_contains "$ERR" "500"
  local port
  port=$("$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
  hc -u "$MOCK_URL/json?body=%7B%22a%22%3A1%7D" -r http://127.0.0.1:$port/report
  assert_eq 0 "$RC" "rc unchanged (closed port)"
  assert_contains "$ERR" "report"
  assert_contains "$ERR" "refused"
}

test_report_and_notice_together() {
  start_mock
  hc -u "$MOCK_URL/json?body=%7B%22a%22%3A1%7D" -r $MOCK_URL/report tokenTogether1
  assert_eq 0 "$RC" rc
  report_check 2
  assert_eq tokenTogether1 "$(dt_tokens)"
}

run_tests
