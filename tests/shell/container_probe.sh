#!/bin/bash
# Container mode: what counts as a pass (status 200 only, keyword match,
# redirects, body framing) and how misbehaving servers fail: each with a
# clear message and within its deadline.
. "$(dirname "$0")/../lib.sh"

# probe URL [args...] -> RC/OUT/ERR, and MS = wall time in ms. Fresh state file.
probe() {
  local url=$1 t0; shift
  rm -f "$T/st"
  t0=$(now_ms)
  run "$HC" -n probe -u "$url" -f "$T/st" "$@"
  MS=$(( $(now_ms) - t0 ))
}
expect_pass() { probe "$@"; assert_eq 0 "$RC" "rc for $1 ($OUT $ERR)"; assert_file_eq "$T/st" 2; }
# expect_fail MESSAGE URL [args] : exit 10 (first run, fails), message on stdout/stderr
expect_fail() {
  local msg=$1; shift
  probe "$@"
  assert_eq 10 "$RC" "rc for $1 ($OUT $ERR)"
  assert_file_eq "$T/st" 1
  assert_contains "$OUT$ERR" "$msg" "output for $1"
}

test_status_200_passes() { start_mock; expect_pass $MOCK_URL/status/200; assert_contains "$OUT" "pass"; }
test_status_not_200_fails() {
  start_mock
  local c
  for c in 201 204 206 299 404 500 503; do expect_fail "HTTP $c" $MOCK_URL/status/$c; done
  # A 3xx without Location is the final answer, and it is not 200.
  for c in 301 302 304 307; do expect_fail "HTTP $c" $MOCK_URL/status/$c; done
}

test_match_keyword() {
  start_mock
  expect_pass "$MOCK_URL/status/200?body=all%20is%20OK%20here" -m OK
  expect_pass "$MOCK_URL/status/200?body=%E6%AD%A3%E5%B8%B8" -m 正常
  expect_fail "lacks" "$MOCK_URL/status/200?body=all%20is%20ok" -m OK   # case-sensitive
  expect_fail "lacks" "$MOCK_URL/status/200?body=nothing" -m OK
  # Keyword present but status not 200: fails.
  expect_fail "HTTP 500" "$MOCK_URL/status/500?body=OK" -m OK
}

test_redirect_relative() { start_mock; expect_pass "$MOCK_URL/redirect?to=/status/200%3Fbody%3Dlanded" -m landed; }
test_redirect_relative_path() { start_mock; expect_pass "$MOCK_URL/redirect?to=status/200" ; }
test_redirect_absolute() {
  start_mock
  local c
  for c in 301 302 303 307 308; do
    expect_pass "$MOCK_URL/redirect?code=$c&to=$MOCK_URL/status/200%3Fbody%3Dfinal" -m final
  done
}
test_redirect_chain_of_5_passes() { start_mock; expect_pass $MOCK_URL/redirect-chain/5 -m "chain done"; }
test_redirect_chain_of_6_fails() { start_mock; expect_fail "too many redirects" $MOCK_URL/redirect-chain/6; }
test_redirect_loop_fails_fast() {
  start_mock
  expect_fail "too many redirects" $MOCK_URL/loop -t 5000
  assert_time_lt "$MS" 1000 "loop duration"
}
test_redirect_to_other_port() {
  start_mock; local first=$MOCK_URL
  start_mock
  expect_pass "$first/redirect?to=$MOCK_URL/status/200"
  grep -q '"/status/200"' requests.jsonl || _fail "second server not asked"
}

test_chunked_body_matched() {
  start_mock
  expect_pass "$MOCK_URL/chunked?parts=he,llo,%20world" -m "hello world"
  expect_pass "$MOCK_URL/chunked?parts=he,llo,%20world&ext=1&trailer=1" -m "hello world"
  expect_fail "lacks" "$MOCK_URL/chunked?parts=he,llo&ext=1&trailer=1" -m "trailer-value"
}

test_close_delimited_body() {
  start_mock
  expect_pass "$MOCK_URL/close-delimited?body=until%20close%20MARK" -m MARK
  expect_fail "lacks" "$MOCK_URL/close-delimited?body=until%20close" -m MARK
}

test_body_over_1mib_keyword_at_start() {
  start_mock
  expect_pass "$MOCK_URL/huge-body?size=3000000" -m xxxx
  expect_pass "$MOCK_URL/huge-body?size=3000000&chunked=1" -m xxxx
  expect_pass "$MOCK_URL/huge-body?size=3000000&nolength=1" -m xxxx
  assert_time_lt "$MS" 2000 "huge body duration"
}

test_keyword_only_after_1mib_fails() {
  "$PY" -c '
import sys
body = b"x" * (1 << 20) + b"NEEDLE"
sys.stdout.buffer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)' > raw
  start_mock --raw-file "$T/raw"
  expect_fail "1 MiB" $MOCK_URL/ -m NEEDLE
  # Just inside the cap still matches.
  "$PY" -c '
import sys
body = b"x" * ((1 << 20) - 6) + b"NEEDLE"
sys.stdout.buffer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)' > raw2
  start_mock --raw-file "$T/raw2"
  expect_pass $MOCK_URL/ -m NEEDLE
}

test_interim_100_then_200() {
  printf 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal' > raw
  start_mock --raw-file "$T/raw"
  expect_pass $MOCK_URL/ -m final
}

test_head_of_line_http10_close() {
  printf 'HTTP/1.0 200 OK\r\n\r\nold server' > raw
  start_mock --raw-file "$T/raw"
  expect_pass $MOCK_URL/ -m "old server"
}

# ---- misbehaving servers -------------------------------------------------

test_never_answers_within_deadline() {
  start_mock
  expect_fail "timed out" $MOCK_URL/hang -t 500
  assert_time_lt "$MS" 1000 "hang with -t 500"
}

test_drip_slower_than_timeout() {
  start_mock
  expect_fail "timed out" "$MOCK_URL/drip?bytes=50&interval_ms=100" -t 800
  assert_time_lt "$MS" 1600 "drip duration"
  expect_fail "timed out" "$MOCK_URL/drip-headers?interval_ms=100" -t 800
  assert_time_lt "$MS" 1600 "drip-headers duration"
}

test_reset_mid_headers() { start_mock; expect_fail "reset" "$MOCK_URL/reset?at=headers" -t 3000; assert_time_lt "$MS" 1500; }
test_reset_mid_body()    { start_mock; expect_fail "reset" "$MOCK_URL/reset?at=body" -t 3000; assert_time_lt "$MS" 1500; }

test_garbage() {
  start_mock
  probe $MOCK_URL/garbage -t 3000
  assert_eq 10 "$RC" rc
  [[ $OUT$ERR =~ (not an HTTP response|status line) ]] || _fail "garbage message: $OUT $ERR"
  assert_time_lt "$MS" 1500
}
test_garbage_with_newline_says_not_http() {
  printf 'SSH-2.0-OpenSSH_9.2\r\n' > raw
  start_mock --raw-file "$T/raw"
  expect_fail "not an HTTP response" $MOCK_URL/ -t 3000
}

test_huge_header_fails() {
  start_mock
  expect_fail "headers exceed 64 KiB" "$MOCK_URL/huge-header?size=1000000" -t 3000
  assert_time_lt "$MS" 1500
}
test_header_just_under_cap_passes() {
  start_mock
  expect_pass "$MOCK_URL/huge-header?size=60000" -t 3000
}

test_invalid_chunk_size() {
  start_mock
  expect_fail "invalid chunk size" "$MOCK_URL/chunked?parts=ab,cd,ef&bad=1" -t 3000
  expect_fail "invalid chunk size" "$MOCK_URL/chunked?bad=1" -t 3000
}
test_chunked_truncated() {
  printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel' > raw
  start_mock --raw-file "$T/raw"
  expect_fail "closed" $MOCK_URL/ -t 3000
}

test_content_length_negative()    { start_mock; expect_fail "Content-Length" "$MOCK_URL/content-length?value=-1&body=x"; }
test_content_length_non_numeric() { start_mock; expect_fail "Content-Length" "$MOCK_URL/content-length?value=abc&body=x"; }
test_content_length_conflicting() { start_mock; expect_fail "Content-Length" "$MOCK_URL/content-length?value=2&value2=3&body=xx"; }
test_content_length_short_body()  { start_mock; expect_fail "body bytes" "$MOCK_URL/content-length?value=10&body=abc" -t 3000; }
test_content_length_duplicate_equal_ok() { start_mock; expect_pass "$MOCK_URL/content-length?value=2&value2=2&body=ok" -m ok; }

test_connection_refused() {
  # A port that was just free: bind, note it, close.
  local port
  port=$("$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
  expect_fail "refused" http://127.0.0.1:$port/ -t 3000
  assert_time_lt "$MS" 1000
}

test_tls_url_against_plain_port() {
  start_mock
  expect_fail "" "https://127.0.0.1:$MOCK_PORT/status/200" -t 1000
  assert_time_lt "$MS" 2000 "duration"
  # The TCP connect worked; the message must blame TLS, not the connect.
  [[ ${OUT,,}${ERR,,} =~ (tls|handshake|ssl) ]] || _fail "message does not name TLS: $OUT $ERR"
}

test_tls_url_against_http_responder() {
  # A plain HTTP server that answers at once (like nginx's 400): fast, names TLS.
  printf 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n' > raw
  start_mock --raw-file "$T/raw"
  expect_fail "tls" "https://127.0.0.1:$MOCK_PORT/" -t 3000
  assert_time_lt "$MS" 1500 "duration"
}

test_basic_auth_from_url_not_leaked_on_redirect() {
  start_mock; local first=$MOCK_PORT
  start_mock
  expect_pass "http://user:pw@127.0.0.1:$first/echo" -m "Basic dXNlcjpwdw=="
  assert_not_contains "$OUT$ERR" "pw@" "output shows the password"
  # Redirected to another port: the credentials are not sent there.
  expect_pass "http://user:pw@127.0.0.1:$first/redirect?to=http://127.0.0.1:$MOCK_PORT/echo"
  "$PY" -c '
import json,sys
rs=[json.loads(l) for l in open(sys.argv[1])]
r=[r for r in rs if r["path"]=="/echo" and r["headers"][0][1].endswith(":"+sys.argv[2])][-1]
assert not any(k.lower()=="authorization" for k,v in r["headers"]), r["headers"]' "$T/requests.jsonl" "$MOCK_PORT" \
    || _fail "Authorization sent across the redirect"
}

# Issue 11.4/11.15: a Location that repeats the probe's query secret, or
# carries control bytes, is shown redacted and escaped in the message.
test_redirect_location_redacted_and_escaped() {
  printf 'HTTP/1.1 302 Found\r\nLocation: /next\e[31m?access_token=LocTok-778811\r\nContent-Length: 0\r\n\r\n' > raw
  start_mock --raw-file "$T/raw"
  expect_fail "too many redirects" "$MOCK_URL/start?access_token=LocTok-778811" -t 3000
  assert_contains "$OUT" "last to http://127.0.0.1:$MOCK_PORT/next%1B[31m?access_token=***"
  assert_not_contains "$OUT$ERR" "LocTok-778811" "output"
  assert_not_contains "$OUT$ERR" $'\e' "output"
}

test_server_control_bytes_escaped() {
  printf 'HTTP/1.1 200 OK\r\nContent-Length: \e[2J\r\n\r\nok' > raw
  start_mock --raw-file "$T/raw"
  expect_fail 'invalid Content-Length "\x1b[2J"' "$MOCK_URL/" -t 3000
  assert_not_contains "$OUT$ERR" $'\e' "output"
}

test_timeout_covers_whole_redirect_chain() {
  start_mock
  expect_fail "timed out" "$MOCK_URL/redirect?to=/hang" -t 600
  assert_time_lt "$MS" 1200 "duration"
}

test_http_url_against_tls_port() {
  make_pki
  start_mock --tls "$T/pki/server.crt" "$T/pki/server.key" 2>>"$T/mock.err"
  expect_fail "" "http://127.0.0.1:$MOCK_PORT/status/200" -t 3000
  assert_time_lt "$MS" 2000 "duration"
  [[ $OUT$ERR =~ (closed|not an HTTP response|reset) ]] || _fail "message: $OUT $ERR"
}

run_tests
