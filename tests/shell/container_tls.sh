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

# A leaf certificate from the test CA: make_leaf NAME CN [EXTENSION_LINE].
# Without an extension line the certificate has no subjectAltName at all.
make_leaf() {
  local d=$T/pki name=$1 cn=$2 ext=${3:-}
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
    -keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null
  if [ -n "$ext" ]; then
    printf '%s\n' "$ext" > "$d/$name.cnf"
    openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
      -extfile "$d/$name.cnf" -out "$d/$name.crt" 2>/dev/null
  else
    openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
      -out "$d/$name.crt" 2>/dev/null
  fi
  [ -s "$d/$name.crt" ] || _fail "could not make certificate $name"
}

# An https://IP URL is verified against iPAddress subjectAltNames only: a
# certificate from the trusted CA that names the address any other way (a
# dNSName "127.0.0.1", the CN) or another address fails closed, and nothing
# is requested from the server. mbedTLS 3.6 on its own would accept the
# dNSName and the CN.
ip_san_must_fail() {
  local name=$1 cn=$2 ext=${3:-}
  make_pki; make_leaf "$name" "$cn" "$ext"
  start_mock --tls "$T/pki/$name.crt" "$T/pki/$name.key" 2>>"$T/mock.err"
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" --verify -u "https://127.0.0.1:$MOCK_PORT/status/200" -f st -t 3000
  assert_eq 10 "$RC" "rc for $name: $OUT $ERR"
  assert_contains "$OUT" "certificate verification failed: no subjectAltName IP address matches 127.0.0.1"
  assert_eq 0 "$(grep -c '/status/200' "$T/requests.jsonl" 2>/dev/null)" "requests served for $name"
  # Not verified: the same server passes (the mismatch is the only fault).
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" -u "https://127.0.0.1:$MOCK_PORT/status/200" -f st2 -t 3000
  assert_eq 0 "$RC" "rc without --verify for $name: $OUT $ERR"
}

test_https_probe_verify_ip_dns_san_spelling_the_ip_fails() {
  ip_san_must_fail dnsip 127.0.0.1 'subjectAltName=DNS:127.0.0.1'
}

test_https_probe_verify_ip_cn_only_fails() {
  ip_san_must_fail cnip 127.0.0.1
}

test_https_probe_verify_ip_wrong_ip_san_fails() {
  ip_san_must_fail wrongip localhost 'subjectAltName=DNS:localhost,IP:127.0.0.2,IP:::1'
}

test_https_probe_verify_ip_no_ip_san_fails() {
  ip_san_must_fail dnsonly localhost 'subjectAltName=DNS:localhost'
}

test_https_probe_verify_ipv6_san() {
  # make_pki's certificate names ::1 too: a verified https://[::1] passes.
  [ -n "$(ip -6 addr show lo 2>/dev/null)" ] || return 0
  make_pki
  start_mock --bind '[::1]' --tls "$T/pki/server.crt" "$T/pki/server.key" 2>>"$T/mock.err"
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" --verify -u "https://[::1]:$MOCK_PORT/status/200" -f st -t 3000
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  make_leaf v4only localhost 'subjectAltName=DNS:localhost,IP:127.0.0.1'
  start_mock --bind '[::1]' --tls "$T/pki/v4only.crt" "$T/pki/v4only.key" 2>>"$T/mock.err"
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" --verify -u "https://[::1]:$MOCK_PORT/status/200" -f st2 -t 3000
  assert_eq 10 "$RC" "rc without an IPv6 SAN: $OUT $ERR"
  assert_contains "$OUT" "no subjectAltName IP address matches ::1"
}

# TLS 1.0 and 1.1 (RFC 8996) are refused in every build, with or without
# --verify, with a message that says why. The mock is first shown to
# complete a TLS 1.1 handshake, so the refusal is ours.
test_https_probe_tls11_server_refused() {
  tls_mock --tls-max 1.1
  local v
  v=$(openssl s_client -connect "127.0.0.1:$MOCK_PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>/dev/null \
      | sed -n 's/^ *Protocol *: *//p')
  assert_eq "TLSv1.1" "$v" "the mock speaks TLS 1.1"
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" -u "https://127.0.0.1:$MOCK_PORT/status/200" -f st -t 3000
  assert_eq 10 "$RC" "rc: $OUT $ERR"
  assert_contains "$OUT" "TLS 1.2 or newer is required"
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" --verify -u "https://localhost:$MOCK_PORT/status/200" -f st2 -t 3000
  assert_eq 10 "$RC" "rc --verify: $OUT $ERR"
  assert_contains "$OUT" "TLS 1.2 or newer is required"
  assert_eq 0 "$(grep -c '/status/200' "$T/requests.jsonl" 2>/dev/null)" "requests served"
}

# TLS 1.2 servers pass; a TLS 1.3 server is spoken to in TLS 1.3 when the
# linked mbedTLS is 3.x (--version names it), else in TLS 1.2.
test_https_probe_tls12_and_tls13_servers_pass() {
  tls_mock --tls-max 1.2
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" --verify -u "https://localhost:$MOCK_PORT/status/200" -f st -t 3000
  assert_eq 0 "$RC" "rc TLS 1.2: $OUT $ERR"
  assert_contains "$(cat "$T/requests.jsonl")" '"tls":"TLSv1.2"' "negotiated with the 1.2 server"
  rm -f "$T/requests.jsonl"
  tls_mock
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" --verify -u "https://localhost:$MOCK_PORT/status/200" -f st2 -t 3000
  assert_eq 0 "$RC" "rc TLS 1.3: $OUT $ERR"
  local want=TLSv1.2
  [[ $("$HC" --version) == *"mbedTLS 3."* ]] && want=TLSv1.3
  assert_contains "$(cat "$T/requests.jsonl")" "\"tls\":\"$want\"" "negotiated with the 1.3 server"
}

# RSA server certificates: TLS 1.3 signs with RSA-PSS (rsa_pss_rsae_*),
# which the size-tuned mbedTLS config must keep; TLS 1.2 with PKCS#1 v1.5.
test_https_probe_rsa_certificate_tls12_and_tls13() {
  make_pki
  local d=$T/pki
  openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$d/rsa.key" -out "$d/rsa.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$d/rsa.cnf"
  openssl x509 -req -in "$d/rsa.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/rsa.cnf" -out "$d/rsa.crt" 2>/dev/null
  [ -s "$d/rsa.crt" ] || _fail "could not make the RSA certificate"
  local max
  for max in 1.2 1.3; do
    start_mock --tls "$d/rsa.crt" "$d/rsa.key" --tls-max $max 2>>"$T/mock.err"
    run env SSL_CERT_FILE="$d/ca.crt" "$HC" --verify -u "https://127.0.0.1:$MOCK_PORT/status/200" -f st$max -t 3000
    assert_eq 0 "$RC" "rc, server up to TLS $max: $OUT $ERR"
  done
}

test_version_names_mbedtls() {
  run "$HC" --version
  assert_eq 0 "$RC" rc
  [[ $OUT =~ \(mbedTLS\ [23]\.[0-9]+\.[0-9]+\)$ ]] || _fail "version line: [$OUT]"
}

# --verify covers every hop: a redirect from https to plain http is refused
# (nothing is requested over http), while without --verify it is followed.
test_https_probe_verify_refuses_redirect_to_http() {
  start_mock; local plain=$MOCK_PORT
  tls_mock
  local url="https://localhost:$MOCK_PORT/redirect?to=http%3A%2F%2F127.0.0.1%3A$plain%2Fstatus%2F200"
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" --verify -u "$url" -f st -t 3000
  assert_eq 10 "$RC" "rc: $OUT $ERR"
  assert_contains "$OUT" "redirect from https to plain http refused (certificate verification is on): http://127.0.0.1:$plain/status/200"
  assert_eq 0 "$(grep -c "\"/status/200\"" "$T/requests.jsonl")" "requests over http"
  run env SSL_CERT_FILE="$T/pki/ca.crt" "$HC" -u "$url" -f st2 -t 3000
  assert_eq 0 "$RC" "rc without --verify: $OUT $ERR"
  assert_eq 1 "$(grep -c "\"/status/200\"" "$T/requests.jsonl")" "requests over http without --verify"
}

# Basic auth never crosses a scheme change, not even when the Location
# itself carries the credentials and names the same host and port: the
# mock serves TLS and plain HTTP on one port to make that hop possible.
test_redirect_to_other_scheme_sends_no_credentials() {
  make_pki
  start_mock --tls "$T/pki/server.crt" "$T/pki/server.key" --also-plain 2>>"$T/mock.err"
  local p=$MOCK_PORT
  # https -> http (plain hop)
  run "$HC" -u "https://alice:s3cret@127.0.0.1:$p/redirect?to=http%3A%2F%2Falice%3As3cret%40127.0.0.1%3A$p%2Fecho%3Fhop%3Dplain" \
    -f st -t 3000
  assert_eq 0 "$RC" "rc https->http: $OUT $ERR"
  # http -> https (unverified hop: no --verify)
  run "$HC" -u "http://alice:s3cret@127.0.0.1:$p/redirect?to=https%3A%2F%2Falice%3As3cret%40127.0.0.1%3A$p%2Fecho%3Fhop%3Dtls" \
    -f st2 -t 3000
  assert_eq 0 "$RC" "rc http->https: $OUT $ERR"
  "$PY" - "$T/requests.jsonl" <<'PY' || _fail "credentials crossed a scheme change (see above)"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
def auth(r): return [v for n, v in r["headers"] if n.lower() == "authorization"]
first = [r for r in reqs if r["path"] == "/redirect"]
hops = [r for r in reqs if r["path"] == "/echo"]
assert len(first) == 2 and all(auth(r) for r in first), "the first hop carries the URL's credentials: %r" % first
assert sorted(r["query"].get("hop") for r in hops) == ["plain", "tls"], hops
assert sorted(bool(r.get("tls")) for r in hops) == [False, True], "one plain hop, one TLS hop: %r" % hops
bad = [r for r in hops if auth(r)]
if bad:
    print("Authorization sent after a scheme change: %r" % bad)
    sys.exit(1)
PY
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
