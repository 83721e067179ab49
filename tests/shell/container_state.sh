#!/bin/bash
# Container mode: the state table (README "State table and exit codes"), the DingTalk
# notice of every row, and TZ handling of the notice time.
. "$(dirname "$0")/../lib.sh"

NAME=我的程序
NODE=node-7

# Expected container id: first line of /etc/hostname, else $HOSTNAME.
cid() {
  local l=""
  [ -r /etc/hostname ] && l=$(head -n1 /etc/hostname | tr -d ' \t\r')
  [ -n "$l" ] && echo "$l" || echo "${HOSTNAME:-}"
}

# check_notices TITLE TOKENS [UTC_OFFSET_HOURS]
# Every recorded DingTalk POST must carry the exact message; the set of
# access tokens must equal the comma-separated TOKENS.
check_notices() {
  "$PY" - "$T/requests.jsonl" "$1" "$2" "${3:-0}" "$(cid)" "$NODE" <<'PY' || _fail "dingtalk notices"
import json, sys, re, datetime
path, title, tokens, off, cid, node = sys.argv[1:7]
reqs = [json.loads(l) for l in open(path, encoding="utf-8")]
dt = [r for r in reqs if r["path"] == "/robot/send"]
want = sorted(t for t in tokens.split(",") if t)
got = sorted(r["query"].get("access_token") for r in dt)
assert got == want, "tokens %r != %r" % (got, want)
for r in dt:
    assert r["method"] == "POST", r["method"]
    h = {k.lower(): v for k, v in r["headers"]}
    assert h.get("content-type", "").split(";")[0].strip() == "application/json", h
    b = json.loads(r["body"])
    assert set(b) == {"msgtype", "markdown"}, b
    assert b["msgtype"] == "markdown", b
    assert b["markdown"]["title"] == title, (b["markdown"]["title"], title)
    text = b["markdown"]["text"]
    prefix = title + "\r\n\r\n容器ID: " + cid + "\r\n\r\n节点: " + node + "\r\n\r\n时间: "
    assert text.startswith(prefix), repr(text)
    ts = text[len(prefix):]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", ts), ts
    t = datetime.datetime.strptime(ts, "%Y-%m-%d %H:%M:%S")
    exp = datetime.datetime.utcfromtimestamp(r["time"]) + datetime.timedelta(hours=int(off))
    assert abs((t - exp).total_seconds()) < 5, (ts, exp)
PY
}

no_notice() {
  if [ -f "$T/requests.jsonl" ] && grep -q '"/robot/send"' "$T/requests.jsonl"; then
    _fail "unexpected DingTalk notice: $(grep robot/send "$T/requests.jsonl")"
  fi
}

# row PREVIOUS(missing|1-4|garbled) pass|fail -> runs one check; sets RC/OUT/ERR
row() {
  start_mock
  rm -f st
  case $1 in
    missing) ;;
    garbled) printf 'x9\n' > st ;;
    *) printf '%s\n' "$1" > st ;;
  esac
  local path=/status/200
  [ "$2" = fail ] && path=/status/500
  run env TZ=UTC0 NODENAME=$NODE HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send \
    "$HC" -n=$NAME -u=$MOCK_URL$path -f st -t 3000 tokA tokB
}

test_missing_pass()  { row missing pass; assert_eq 0 "$RC" rc; assert_file_eq st 2; check_notices "[$NAME]已启动,运行正常" tokA,tokB; }
test_missing_fail()  { row missing fail; assert_eq 10 "$RC" rc; assert_file_eq st 1; check_notices "[$NAME]正在启动" tokA,tokB; }
test_1_pass()        { row 1 pass; assert_eq 0 "$RC" rc; assert_file_eq st 2; check_notices "[$NAME]已启动完毕,运行正常" tokA,tokB; }
test_1_fail()        { row 1 fail; assert_eq 11 "$RC" rc; assert_file_eq st 1; no_notice; }
test_2_pass()        { row 2 pass; assert_eq 0 "$RC" rc; assert_file_eq st 2; no_notice; }
test_2_fail()        { row 2 fail; assert_eq 12 "$RC" rc; assert_file_eq st 3; check_notices "[$NAME]出现异常,无法访问" tokA,tokB; }
test_3_pass()        { row 3 pass; assert_eq 0 "$RC" rc; assert_file_eq st 4; check_notices "[$NAME]已经恢复,运行正常" tokA,tokB; }
test_3_fail()        { row 3 fail; assert_eq 13 "$RC" rc; assert_file_eq st 3; check_notices "[$NAME]出现异常,仍未恢复" tokA,tokB; }
test_4_pass()        { row 4 pass; assert_eq 0 "$RC" rc; assert_file_eq st 4; no_notice; }
test_4_fail()        { row 4 fail; assert_eq 14 "$RC" rc; assert_file_eq st 3; check_notices "[$NAME]无法访问,很不稳定" tokA,tokB; }
test_garbled_pass()  {
  row garbled pass; assert_eq 15 "$RC" rc; assert_file_eq st 2; no_notice
  assert_contains "$ERR" "st" stderr; assert_contains "$ERR" "repaired" stderr
}
test_garbled_fail()  {
  row garbled fail; assert_eq 20 "$RC" rc; assert_file_eq st 1; no_notice
  assert_contains "$ERR" "repaired" stderr
}
test_garbled_empty_file() {
  start_mock; : > st
  run "$HC" -u $MOCK_URL/status/200 -f st
  assert_eq 15 "$RC" rc; assert_file_eq st 2
}
test_garbled_is_directory() {
  start_mock; mkdir st
  run "$HC" -u $MOCK_URL/status/500 -f st
  assert_eq 20 "$RC" rc
  assert_contains "$ERR" "st" stderr
}

# A whole life cycle on one state file.
test_sequence() {
  start_mock
  local seq="200:0:2 500:12:3 500:13:3 200:0:4 200:0:4 500:14:3 200:0:4" s code rc st
  for s in $seq; do
    IFS=: read -r code rc st <<<"$s"
    run "$HC" -n $NAME -u $MOCK_URL/status/$code -f st
    assert_eq "$rc" "$RC" "rc for $s"; assert_file_eq st "$st"
  done
}

test_state_file_default_name_in_notice() {
  # Without -n the URL is the name.
  start_mock
  run env TZ=UTC0 NODENAME=$NODE HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send \
    "$HC" -u $MOCK_URL/status/200 -f st tokA
  assert_eq 0 "$RC" rc
  check_notices "[$MOCK_URL/status/200]已启动,运行正常" tokA
}

test_tz_cst8() {
  start_mock
  local want
  run env TZ=CST-8 NODENAME=$NODE HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send \
    "$HC" -n $NAME -u $MOCK_URL/status/200 -f st tok1
  want=$(TZ=CST-8 date +%s)
  assert_eq 0 "$RC" rc
  check_notices "[$NAME]已启动,运行正常" tok1 8
  # And against date(1): parse the stamp as UTC+8 and compare epochs.
  local ts got
  ts=$("$PY" -c 'import json,sys;r=[json.loads(l) for l in open(sys.argv[1])][-1];print(json.loads(r["body"])["markdown"]["text"].split("时间: ")[1])' "$T/requests.jsonl")
  got=$(TZ=CST-8 date -d "$ts" +%s)
  assert_lt $((want - got)) 5 "CST-8 time $ts vs now"
  assert_lt $((got - want)) 5 "CST-8 time $ts vs now"
}

test_tz_utc() {
  start_mock
  run env TZ=UTC0 NODENAME=$NODE HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send \
    "$HC" -n $NAME -u $MOCK_URL/status/200 -f st tok1
  assert_eq 0 "$RC" rc
  check_notices "[$NAME]已启动,运行正常" tok1 0
}

test_tz_unset_is_utc() {
  start_mock
  run env -u TZ NODENAME=$NODE HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send \
    "$HC" -n $NAME -u $MOCK_URL/status/200 -f st tok1
  assert_eq 0 "$RC" rc
  # The host's /etc/localtime may say otherwise; the design says UTC only
  # for a scratch image, so only check it when the host is UTC itself.
  if [ "$(date +%z)" = "+0000" ]; then check_notices "[$NAME]已启动,运行正常" tok1 0; fi
}

test_hostname_fallback() {
  # /etc/hostname empty -> $HOSTNAME is the container id.
  start_mock
  unshare -m bash -c 'mount --bind /dev/null /etc/hostname && exec "$@"' _ \
    env TZ=UTC0 HOSTNAME=abc123def NODENAME=$NODE HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send \
    "$HC" -n $NAME -u $MOCK_URL/status/200 -f st tok1 >/dev/null 2>&1
  "$PY" -c '
import json,sys
r=[json.loads(l) for l in open(sys.argv[1])][-1]
t=json.loads(r["body"])["markdown"]["text"]
assert "\r\n\r\n容器ID: abc123def\r\n\r\n" in t, repr(t)' "$T/requests.jsonl" || _fail "HOSTNAME fallback"
}

run_tests
