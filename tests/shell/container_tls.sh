#!/bin/bash
# Container mode over TLS: probes follow Kubernetes semantics (no
# verification unless --verify); DingTalk notices are verified (CA from
# SSL_CERT_FILE or --cacert, --insecure opts out with a warning).
. "$(dirname "$0")/../lib.sh"

# A second, unrelated CA (the "wrong" trust store).
make_other_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=other-ca -keyout "$T/other.key" -out "$T/other.crt" 2>/dev/null
  [ -s "$T/other.crt" ] || _fail "could not make the other CA"
}

tls_mock() { make_pki; start_mock --tls "$T/pki/server.crt" "$T/pki/server.key" "$@" 2>>"$T/mock.err"; }

dt_count() { grep -c '"/robot/send"' "$T/requests.jsonl" 2>/dev/null || true; }

test_https_probe_unverified_by_default() {
  tls_mock
  run env -u SSL_CERT_FILE "$HC" -u "https://127.0.0.1:$MOCK_PORT/status/200?body=secure" -m secure -f st -t 3000
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  run env -u SSL_CERT_FILE "$HC" -u "https://localhost:$MOCK_PORT/status/200" -f st2 -t 3000
  assert_eq 0 "$RC" "rc localhost: $OUT $ERR"
}

test_https_probe_redirect_to_https() {
  tls_mock
  run "$HC" -u "https://127.0.0.1:$MOCK_PORT/redirect-chain/3" -m "chain done" -f st -t 3000
  assert_eq 0 "$RC" "rc: $OUT $ERR"
}

test_https_probe_verify_with_ca() {
  tls_mock
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" --verify -u "https://localhost:$MOCK_PORT/status/200" -f st -t 3000
  assert_eq 0 "$RC" "rc: $OUT $ERR"
}

test_https_probe_verify_with_cacert_option() {
  tls_mock
  run env -u SSL_CERT_FILE "$HC" --verify --cacert "$T/pki/ca.crt" -u "https://localhost:$MOCK_PORT/status/200" -f st -t 3000
  assert_eq 0 "$RC" "rc: $OUT $ERR"
}

test_https_probe_verify_wrong_ca_fails() {
  tls_mock; make_other_ca
  run env SSL_CERT_FILE="$T/other.crt" "$HC" --verify -u "https://localhost:$MOCK_PORT/status/200" -f st -t 3000
  assert_eq 10 "$RC" "rc"
  assert_contains "$OUT$ERR" "certificate verification failed"
}

test_https_probe_verify_wrong_name_fails() {
  # A certificate from the trusted CA, but for another name.
  make_pki
  local d=$T/pki
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other.example \
    -keyout "$d/o.key" -out "$d/o.csr" 2>/dev/null
  printf 'subjectAltName=DNS:other.example\n' > "$d/o.cnf"
  openssl x509 -req -in "$d/o.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/o.cnf" -out "$d/o.crt" 2>/dev/null
  start_mock --tls "$d/o.crt" "$d/o.key" 2>>"$T/mock.err"
  run env SSL_CERT_FILE="$d/ca.crt" "$HC" --verify -u "https://localhost:$MOCK_PORT/status/200" -f st -t 3000
  assert_eq 10 "$RC" "rc"
  assert_contains "$OUT$ERR" "certificate verification failed"
  # Without --verify the same server is fine (Kubernetes semantics).
  run env SSL_CERT_FILE="$d/ca.crt" "$HC" -u "https://localhost:$MOCK_PORT/status/200" -f st2 -t 3000
  assert_eq 0 "$RC" "rc without --verify"
}

test_https_probe_verify_ip_san() {
  # The test certificate carries IP:127.0.0.1 in subjectAltName.
  tls_mock
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" --verify -u "https://127.0.0.1:$MOCK_PORT/status/200" -f st -t 3000
  assert_eq 0 "$RC" "rc: $OUT $ERR"
}

test_dingtalk_tls_trusted_ca_delivers() {
  tls_mock
  run env SSL_CERT_FILE="$T/pki/ca.crt" HEALTHCHECK_DINGTALK_URL="https://localhost:$MOCK_PORT/robot/send" \
    "$HC" -n 我的程序 -u "https://127.0.0.1:$MOCK_PORT/status/200" -f st -t 3000 tokTLS
  assert_eq 0 "$RC" rc
  assert_eq "" "$ERR" "stderr"
  assert_eq 1 "$(dt_count)" "notices delivered"
}

test_dingtalk_tls_untrusted_ca_fails_exit_unchanged() {
  tls_mock; make_other_ca
  run env SSL_CERT_FILE="$T/other.crt" HEALTHCHECK_DINGTALK_URL="https://localhost:$MOCK_PORT/robot/send" \
    "$HC" -n 我的程序 -u "https://127.0.0.1:$MOCK_PORT/status/200" -f st -t 3000 tokTLS
  assert_eq 0 "$RC" "rc (pass, notice failed)"
  assert_contains "$ERR" "certificate verification failed"
  assert_eq 0 "$(dt_count)" "notices delivered"
  # Same on a failing check: exit code from the state table.
  run env SSL_CERT_FILE="$T/other.crt" HEALTHCHECK_DINGTALK_URL="https://localhost:$MOCK_PORT/robot/send" \
    "$HC" -n 我的程序 -u "https://127.0.0.1:$MOCK_PORT/status/500" -f st -t 3000 tokTLS
  assert_eq 12 "$RC" "rc (fail, notice failed)"
  assert_contains "$ERR" "certificate"
}

test_dingtalk_tls_insecure_delivers_with_warning() {
  tls_mock; make_other_ca
  run env SSL_CERT_FILE="$T/other.crt" HEALTHCHECK_DINGTALK_URL="https://localhost:$MOCK_PORT/robot/send" \
    "$HC" --insecure -n 我的程序 -u "https://127.0.0.1:$MOCK_PORT/status/200" -f st -t 3000 tokTLS
  assert_eq 0 "$RC" rc
  assert_contains "$ERR" "insecure" "warning"
  assert_eq 1 "$(dt_count)" "notices delivered"
}

test_dingtalk_tls_cacert_option() {
  tls_mock
  run env -u SSL_CERT_FILE HEALTHCHECK_DINGTALK_URL="https://localhost:$MOCK_PORT/robot/send" \
    "$HC" --cacert "$T/pki/ca.crt" -n 我的程序 -u "https://127.0.0.1:$MOCK_PORT/status/200" -f st -t 3000 tokTLS
  assert_eq 0 "$RC" rc
  assert_eq "" "$ERR" "stderr"
  assert_eq 1 "$(dt_count)" "notices delivered"
}

test_dingtalk_tls_cacert_option_wins_over_env() {
  tls_mock; make_other_ca
  run env SSL_CERT_FILE="$T/other.crt" HEALTHCHECK_DINGTALK_URL="https://localhost:$MOCK_PORT/robot/send" \
    "$HC" --cacert="$T/pki/ca.crt" -n 我的程序 -u "https://127.0.0.1:$MOCK_PORT/status/200" -f st -t 3000 tokTLS
  assert_eq 0 "$RC" rc
  assert_eq 1 "$(dt_count)" "notices delivered"
}

test_dingtalk_tls_unreadable_cacert() {
  tls_mock
  run env HEALTHCHECK_DINGTALK_URL="https://localhost:$MOCK_PORT/robot/send" \
    "$HC" --cacert "$T/nope.crt" -n 我的程序 -u "http://127.0.0.1:1/" -f st -t 1000 tokTLS
  assert_eq 10 "$RC" rc
  assert_contains "$ERR" "nope.crt"
}

run_tests
