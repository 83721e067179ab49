#!/bin/bash
# `make test-valgrind`: one-shot container checks under valgrind memcheck
# (pass, fail, TLS without verification, report mode) against
# tests/mock/mockserver.py. Any memcheck error or definite/indirect leak
# makes valgrind exit 1, which no healthcheck exit code uses.
# Expects HC_BIN to be a dynamically linked build (valgrind cannot replace
# malloc in a static binary, so leak checking would see nothing).
. "$(dirname "$0")/../lib.sh"

VG=(valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-origins=yes --quiet)

vg() { # expected-rc args...
  local want=$1; shift
  run "${VG[@]}" --log-file="$T/vg.log" "$HC" "$@"
  [ "$RC" != 1 ] || { cat "$T/vg.log" >&2; _fail "valgrind reported errors"; }
  assert_eq "$want" "$RC" "exit code ($OUT $ERR)"
  [ ! -s "$T/vg.log" ] || { cat "$T/vg.log" >&2; _fail "valgrind output not empty"; }
}

test_valgrind_pass() {
  start_mock
  vg 0 -n vg -u "$MOCK_URL/status/200?body=fine" -m fine -f "$T/st" -t 20000
  vg 0 -n vg -u "$MOCK_URL/chunked?parts=fi,ne" -m fine -f "$T/st" -t 20000
}

test_valgrind_fail() {
  start_mock
  vg 10 -n vg -u "$MOCK_URL/status/500?body=boom" -f "$T/st" -t 20000
  vg 11 -n vg -u "$MOCK_URL/status/500?body=boom" -f "$T/st" -t 20000
  vg 10 -n vg -u "http://127.0.0.1:1/" -f "$T/st2" -t 20000
}

test_valgrind_tls_unverified() {
  make_pki
  start_mock --tls "$T/pki/server.crt" "$T/pki/server.key" 2>>"$T/mock.err"
  vg 0 -n vg -u "https://127.0.0.1:$MOCK_PORT/status/200?body=secure" -m secure -f "$T/st" -t 30000
}

test_valgrind_report_mode() {
  start_mock
  vg 0 -n vg -u "$MOCK_URL/json?body=%7B%22a%22%3A1%7D" -r "$MOCK_URL/report" -f "$T/st" -t 20000
  grep -q '"/report"' "$T/requests.jsonl" || _fail "no report was posted"
}

run_tests
