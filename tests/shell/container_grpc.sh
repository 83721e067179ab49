#!/bin/bash
# Container mode gRPC health checks (grpc:// h2c, grpcs:// h2 with ALPN)
# against a real gRPC server on loopback: python3-grpcio (C-core HTTP/2
# stack) serving grpc.health.v1.Health/Check (tests/mock/grpcserver.py).
. "$(dirname "$0")/../lib.sh"

GRPC_SERVER=$HC_ROOT/tests/mock/grpcserver.py

# start_grpc [--tls CERT KEY] [--status SVC=N] [--hang SVC]; sets GRPC_PORT.
# grpcio takes a second or more to import on a busy machine: wait up to 20 s.
start_grpc() {
  local pf="$T/grpc.port.$RANDOM" i
  start_bg "$PY" "$GRPC_SERVER" --port-file "$pf" "$@" 2>>"$T/grpc.err"
  for i in $(seq 1 200); do [ -s "$pf" ] && break; sleep 0.1; done
  [ -s "$pf" ] || _fail "gRPC server did not start: $(cat "$T/grpc.err")"
  GRPC_PORT=$(cat "$pf")
}

test_grpc_h2c_serving_not_serving_unknown_hung() {
  start_grpc --status live=1 --status db=2 --status idle=0 --hang slow
  run "$HC" -u "grpc://127.0.0.1:$GRPC_PORT" -f st -t 5000
  assert_eq 0 "$RC" "whole server: $OUT $ERR"
  assert_contains "$OUT" "gRPC grpc://127.0.0.1:$GRPC_PORT: SERVING in"
  run "$HC" -u "grpc://localhost:$GRPC_PORT/live" -f st2 -t 5000
  assert_eq 0 "$RC" "service live: $OUT $ERR"
  run "$HC" -u "grpc://127.0.0.1:$GRPC_PORT/db" -n db -f st3 -t 5000
  assert_eq 10 "$RC" "NOT_SERVING fails: $OUT $ERR"
  assert_contains "$OUT" "db FAIL: gRPC grpc://127.0.0.1:$GRPC_PORT/db: NOT_SERVING"
  run "$HC" -u "grpc://127.0.0.1:$GRPC_PORT/idle" -f st4 -t 5000
  assert_eq 10 "$RC" "UNKNOWN fails: $OUT $ERR"
  assert_contains "$OUT" ": UNKNOWN in"
  # The standard servicer's answer for a service it does not know.
  run "$HC" -u "grpc://127.0.0.1:$GRPC_PORT/no.such.Service" -f st5 -t 5000
  assert_eq 10 "$RC" "unknown service: $OUT $ERR"
  assert_contains "$OUT" 'grpc-status 5 NOT_FOUND: unknown service "no.such.Service"'
  # A service that never answers: -t bounds the whole call.
  local t0 ms
  t0=$(now_ms)
  run "$HC" -u "grpc://127.0.0.1:$GRPC_PORT/slow" -f st6 -t 1500
  ms=$(( $(now_ms) - t0 ))
  assert_eq 10 "$RC" "hung: $OUT $ERR"
  assert_contains "$OUT" "timed out after"
  assert_contains "$OUT" "waiting for the response headers"
  assert_time_lt "$ms" 4000 "-t 1500 bounds the whole call"
}

test_grpcs_h2_over_tls_with_alpn() {
  make_pki
  start_grpc --tls "$T/pki/server.crt" "$T/pki/server.key" --status db=2
  run env -u SSL_CERT_FILE "$HC" -u "grpcs://127.0.0.1:$GRPC_PORT" -f st -t 5000
  assert_eq 0 "$RC" "grpcs unverified: $OUT $ERR"
  assert_contains "$OUT" "SERVING"
  run "$HC" --verify --cacert "$T/pki/ca.crt" -u "grpcs://localhost:$GRPC_PORT/db" -f st2 -t 5000
  assert_eq 10 "$RC" "grpcs verified, NOT_SERVING: $OUT $ERR"
  assert_contains "$OUT" "NOT_SERVING"
  # Cleartext h2c to the TLS port: the server hangs up without SETTINGS.
  run "$HC" -u "grpc://127.0.0.1:$GRPC_PORT" -f st3 -t 5000
  assert_eq 10 "$RC" "grpc:// to a TLS port: $OUT $ERR"
  assert_contains "$OUT" "grpcs://"
}

test_grpc_server_down_and_http1_port() {
  local port
  port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  run "$HC" -u "grpc://127.0.0.1:$port" -f st -t 3000
  assert_eq 10 "$RC" "down: $OUT $ERR"
  assert_contains "$OUT" "Connection refused"
  # An HTTP/1.1 server answers the HTTP/2 preface in HTTP/1.x.
  start_mock
  run "$HC" -u "grpc://127.0.0.1:$MOCK_PORT/svc" -f st2 -t 3000
  assert_eq 10 "$RC" "http/1.1 port: $OUT $ERR"
  assert_contains "$OUT" "HTTP/1.x, not HTTP/2"
}

test_grpc_usage_errors() {
  run "$HC" -u "grpc://127.0.0.1:1/svc" -m word -f st
  assert_eq 2 "$RC" "-m with grpc"
  assert_contains "$ERR" "-m/--match needs an HTTP target"
  run "$HC" -u "grpc://user:secret@127.0.0.1:1/svc" -f st
  assert_eq 2 "$RC" "userinfo"
  assert_not_contains "$OUT$ERR" "secret"
  run "$HC" -u "grpc://127.0.0.1:1/svc?token=abc" -f st
  assert_eq 2 "$RC" "query"
  assert_not_contains "$OUT$ERR" "abc"
  [ ! -e st ] || _fail "a usage error must not write the state file"
}

run_tests
