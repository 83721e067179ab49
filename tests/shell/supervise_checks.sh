#!/bin/bash
# Supervise mode, issue 13 items 7, 8 and 10 against a real supervisord and
# real HTTPS servers with certificates made here: https http checks
# (verified by default, caFile, insecureSkipVerify), the cert check
# (warnDays, expiry date and days left), expectStatus / expectBody /
# expectRegex, and includeChildren on mem checks (the whole process tree).
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

# A self-signed certificate for localhost/127.0.0.1 valid for DAYS days
# (no CA of ours trusts it): $T/$1.crt and $T/$1.key.
self_signed() { # NAME DAYS
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$2" -subj "/CN=$1" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$T/$1.key" -out "$T/$1.crt" 2>/dev/null
  [ -s "$T/$1.crt" ] || _fail "could not make $1.crt"
}

# A certificate signed by the test CA (make_pki) valid for DAYS days.
ca_signed() { # NAME DAYS
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
    -keyout "$T/$1.key" -out "$T/$1.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$T/$1.ext"
  openssl x509 -req -in "$T/$1.csr" -CA "$T/pki/ca.crt" -CAkey "$T/pki/ca.key" -CAcreateserial \
    -days "$2" -extfile "$T/$1.ext" -out "$T/$1.crt" 2>/dev/null
  [ -s "$T/$1.crt" ] || _fail "could not make $1.crt"
}

# "2026-12-04 10:00:00 UTC": the certificate's notAfter as the daemon prints it.
not_after() { date -u -d "$(openssl x509 -noout -enddate -in "$1" | cut -d= -f2)" '+%Y-%m-%d %H:%M:%S UTC'; }

# https checks: verified against caFile (passes), an untrusted certificate
# fails verification unless insecureSkipVerify; the response conditions
# pass and fail as configured, and the body is never quoted in the log.
test_https_and_response_conditions() {
  make_pki
  start_mock --tls "$T/pki/server.crt" "$T/pki/server.key"
  local good=$MOCK_PORT
  self_signed untrusted 30
  start_mock --tls "$T/untrusted.crt" "$T/untrusted.key"
  local bad=$MOCK_PORT
  sv_init
  sv_program app "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
  local common="  program: app
  host: localhost
  scheme: https
  periodSeconds: 1
  failureThreshold: 1
  action: none"
  cat >> "$T/hc.yaml" <<YAML
verified:
$common
  port: $good
  caFile: $T/pki/ca.crt
  path: /status/200?body=READY%20v2
  expectBody: READY
untrusted:
$common
  port: $bad
  caFile: $T/pki/ca.crt
  path: /status/200
untrusted-insecure:
$common
  port: $bad
  insecureSkipVerify: true
  path: /status/200
status-401-ok:
$common
  port: $good
  insecureSkipVerify: true
  path: /status/401
  expectStatus: 200-399,401
status-302-bad:
$common
  port: $good
  insecureSkipVerify: true
  path: /status/302
  expectStatus: [200, 401]
body-missing:
$common
  port: $good
  insecureSkipVerify: true
  path: /status/200?body=starting%20tok-SECRET-body
  expectBody: READY
regex-ok:
$common
  port: $good
  insecureSkipVerify: true
  path: /status/200?body=%7B%22status%22%3A%20%22UP%22%7D
  expectRegex: '"status": *"(UP|OK)"'
regex-bad:
$common
  port: $good
  insecureSkipVerify: true
  path: /status/200?body=%7B%22status%22%3A%20%22DOWN%22%7D
  expectRegex: '"status": *"(UP|OK)"'
YAML
  # --test shows the new keys.
  run "$HC" supervise -c "$T/hc.yaml" --test
  assert_eq 0 "$RC" "--test exit code"
  assert_contains "$OUT" "url: https://localhost:$good/status/200?body=***"
  assert_contains "$OUT" "caFile: $T/pki/ca.crt"
  assert_contains "$OUT" "insecureSkipVerify: true"
  assert_contains "$OUT" "expectStatus: 200-399,401"
  assert_contains "$OUT" "expectBody: \"READY\""
  assert_contains "$OUT" "expectRegex: \"\"status\": *\"(UP|OK)\"\""
  hc_start "$T/hc.yaml"
  local c
  for c in verified untrusted-insecure status-401-ok regex-ok; do
    wait_log "$HC_LOG" " info healthy check=$c " 10
  done
  wait_log "$HC_LOG" "unhealthy check=untrusted .*certificate verification failed" 10
  wait_log "$HC_LOG" "unhealthy check=status-302-bad .*HTTP 302 \(expected 200,401\)" 10
  wait_log "$HC_LOG" "unhealthy check=body-missing .*HTTP 200, body does not contain \"READY\"" 10
  wait_log "$HC_LOG" "unhealthy check=regex-bad .*HTTP 200, body does not match /\"status\": \*\"\(UP\|OK\)\"/" 10
  for c in verified untrusted-insecure status-401-ok regex-ok; do
    check_lines "$HC_LOG" "$c" > "$T/$c.log"
    assert_no_log "$T/$c.log" "check_failed|unhealthy|check_error" "$c log"
  done
  assert_no_log "$HC_LOG" "tok-SECRET-body" "daemon log (response bodies are never quoted)"
  # The requests went over TLS to the paths configured.
  assert_contains "$(cat "$T/requests.jsonl")" "/status/200?body=READY%20v2"
  hc_stop
}

# cert checks: a certificate expiring in 3 days fails warnDays 14 with its
# expiry date and days left, passes warnDays 2; an untrusted certificate
# fails unless insecureSkipVerify, which still judges its expiry.
test_cert_check_expiry() {
  make_pki
  ca_signed soon 3
  start_mock --tls "$T/soon.crt" "$T/soon.key"
  local soon=$MOCK_PORT
  self_signed selfsigned 30
  start_mock --tls "$T/selfsigned.crt" "$T/selfsigned.key"
  local self=$MOCK_PORT
  sv_init
  sv_program app "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
  local common="  program: app
  type: cert
  host: localhost
  periodSeconds: 1
  failureThreshold: 1
  action: none"
  cat >> "$T/hc.yaml" <<YAML
soon-warn14:
$common
  port: $soon
  caFile: $T/pki/ca.crt
soon-warn2:
$common
  port: $soon
  caFile: $T/pki/ca.crt
  warnDays: 2
self-verified:
$common
  port: $self
  caFile: $T/pki/ca.crt
self-insecure:
$common
  port: $self
  insecureSkipVerify: true
YAML
  run "$HC" supervise -c "$T/hc.yaml" --test
  assert_eq 0 "$RC" "--test exit code"
  assert_contains "$OUT" "type: cert"
  assert_contains "$OUT" "warnDays: 14"
  assert_contains "$OUT" "warnDays: 2"
  hc_start "$T/hc.yaml"
  local when; when=$(not_after "$T/soon.crt")
  wait_log "$HC_LOG" "unhealthy check=soon-warn14 .*tls localhost:$soon: certificate CN=soon expires $when \(2 days left, warnDays 14\)" 10
  wait_log "$HC_LOG" " info healthy check=soon-warn2 " 10
  wait_log "$HC_LOG" "unhealthy check=self-verified .*certificate verification failed" 10
  wait_log "$HC_LOG" " info healthy check=self-insecure " 10
  check_lines "$HC_LOG" soon-warn2 > "$T/warn2.log"
  assert_no_log "$T/warn2.log" "check_failed|unhealthy" "soon-warn2 log"
  hc_stop
}

# mem with includeChildren: a small parent whose 3 children hold ~40 MB
# each is over maxMem 80 as a tree (restarted), under it alone.
test_mem_include_children() {
  sv_init
  sv_program tree "$PROGS/memtree.py 3 40 $T/tree.ready" stopasgroup=true killasgroup=true
  sv_start
  wait_file "$T/tree.ready"
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
tree-total:
  program: tree
  type: mem
  maxMem: 80
  includeChildren: true
  periodSeconds: 1
  failureThreshold: 2
  action: restart
tree-parent:
  program: tree
  type: mem
  maxMem: 80
  periodSeconds: 1
  failureThreshold: 2
  action: none
YAML
  local pid; pid=$(sv_pid tree)
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "check_failed check=tree-total .*rss [0-9.]+ MB in 4 processes \(the program and its descendants, limit 80.0 MB\)" 10
  wait_log "$HC_LOG" "action check=tree-total program=tree: restart" 10
  wait_log "$HC_LOG" "action_done check=tree-total program=tree: restart: tree started" 15
  assert_ne "$pid" "$(sv_pid tree)" "pid of tree after the restart"
  # The parent alone (a few MB) stays under maxMem; the restart itself may
  # show as "program is STOPPED" there, never as memory over the limit.
  wait_log "$HC_LOG" " info healthy check=tree-parent " 5
  check_lines "$HC_LOG" tree-parent > "$T/parent.log"
  assert_no_log "$T/parent.log" "check_failed.* MB" "tree-parent log"
  hc_stop
}

run_tests
