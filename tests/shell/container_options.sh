#!/bin/bash
# Container mode: --status, --method, -H, --data, --regex, --json-path and
# the HC_* environment variables, against the mock HTTP server. Header
# values and bodies (tokens) never reach stdout, stderr or a notice.
. "$(dirname "$0")/../lib.sh"

SECRET=Tok-Secret-4711

# probe ARGS... -> RC/OUT/ERR with a fresh state file $T/st; MS = wall ms.
probe() {
  local t0
  rm -f "$T/st"
  t0=$(now_ms)
  run "$HC" -n probe -f "$T/st" "$@"
  MS=$(( $(now_ms) - t0 ))
}
expect_pass() { probe "$@"; assert_eq 0 "$RC" "rc ($OUT $ERR)"; assert_file_eq "$T/st" 2; }
expect_fail() { # MESSAGE ARGS...: first run fails (exit 10), MESSAGE on stdout
  local msg=$1; shift
  probe "$@"
  assert_eq 10 "$RC" "rc ($OUT $ERR)"
  assert_contains "$OUT" "$msg"
}
expect_usage() { # MESSAGE ARGS...: exit 2, MESSAGE on stderr, state file untouched
  local msg=$1; shift
  probe "$@"
  assert_eq 2 "$RC" "rc ($OUT $ERR)"
  assert_contains "$ERR" "$msg"
  [ -e "$T/st" ] && _fail "state file written on a usage error"
  return 0
}
# The last request the mock saw, as one JSON line.
last_request() { tail -n 1 "$T/requests.jsonl"; }
field() { "$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

test_status_list() {
  start_mock
  expect_pass -u $MOCK_URL/status/401 --status 200-399,401
  expect_pass -u $MOCK_URL/status/302 --status=200-399
  expect_pass -u $MOCK_URL/status/204 --status:2xx
  expect_fail "HTTP 404 from $MOCK_URL/status/404" -u $MOCK_URL/status/404 --status 200-399,401
  assert_contains "$OUT" "(want 200-399,401)"
  # The default stays 200 only, with the old message.
  expect_fail "(want 200)" -u $MOCK_URL/status/201
  expect_usage "--status: bad status \"20x\"" -u $MOCK_URL/status/200 --status 200,20x
  expect_usage "--status: " -u $MOCK_URL/status/200 --status 399-200
  expect_usage "--status: empty item" -u $MOCK_URL/status/200 --status 200,
}

test_method_headers_data_reach_the_server() {
  start_mock
  expect_pass -u $MOCK_URL/echo -H "Authorization: Bearer $SECRET" -H 'Accept: a/b, c/d' \
    -H 'Host: svc.example' --data '{"ping":1}' -H 'Content-Type: application/json'
  local r; r=$(last_request)
  assert_eq POST "$(field "$r" 'r["method"]')"
  assert_eq '{"ping":1}' "$(field "$r" 'r["body"]')"
  assert_eq "Bearer $SECRET" "$(field "$r" '[v for n,v in r["headers"] if n=="Authorization"][0]')"
  assert_eq "a/b, c/d" "$(field "$r" '[v for n,v in r["headers"] if n=="Accept"][0]')"
  assert_eq "svc.example" "$(field "$r" '[v for n,v in r["headers"] if n.lower()=="host"][0]')"
  assert_eq "1" "$(field "$r" 'len([v for n,v in r["headers"] if n.lower()=="host"])')"
  assert_eq "10" "$(field "$r" '[v for n,v in r["headers"] if n=="Content-Length"][0]')"
  assert_not_contains "$OUT$ERR" "$SECRET"
  expect_pass -u $MOCK_URL/echo --method put --data ''
  r=$(last_request)
  assert_eq PUT "$(field "$r" 'r["method"]')"
  assert_eq "0" "$(field "$r" '[v for n,v in r["headers"] if n=="Content-Length"][0]')"
}

test_head_reads_no_body() {
  start_mock
  # 64 MiB announced and never sent: a HEAD answer ends after the headers.
  expect_pass -u "$MOCK_URL/huge-body?size=67108864" --method HEAD -t 3000
  assert_eq HEAD "$(field "$(last_request)" 'r["method"]')"
  assert_time_lt "$MS" 1500 "HEAD duration"
  expect_usage "--method HEAD" -u $MOCK_URL/status/200 --method HEAD -m OK
}

# -H values may hold tokens under any name: they follow a redirect to the
# same origin only (as Authorization already did).
test_headers_not_sent_across_origins() {
  start_mock; local first=$MOCK_URL
  expect_pass -u "$first/redirect?to=/status/200" -H "X-Api-Key: $SECRET"
  assert_eq "$SECRET" "$(field "$(last_request)" '[v for n,v in r["headers"] if n=="X-Api-Key"][0]')"
  start_mock
  expect_pass -u "$first/redirect?to=$MOCK_URL/status/200" -H "X-Api-Key: $SECRET" -H 'Host: one.example'
  local r; r=$(last_request)
  assert_eq "/status/200" "$(field "$r" 'r["path"]')"
  assert_eq "0" "$(field "$r" 'len([v for n,v in r["headers"] if n=="X-Api-Key"])')"
  assert_eq "127.0.0.1:$MOCK_PORT" "$(field "$r" '[v for n,v in r["headers"] if n.lower()=="host"][0]')"
}

test_secrets_in_headers_and_data_never_printed() {
  start_mock
  local hook="$MOCK_URL/webhook" out=""
  # Failing probes send a notice: its text holds the failure, not the request.
  expect_fail "HTTP 503" -u $MOCK_URL/status/503 -H "Authorization: Bearer $SECRET" --data "pw=$SECRET" \
    --webhook "$hook"
  out+="$OUT$ERR"
  HC_HEADERS="X-Token: $SECRET" HC_DATA="$SECRET" expect_fail "HTTP 404" -u $MOCK_URL/status/404 --webhook "$hook"
  out+="$OUT$ERR"
  # Bad headers are usage errors that do not repeat the header.
  expect_usage "-H/--header X-Token: control characters" -u $MOCK_URL/status/200 -H $'X-Token: '"$SECRET"$'\r\nX: 1'
  out+="$OUT$ERR"
  expect_usage "-H/--header: want \"Name: value\"" -u $MOCK_URL/status/200 -H "Bearer $SECRET"
  out+="$OUT$ERR"
  HC_HEADERS="Authorization $SECRET" expect_usage "HC_HEADERS" -u $MOCK_URL/status/200
  out+="$OUT$ERR"
  assert_not_contains "$out" "$SECRET"
  # The notices went out (so their bodies were checked), without the token.
  local n; n=$(grep -c '"path":"/webhook"' "$T/requests.jsonl")
  assert_eq 2 "$n" "webhook notices"
  grep '"path":"/webhook"' "$T/requests.jsonl" | grep -q "$SECRET" && _fail "a notice holds the secret"
  return 0
}

test_regex() {
  start_mock
  expect_pass -u "$MOCK_URL/status/200?body=%7B%22status%22%3A%20%22UP%22%7D" --regex '"status": *"(UP|OK)"'
  expect_pass -u "$MOCK_URL/status/200?body=boot%0Aready%0A" --regex '^ready$' --regex 'bo+t'
  expect_fail "but the body does not match the regex \"^ready\$\"" \
    -u "$MOCK_URL/status/200?body=not%20ready" --regex '^ready$'
  expect_usage "--regex: " -u $MOCK_URL/status/200 --regex 'a(b'
  expect_usage "back-reference" -u $MOCK_URL/status/200 --regex '(a)\1'
  expect_usage "longer than 512" -u $MOCK_URL/status/200 --regex "$(printf 'a%.0s' $(seq 600))"
}

# "(x|xx)*y" makes glibc's regexec quadratic: on 256 KiB it would run for
# minutes. musl's (TRE) is linear in the body but not in the pattern size:
# "((x|xx){1,250})*y" takes about 2 s there, far longer with glibc. The
# search is killed at the -t deadline either way.
test_regex_hostile_body_bounded_by_deadline() {
  start_mock
  expect_fail "ran out of time" -u "$MOCK_URL/huge-body?size=262144" --regex '((x|xx){1,250})*y' -t 500
  assert_time_lt "$MS" 3000 "regex search"
}

test_json_path() {
  start_mock
  local body='{"status":"UP","checks":[{"name":"db","up":true},{"name":"cache","up":false}],"n":3}'
  local enc; enc=$("$PY" -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$body")
  expect_pass -u "$MOCK_URL/json?body=$enc" --json-path status=UP --json-path checks.0.up --json-path n=3.0
  expect_fail 'but status is "UP" (want "DOWN")' -u "$MOCK_URL/json?body=$enc" --json-path status=DOWN
  expect_fail "but checks.1.up is false" -u "$MOCK_URL/json?body=$enc" --json-path checks.1.up
  expect_fail "but the body has no checks.2" -u "$MOCK_URL/json?body=$enc" --json-path checks.2.name=x
  expect_fail "but the body is not JSON" -u "$MOCK_URL/status/200?body=UP" --json-path status
  expect_usage "--json-path: empty step" -u $MOCK_URL/status/200 --json-path 'a..b=1'
}

# An exec-form HEALTHCHECK has no shell to expand $PORT: everything can come
# from the environment, with no argument at all.
test_env_only() {
  start_mock
  rm -f "$T/st"
  run env -i HC_URL="$MOCK_URL/status/401" HC_NAME=envcheck HC_FILE="$T/st" HC_STATUS=401 HC_TIMEOUT=3000 "$HC"
  assert_eq 0 "$RC" "rc ($OUT $ERR)"
  assert_contains "$OUT" "envcheck pass: HTTP 401"
  assert_file_eq "$T/st" 2
  run env -i HC_URL="$MOCK_URL/echo" HC_FILE="$T/st" HC_METHOD=PUT HC_DATA=x \
    HC_HEADERS=$'A: 1, 2\nB: 3' HC_JSON_PATH=$'method=PUT\nbody=x' HC_REGEX='"A",' "$HC"
  assert_eq 0 "$RC" "rc ($OUT $ERR)"
  assert_eq "[['A', '1, 2'], ['B', '3']]" "$(field "$(last_request)" '[[n,v] for n,v in r["headers"] if n in ("A","B")]')"
}

test_env_command_line_wins() {
  start_mock
  HC_URL="http://127.0.0.1:1/" HC_STATUS=500 HC_NAME=env expect_pass -u $MOCK_URL/status/200 --status 200
  assert_contains "$OUT" "probe pass"
  # -m on the command line, HC_MATCH ignored; HC_URL used.
  HC_URL="$MOCK_URL/status/200?body=cli" HC_MATCH=env expect_pass -m cli
}

test_env_errors_name_the_variable() {
  start_mock
  HC_URL=$MOCK_URL/status/200 HC_TIMEOUT=5s expect_usage "(options from the environment: HC_URL, HC_TIMEOUT)"
  HC_URL="http://user:$SECRET@127.0.0.1:99999/?t=$SECRET" expect_usage "port out of range"
  assert_not_contains "$ERR" "$SECRET"
  HC_URL=$MOCK_URL/status/200 HC_VERIFY=maybe expect_usage "HC_VERIFY: want 1, true"
}

run_tests
