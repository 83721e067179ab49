#!/bin/bash
# Name resolution of the probe: IPv6 literals, "localhost" in an empty
# root, and DNS from /etc/resolv.conf, inside a private network namespace
# with tests/mock/dnsserver.py (never the machine's own resolver).
. "$(dirname "$0")/../lib.sh"
DNSMOCK=$HC_ROOT/tests/mock/dnsserver.py

test_ipv6_loopback_literal() {
  ip -6 addr show dev lo 2>/dev/null | grep -q '::1' || { echo "    (skipped: no ::1)"; return 0; }
  start_mock --bind ::1
  run "$HC" -u "http://[::1]:$MOCK_PORT/status/200?body=v6ok" -m v6ok -f st -t 3000
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  grep -q "\"Host\",\"\[::1\]:$MOCK_PORT\"" requests.jsonl || _fail "Host header: $(cat requests.jsonl)"
}

test_ipv6_default_port_form_fails_cleanly() {
  # [::1] on port 80, nothing there (closed port): refused, not a crash.
  run "$HC" -u "http://[::1]:1/" -f st -t 2000
  assert_eq 10 "$RC" rc
  assert_contains "$OUT$ERR" "[::1]:1"
}

# An empty root with only the static binary in it.
make_root() {
  mkdir -p "$T/root"
  cp "$HC" "$T/root/healthcheck"
}

test_localhost_in_empty_root() {
  start_mock
  make_root
  run chroot "$T/root" /healthcheck -u "http://localhost:$MOCK_PORT/status/200" -f /st -t 3000
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  assert_file_eq "$T/root/st" 2
  [ -e "$T/root/etc" ] && _fail "root was not empty"
  return 0
}

test_localhost_in_empty_root_dingtalk() {
  start_mock
  make_root
  local chroot_bin; chroot_bin=$(command -v chroot)
  run env -i HOSTNAME=cid-from-env NODENAME=n1 TZ=CST-8 HEALTHCHECK_DINGTALK_URL="http://localhost:$MOCK_PORT/robot/send" \
    "$chroot_bin" "$T/root" /healthcheck -n 名 -u "http://localhost:$MOCK_PORT/status/200" -f /st -t 3000 tokenChroot2
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  assert_eq "" "$ERR" stderr
  "$PY" -c '
import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if "\"/robot/send\"" in l][0]
t=json.loads(r["body"])["markdown"]["text"]
assert "容器ID: cid-from-env\r\n" in t and "节点: n1\r\n" in t, repr(t)' "$T/requests.jsonl" || _fail "notice from empty root"
}

# in_netns MODE URL_HOST [healthcheck args...]
# Inside a new network namespace: lo up, dnsserver on 127.0.0.1:53 (MODE,
# svc.test -> 127.0.0.1), the mock, and the binary chrooted into a root
# whose only file is etc/resolv.conf. Prints "RC=n MS=n" then the output.
in_netns() {
  make_root
  mkdir -p "$T/root/etc"
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n' > "$T/root/etc/resolv.conf"
  NS_OUT=$(timeout 30 unshare -n env T="$T" PY="$PY" MOCK="$MOCK" DNSMOCK="$DNSMOCK" bash -c '
    set -u
    pids=()
    trap '\''for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done'\'' EXIT
    ip link set lo up || exit 99
    mode=$1; host=$2; shift 2
    "$PY" "$DNSMOCK" --bind 127.0.0.1 --port 53 --port-file "$T/dns.port" --record "$T/dns.jsonl" \
      --mode "$mode" --a svc.test=127.0.0.1 --aaaa svc6.test=::1 2>"$T/dns.err" & pids+=($!)
    "$PY" "$MOCK" --port 0 --port-file "$T/ns.port" --record "$T/requests.jsonl" 2>"$T/mock.err" & pids+=($!)
    for i in $(seq 1 100); do [ -s "$T/dns.port" ] && [ -s "$T/ns.port" ] && break; sleep 0.05; done
    port=$(cat "$T/ns.port")
    t0=$(date +%s%3N)
    out=$(chroot "$T/root" /healthcheck -u "http://$host:$port/status/200" -f /st "$@" 2>&1); rc=$?
    echo "RC=$rc MS=$(( $(date +%s%3N) - t0 ))"
    echo "$out"
  ' _ "$@")
  NS_RC=$(sed -n '1s/^RC=\([0-9]*\) .*/\1/p' <<<"$NS_OUT")
  NS_MS=$(sed -n '1s/.* MS=\([0-9]*\)$/\1/p' <<<"$NS_OUT")
}

test_dns_a_record() {
  in_netns normal svc.test -t 3000
  assert_eq 0 "$NS_RC" "rc: $NS_OUT"
  grep -q '"/status/200"' "$T/requests.jsonl" || _fail "mock not reached"
}

test_dns_nxdomain() {
  in_netns normal nope.test -t 3000
  assert_eq 10 "$NS_RC" "rc: $NS_OUT"
  assert_contains "$NS_OUT" "no such host"
  assert_time_lt "$NS_MS" 1500 "NXDOMAIN duration (-t 3000: an answer, not the deadline)"
}

test_dns_silent_server_bounded_by_timeout() {
  in_netns silent svc.test -t 1500
  assert_eq 10 "$NS_RC" "rc: $NS_OUT"
  assert_contains "$NS_OUT" "timed out"
  assert_time_lt "$NS_MS" 3000 "silent DNS duration with -t 1500"
}

test_dns_truncated_udp_retries_tcp() {
  in_netns truncate svc.test -t 3000
  assert_eq 0 "$NS_RC" "rc: $NS_OUT"
}

test_dns_garbage_fails_cleanly() {
  in_netns garbage svc.test -t 1500
  # Garbage over UDP is never taken for an answer; the check must end
  # within -t with a resolver message (not crash, not hang).
  assert_eq 10 "$NS_RC" "rc: $NS_OUT"
  assert_time_lt "$NS_MS" 3000 "garbage DNS duration"
  assert_contains "$NS_OUT" "resolve svc.test"
}

test_dns_wrong_id_ignored() {
  in_netns wrongid svc.test -t 1500
  assert_eq 10 "$NS_RC" "rc (a reply with the wrong id must not be trusted): $NS_OUT"
  assert_time_lt "$NS_MS" 3000 "wrongid duration"
}

test_dns_cname() {
  in_netns cname www.svc.test -t 3000
  assert_eq 0 "$NS_RC" "rc: $NS_OUT"
}

run_tests
