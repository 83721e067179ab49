#!/bin/bash
# Fault injection, container mode, state file: on a full tmpfs and in a
# read-only folder (private mount namespace, unshare -m). The check's own
# exit code must still come out, with a clear error about the state file.
# container_statefile.sh covers correctness; this file records the numbers.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/faults/lib.sh"

# in_mount_ns_measured SETUP CMD... : SETUP then CMD under time(1), inside a
# private mount namespace. RC/OUT/ERR/MS/RSS_KB as from measure().
in_mount_ns_measured() {
  local setup=$1 t0; shift
  t0=$(now_ms)
  unshare -m bash -c "set -e; $setup; set +e; exec \"$TIME_BIN\" -f %M -o \"$T/.time\" \"\$@\"" _ "$@" \
    >"$T/.out" 2>"$T/.err"; RC=$?
  MS=$(( $(now_ms) - t0 ))
  OUT=$(cat "$T/.out"); ERR=$(cat "$T/.err")
  RSS_KB=$(tail -n 1 "$T/.time")
  [[ $RSS_KB =~ ^[0-9]+$ ]] || _fail "no peak RSS: $(cat "$T/.time") $ERR"
}

state_case() { # ID "FAULT" WANT_RC MESSAGE
  local id=$1 what=$2 want=$3 msg=$4
  assert_eq "$want" "$RC" "exit code for $what follows the check ($OUT $ERR)"
  assert_contains "$ERR" "cannot write state file" "message for $what"
  assert_contains "$ERR" "$msg" "message for $what"
  assert_lt "$MS" 1000 "$what: wall time in ms (with the namespace set-up)"
  assert_lt "$RSS_KB" "$FAULT_RSS_LIMIT_KB" "$what: peak RSS in KB"
  local e; e=$(grep -m 1 "cannot write state file" <<<"$ERR"); e=${e//$T/\$T}
  record "$id" "$what" "exit $RC (the check's code); stderr: $e" "$MS" "$RSS_KB" \
    "< 1 s, < $((FAULT_RSS_LIMIT_KB / 1024)) MB"
}

test_state_file_full_tmpfs() {
  start_mock
  mkdir full
  # Previous state 2 (healthy), the check now fails: 12 "failed after passing".
  in_mount_ns_measured "mount -t tmpfs -o size=16k tmpfs '$T/full'; printf '2\n' > '$T/full/st'; \
      dd if=/dev/zero of='$T/full/fill' bs=1k count=64 2>/dev/null || true" \
    "$HC" -u "$MOCK_URL/status/500" -f "$T/full/st"
  state_case 09a-state-full "state file on a full tmpfs (previous state 2, check fails)" 12 "No space left"
}

test_state_file_read_only_folder() {
  start_mock
  mkdir ro
  in_mount_ns_measured "mount -t tmpfs -o ro,size=64k tmpfs '$T/ro'" \
    "$HC" -u "$MOCK_URL/status/200" -f "$T/ro/st"
  state_case 09b-state-ro "state file in a read-only folder (check passes)" 0 "Read-only"
}

run_tests
