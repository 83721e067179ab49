#!/bin/bash
# Acceptance check for the static musl build: the x86_64 binary copied alone
# into an empty folder used as root (chroot: no /etc, no /dev, no /proc, no
# CA bundle) resolves `localhost`, probes HTTP and HTTPS, seeds mbedTLS from
# getrandom(2), and sends a DingTalk notice over verified TLS with only
# SSL_CERT_FILE pointing at a CA file copied into the root.
# Skipped (SKIP line, nothing counted) without root or without
# build/healthcheck-x86_64-musl (make static-musl). HC_MUSL_BIN overrides.
. "$(dirname "$0")/../lib.sh"

MUSL_BIN=${HC_MUSL_BIN:-$HC_ROOT/build/healthcheck-x86_64-musl}
skip() { echo "SKIP musl_chroot (skipped: $*)"; exit 0; }
[ -x "$MUSL_BIN" ] || skip "no $MUSL_BIN (make static-musl)"
[ "$(id -u)" = 0 ] || skip "chroot needs root"
CHROOT=$(command -v chroot) || skip "no chroot command"

# A new empty root holding only the binary (and, when asked, the CA file).
make_root() {
  R=$T/root
  mkdir -p "$R"
  cp "$MUSL_BIN" "$R/healthcheck"
  [ "${1:-}" = ca ] && cp "$T/pki/ca.crt" "$R/ca.crt"
  return 0
}
# In the chroot, with an empty environment plus the given VAR=VALUE pairs.
in_root() { # [VAR=VALUE ...] -- ARGS...
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  run timeout 20 env -i TZ=UTC0 "${envs[@]}" "$CHROOT" "$R" /healthcheck "$@"
}
titles() {
  "$PY" -c '
import json,sys
for l in open(sys.argv[1], encoding="utf-8"):
    r=json.loads(l)
    if r["path"]=="/robot/send": print(json.loads(r["body"])["markdown"]["title"])' "$T/requests.jsonl"
}

test_root_is_empty_and_binary_static() {
  make_root
  assert_eq "healthcheck" "$(ls -A "$T/root")" "root contents"
  readelf -l "$MUSL_BIN" | grep -q INTERP && _fail "not static: has a program interpreter"
  readelf -d "$MUSL_BIN" 2>/dev/null | grep -q NEEDED && _fail "not static: needs shared libraries"
  in_root -- --version
  assert_eq 0 "$RC" "--version rc (err: $ERR)"
  assert_contains "$OUT" "healthcheck"
}

# Issue 6 target: the x86_64 build, everything in it, at most 800 KB
# (800,000 bytes), set with mbedTLS 2.28 (TLS 1.2 only). mbedTLS 3.6
# (issue 11.8) with TLS 1.3 and PSA added about 53 KB (850 KB); the probe
# kinds and controls of issue 13 (gRPC with HPACK, tcp/tls/unix targets,
# request conditions, exec/cert/events checks, the status socket, metrics,
# WeCom application messages) about 257 KB more: the target is 1.15 MB, the
# same as scripts/bench-oneshot.sh's. docs/BENCHMARKS.md says where bytes go.
test_x86_64_size_within_1150_kb() {
  [ "$(readelf -h "$MUSL_BIN" | sed -n 's/^ *Machine: *//p')" = "Advanced Micro Devices X86-64" ] \
    || { echo "  (not an x86_64 build; size target not checked)"; return 0; }
  assert_lt "$(stat -c %s "$MUSL_BIN")" 1150001 "musl x86_64 bytes"
}

test_http_probe_localhost() {
  make_root
  start_mock
  in_root -- -n chr -u "http://localhost:$MOCK_PORT/status/200" -t 5000 -f /state
  assert_eq 0 "$RC" "rc (out: $OUT err: $ERR)"
  assert_file_eq "$T/root/state" 2
  in_root -- -n chr -u "http://localhost:$MOCK_PORT/status/503" -t 5000 -f /state
  assert_eq 12 "$RC" "rc after failure (err: $ERR)"
  assert_file_eq "$T/root/state" 3
}

test_https_probe_unverified_and_verified() {
  make_pki
  make_root ca
  start_mock --tls "$T/pki/server.crt" "$T/pki/server.key"
  # probe default: HTTPS not verified (Kubernetes semantics)
  in_root -- -n chr -u "https://localhost:$MOCK_PORT/status/200" -t 5000 -f /state
  assert_eq 0 "$RC" "unverified https rc (out: $OUT err: $ERR)"
  # verified against the CA in the root, by name and by IP literal
  in_root SSL_CERT_FILE=/ca.crt -- -n chr -u "https://localhost:$MOCK_PORT/status/200" --verify -t 5000 -f /state
  assert_eq 0 "$RC" "verified https rc (err: $ERR)"
  in_root -- -n chr -u "https://127.0.0.1:$MOCK_PORT/status/200" --verify --cacert /ca.crt -t 5000 -f /state
  assert_eq 0 "$RC" "verified https to 127.0.0.1 rc (err: $ERR)"
  # verification without a CA fails the probe, it does not pass silently
  in_root -- -n chr -u "https://localhost:$MOCK_PORT/status/200" --verify -t 5000 -f /state
  assert_ne 0 "$RC" "verified https without CA"
}

test_dingtalk_notice_over_verified_tls() {
  make_pki
  make_root ca
  start_mock --tls "$T/pki/server.crt" "$T/pki/server.key"
  local url=https://localhost:$MOCK_PORT
  in_root SSL_CERT_FILE=/ca.crt HEALTHCHECK_DINGTALK_URL=$url/robot/send NODENAME=chroot-node -- \
    -n chr -u "$url/status/200" -t 5000 -f /state tokChroot0001
  assert_eq 0 "$RC" "rc (out: $OUT err: $ERR)"
  assert_eq "" "$ERR" "stderr (notice delivered)"
  assert_eq "[chr]已启动,运行正常" "$(titles)" "notice titles"
  # Without SSL_CERT_FILE there is no CA bundle in the root: the notice
  # fails on stderr and the exit code stays that of the check.
  in_root HEALTHCHECK_DINGTALK_URL=$url/robot/send -- \
    -n chr -u "$url/status/500" -t 5000 -f /state tokChroot0001
  assert_eq 12 "$RC" "rc of the failing check"
  assert_contains "$ERR" "CA"
  assert_eq "[chr]已启动,运行正常" "$(titles)" "no second notice without a CA"
}

run_tests
