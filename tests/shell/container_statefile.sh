#!/bin/bash
# Container mode: state file safety (mode, symlinks, read-only and full
# file systems, concurrent runs).
. "$(dirname "$0")/../lib.sh"

test_created_mode_0600() {
  start_mock
  ( umask 000; "$HC" -u $MOCK_URL/status/200 -f "$T/st" >/dev/null 2>&1 )
  assert_file_eq st 2
  assert_eq 600 "$(stat -c %a st)" "mode of the state file"
  [ -L st ] && _fail "state file is a symlink"
  # Rewritten files keep 0600.
  ( umask 000; "$HC" -u $MOCK_URL/status/500 -f "$T/st" >/dev/null 2>&1 )
  assert_file_eq st 3
  assert_eq 600 "$(stat -c %a st)" "mode after rewrite"
}

test_symlink_replaced_target_untouched() {
  start_mock
  printf 'precious\n' > target
  ln -s "$T/target" st
  run "$HC" -u $MOCK_URL/status/200 -f "$T/st"
  assert_file_eq target precious
  [ -L st ] && _fail "symlink still in place"
  assert_file_eq st 2
  assert_contains "$ERR" "symbolic link"
  assert_eq 15 "$RC" "rc (unreadable state counts as garbled)"
}

test_symlink_to_valid_state_not_followed() {
  # Even a link to a file holding a valid digit is not trusted or written through.
  start_mock
  printf '3\n' > target
  ln -s "$T/target" st
  run "$HC" -u $MOCK_URL/status/500 -f "$T/st"
  assert_file_eq target 3
  [ -L st ] && _fail "symlink still in place"
  assert_file_eq st 1
  assert_eq 20 "$RC" rc
}

test_symlinked_lock_file_not_followed() {
  start_mock
  printf 'precious\n' > target
  ln -s "$T/target" st.lock
  run "$HC" -u $MOCK_URL/status/200 -f "$T/st"
  assert_eq 0 "$RC" rc
  assert_file_eq st 2
  assert_file_eq target precious
  assert_contains "$ERR" "lock"
}

test_dangling_symlink_not_created_through() {
  start_mock
  ln -s "$T/newfile" st
  run "$HC" -u $MOCK_URL/status/200 -f "$T/st"
  [ -e newfile ] && _fail "wrote through a dangling symlink"
  assert_file_eq st 2
}

# in_mount_ns SETUP -- runs the check inside a private mount namespace after
# running SETUP there; RC/OUT/ERR as from run().
in_mount_ns() {
  local setup=$1; shift
  run unshare -m bash -c "set -e; $setup; set +e; exec \"\$@\"" _ "$@"
}

test_read_only_folder() {
  start_mock
  mkdir ro
  in_mount_ns "mount -t tmpfs -o ro,size=64k tmpfs '$T/ro'" "$HC" -u $MOCK_URL/status/500 -f "$T/ro/st"
  assert_eq 10 "$RC" "rc follows the check (fail)"
  assert_contains "$ERR" "$T/ro/st"
  assert_contains "$ERR" "Read-only"
  in_mount_ns "mount -t tmpfs -o ro,size=64k tmpfs '$T/ro'" "$HC" -u $MOCK_URL/status/200 -f "$T/ro/st"
  assert_eq 0 "$RC" "rc follows the check (pass)"
  assert_contains "$ERR" "cannot write state file"
}

test_read_only_bind_mount_keeps_state() {
  # Existing state 2 on a read-only bind mount: read works, write fails.
  start_mock
  mkdir d; printf '2\n' > d/st
  in_mount_ns "mount --bind '$T/d' '$T/d'; mount -o remount,bind,ro '$T/d'" \
    "$HC" -u $MOCK_URL/status/500 -f "$T/d/st"
  assert_eq 12 "$RC" "rc from the state read"
  assert_contains "$ERR" "cannot write state file"
  assert_file_eq d/st 2
}

test_full_filesystem() {
  start_mock
  mkdir full
  in_mount_ns "mount -t tmpfs -o size=16k tmpfs '$T/full'; printf '2\n' > '$T/full/st'; \
      dd if=/dev/zero of='$T/full/fill' bs=1k count=64 2>/dev/null || true" \
    bash -c '"$@"; rc=$?; ls -A "'"$T"'/full" >&2; cat "'"$T"'/full/st" >&2; exit $rc' _ \
    "$HC" -u $MOCK_URL/status/500 -f "$T/full/st"
  assert_eq 12 "$RC" "rc follows the check"
  assert_contains "$ERR" "cannot write state file"
  assert_contains "$ERR" "No space left"
  # Listing and content printed from inside the namespace: no temp files,
  # old state intact.
  local listing; listing=$(grep -v '^healthcheck' <<<"$ERR" | tr '\n' ' ')
  assert_eq "fill st st.lock 2 " "$listing" "files left on the full fs"
}

test_concurrent_runs() {
  start_mock
  local i pids=() rc
  for i in $(seq 1 20); do
    if (( i % 3 )); then
      "$HC" -u $MOCK_URL/status/200 -f "$T/st" >/dev/null 2>>"$T/errs" &
    else
      "$HC" -u $MOCK_URL/status/500 -f "$T/st" >/dev/null 2>>"$T/errs" &
    fi
    pids+=($!)
  done
  for i in "${pids[@]}"; do
    wait "$i"; rc=$?
    case $rc in 0|10|11|12|13|14) ;; *) _fail "unexpected exit code $rc" ;; esac
  done
  local v; v=$(cat st)
  [[ $v =~ ^[1-4]$ ]] || _fail "state after concurrent runs: [$v]"
  assert_eq "st st.lock" "$(cd "$T" && ls -A | grep -v -e '^errs$' -e '^requests.jsonl$' -e '^mock.port' -e '^\.out$' -e '^\.err$' | tr '\n' ' ' | sed 's/ $//')" "files left"
  grep -q -e garbled -e repaired "$T/errs" && _fail "a run saw a torn file: $(cat "$T/errs")"
  return 0
}

test_state_file_in_missing_folder() {
  start_mock
  run "$HC" -u $MOCK_URL/status/200 -f "$T/nope/st"
  assert_eq 0 "$RC" "rc follows the check"
  assert_contains "$ERR" "$T/nope/st"
}

run_tests
