#!/bin/bash
# Fault injection, container mode, HTTP: hostile or broken servers. Each
# fault asserts a clear message, a bounded wall time and a bounded peak RSS
# (time(1)), and records the figures for tests/faults/report.sh.
# container_probe.sh checks the same failures for correctness with smaller
# inputs; this file measures them at full size.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/faults/lib.sh"

# fault ID "FAULT" LIMIT_MS EXPECTED_RC "MESSAGE" URL [args]
# Runs one check with a fresh state file, asserts rc, message, time and
# RSS (FAULT_RSS_LIMIT_KB), records the row.
fault() {
  local id=$1 what=$2 limit_ms=$3 want_rc=$4 msg=$5 url=$6; shift 6
  rm -f "$T/st"
  measure "$HC" -n probe -u "$url" -f "$T/st" "$@"
  assert_eq "$want_rc" "$RC" "exit code for $what ($OUT $ERR)"
  assert_contains "$OUT$ERR" "$msg" "message for $what"
  assert_time_lt "$MS" "$limit_ms" "$what: wall time in ms"
  assert_lt "$RSS_KB" "$FAULT_RSS_LIMIT_KB" "$what: peak RSS in KB"
  record "$id" "$what" "exit $RC: $(msg_of "$OUT$ERR")" "$MS" "$RSS_KB" \
    "< $(awk -v m="$limit_ms" 'BEGIN{printf "%g", m/1000}') s, < $((FAULT_RSS_LIMIT_KB / 1024)) MB"
}

test_baseline_healthy_check() {
  start_mock
  fault 00-baseline "baseline: healthy check, 200 with a small body" 500 0 "pass: HTTP 200" "$MOCK_URL/status/200"
}

test_drip_one_byte_per_second() {
  start_mock
  # 10-byte body, one byte a second; -t 3000 must end it at 3 s (the limit is 2x: the machine is shared).
  fault 01-drip "server drips the body 1 byte/s, -t 3000" 6000 10 "timed out" \
    "$MOCK_URL/drip?bytes=10&interval_ms=1000" -t 3000
  assert_lt 2900 "$MS" "drip: gave up before the deadline"
}

test_never_answers() {
  start_mock
  fault 02-hang "accepts, never answers, -t 1000" 2000 10 "timed out waiting for the response" \
    "$MOCK_URL/hang" -t 1000
  assert_lt 900 "$MS" "hang: gave up before the deadline"
}

test_reset_mid_headers_and_body() {
  start_mock
  fault 03a-reset-headers "connection reset in the middle of the headers" 1000 10 "Connection reset by peer" \
    "$MOCK_URL/reset?at=headers" -t 8000
  fault 03b-reset-body "connection reset in the middle of the body" 1000 10 "Connection reset by peer" \
    "$MOCK_URL/reset?at=body" -t 8000
}

test_huge_body_100mb() {
  start_mock
  local cap="in its first 1 MiB" n=104857600
  # The keyword is absent, so the whole first MiB is read and searched: the
  # worst case. RSS must stay under 4 MB whatever the framing.
  fault 04a-body-cl "100 MB body, Content-Length" 1500 10 "$cap" "$MOCK_URL/huge-body?size=$n" -m NEEDLE -t 8000
  fault 04b-body-chunked "100 MB body, chunked" 1500 10 "$cap" "$MOCK_URL/huge-body?size=$n&chunked=1" -m NEEDLE -t 8000
  fault 04c-body-close "100 MB body, close-delimited" 1500 10 "$cap" "$MOCK_URL/huge-body?size=$n&nolength=1" -m NEEDLE -t 8000
  # Without -m the body is not needed for the verdict.
  fault 04d-body-nomatch "100 MB body, Content-Length, no -m" 1500 0 "pass: HTTP 200" "$MOCK_URL/huge-body?size=$n" -t 8000
}

test_huge_body_rest_not_read() {
  # A server that counts how much of its 100 MiB body the kernel took before
  # the client closed: 1 MiB + socket buffers (a few MB), never the 100 MiB.
  start_bg "$PY" "$HC_ROOT/tests/faults/bodyserver.py" --port-file "$T/bs.port" --count-file "$T/bs.count"
  wait_file "$T/bs.port"
  local port path n i pushed="" max_ms=0 max_rss=0
  port=$(cat "$T/bs.port")
  for path in cl chunked close; do
    rm -f "$T/st"
    measure "$HC" -u "http://127.0.0.1:$port/$path" -f "$T/st" -m NEEDLE -t 8000
    assert_eq 10 "$RC" "rc ($OUT)"
    assert_lt "$RSS_KB" "$FAULT_RSS_LIMIT_KB" "peak RSS for /$path"
    for i in $(seq 1 50); do grep -q "^/$path " "$T/bs.count" 2>/dev/null && break; sleep 0.1; done
    n=$(awk -v p="/$path" '$1==p{print $2}' "$T/bs.count")
    [ -n "$n" ] || _fail "bodyserver did not report /$path"
    assert_lt "$n" $((32 << 20)) "bytes of the 100 MiB body /$path the server could send"
    pushed+="${pushed:+, }$path $((n / 1024))"
    [ "$MS" -gt "$max_ms" ] && max_ms=$MS
    [ "$RSS_KB" -gt "$max_rss" ] && max_rss=$RSS_KB
  done
  record 04f-body-not-read "100 MiB body (Content-Length, chunked, close): how much the server got to send" \
    "exit 10, closed after the first 1 MiB; KiB of the 102400 KiB the server could send: $pushed" \
    "$max_ms" "$max_rss" "< 32 MiB sent, < 4 MB"
}

test_huge_header_line() {
  start_mock
  fault 04e-header-1mb "1 MB header line" 1000 10 "headers exceed 64 KiB" "$MOCK_URL/huge-header?size=1048576" -t 8000
}

test_framing_errors() {
  start_mock
  fault 05a-bad-chunk "invalid chunk size" 1000 10 "invalid chunk size" "$MOCK_URL/chunked?parts=ab,cd&bad=1" -t 8000
  fault 05b-cl-negative "negative Content-Length" 1000 10 'invalid Content-Length "-1"' \
    "$MOCK_URL/content-length?value=-1&body=x" -t 8000
  fault 05c-cl-conflict "conflicting Content-Length headers" 1000 10 "conflicting Content-Length" \
    "$MOCK_URL/content-length?value=2&value2=3&body=xx" -t 8000
  fault 05d-redirect-loop "redirect loop (/loop -> /loop)" 1000 10 "too many redirects" "$MOCK_URL/loop" -t 8000
}

test_tls_url_against_plain_port() {
  # The mock waits for a full HTTP request and never answers a ClientHello:
  # the handshake is bounded by -t.
  start_mock
  fault 05e-https-to-plain "https:// URL on a plain HTTP port (silent), -t 1000" 2000 10 "tls handshake" \
    "https://127.0.0.1:$MOCK_PORT/status/200" -t 1000
  assert_contains "$OUT$ERR" "is it a TLS port?"
  # A plain server that answers at once (like nginx's 400): no waiting.
  printf 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n' > raw
  start_mock --raw-file "$T/raw"
  fault 05f-https-to-http400 "https:// URL on a plain HTTP port that answers 400" 1000 10 "tls" \
    "https://127.0.0.1:$MOCK_PORT/" -t 8000
}

test_http_url_against_tls_port() {
  make_pki
  start_mock --tls "$T/pki/server.crt" "$T/pki/server.key" 2>>"$T/mock.err"
  fault 05g-http-to-tls "http:// URL on a TLS port" 1000 10 "" "http://127.0.0.1:$MOCK_PORT/status/200" -t 8000
  [[ $OUT$ERR =~ (reset|closed|not an HTTP response) ]] || _fail "message: $OUT $ERR"
}

run_tests
