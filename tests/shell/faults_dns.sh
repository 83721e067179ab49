#!/bin/bash
# Fault injection, container mode, DNS: a name server that answers garbage,
# never answers, or is not there. Inside a private network namespace
# (unshare -n, only lo) with tests/mock/dnsserver.py on 127.0.0.1:53 and the
# static binary chrooted into a root whose only file is etc/resolv.conf
# ("nameserver 127.0.0.1"; the resolver's own default is 1 s per try, 2
# rounds). -t must bound the whole lookup.
# net_resolve.sh covers correctness; this file records time and peak RSS.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/faults/lib.sh"
DNSMOCK=$HC_ROOT/tests/mock/dnsserver.py

# dns_fault MODE|none HOST -t MS ... -> NS_RC, NS_OUT, MS, RSS_KB
dns_fault() {
  mkdir -p "$T/root/etc"
  cp "$HC" "$T/root/healthcheck"
  printf 'nameserver 127.0.0.1\n%s' "${RESOLV_OPTIONS:-}" > "$T/root/etc/resolv.conf"
  rm -f "$T/dns.port" "$T/root/st"
  local out
  out=$(timeout 20 unshare -n env T="$T" PY="$PY" DNSMOCK="$DNSMOCK" TIME_BIN="$TIME_BIN" bash -c '
    set -u
    pids=()
    trap '\''for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done'\'' EXIT
    ip link set lo up || exit 99
    mode=$1; host=$2; shift 2
    if [ "$mode" != none ]; then
      "$PY" "$DNSMOCK" --bind 127.0.0.1 --port 53 --port-file "$T/dns.port" \
        --mode "$mode" --a svc.test=127.0.0.1 2>"$T/dns.err" & pids+=($!)
      for i in $(seq 1 100); do [ -s "$T/dns.port" ] && break; sleep 0.05; done
      [ -s "$T/dns.port" ] || exit 98
    fi
    t0=$(date +%s%3N)
    "$TIME_BIN" -f %M -o "$T/dns.time" chroot "$T/root" /healthcheck -u "http://$host:8080/" -f /st "$@" >"$T/dns.out" 2>&1
    rc=$?
    echo "RC=$rc MS=$(( $(date +%s%3N) - t0 ))"
  ' _ "$@")
  NS_RC=$(sed -n 's/^RC=\([0-9]*\) .*/\1/p' <<<"$out")
  MS=$(sed -n 's/.* MS=\([0-9]*\)$/\1/p' <<<"$out")
  [ -n "$NS_RC" ] || _fail "namespace run failed: $out $(cat "$T/dns.err" 2>/dev/null)"
  NS_OUT=$(cat "$T/dns.out")
  RSS_KB=$(tail -n 1 "$T/dns.time")
}

dns_case() { # ID "FAULT" MODE TIMEOUT_MS MESSAGE
  local id=$1 what=$2 mode=$3 t=$4 msg=$5 limit=$(( $4 * 2 ))
  dns_fault "$mode" svc.test -t "$t"
  assert_eq 10 "$NS_RC" "rc for $what: $NS_OUT"
  assert_contains "$NS_OUT" "$msg" "message for $what"
  assert_time_lt "$MS" "$limit" "$what: wall time in ms (-t $t)"
  assert_lt "$RSS_KB" "$FAULT_RSS_LIMIT_KB" "$what: peak RSS in KB"
  record "$id" "$what" "exit $NS_RC: $(msg_of "$NS_OUT")" "$MS" "$RSS_KB" \
    "< $(awk -v m="$limit" 'BEGIN{printf "%g", m/1000}') s, < $((FAULT_RSS_LIMIT_KB / 1024)) MB"
}

test_dns_garbage() {
  dns_case 06a-dns-garbage "DNS server answers 64 random bytes (UDP), -t 1000" garbage 1000 "resolve svc.test"
}

test_dns_silent() {
  dns_case 06b-dns-silent "DNS server never answers, -t 1000" silent 1000 "timed out"
}

test_dns_silent_long_resolver_timeouts() {
  # resolv.conf asks for 5 s per try and 3 rounds (15 s): -t still wins.
  RESOLV_OPTIONS=$'options timeout:5 attempts:3\n' \
    dns_case 06e-dns-silent-long "DNS server never answers, resolv.conf timeout:5 attempts:3, -t 1000" silent 1000 "timed out"
}

test_dns_wrong_id() {
  dns_case 06c-dns-wrongid "DNS answer with the wrong transaction id, -t 1000" wrongid 1000 "resolve svc.test"
}

test_dns_no_server() {
  # Nothing on port 53: ICMP port unreachable, so this should be quick.
  dns_case 06d-dns-none "no DNS server at all (port 53 closed), -t 1000" none 1000 "resolve svc.test"
}

run_tests
