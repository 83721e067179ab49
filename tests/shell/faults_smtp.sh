#!/bin/bash
# Fault injection, SMTP client (`healthcheck sendmail`, the code behind the
# supervise email action) against tests/mock/smtpserver.py on loopback:
# a server that drops the connection after DATA, and one that never greets.
# smtp_client.sh checks the wording; this file records time and peak RSS.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/faults/lib.sh"

if ! "$HC" sendmail --help >/dev/null 2>&1; then
  echo "SKIP faults_smtp: '$HC sendmail' is not available"
  exit 0
fi

start_smtp() { # MODE
  local pf=$T/smtp.port.$RANDOM
  start_bg "$PY" "$HC_ROOT/tests/mock/smtpserver.py" --port 0 --port-file "$pf" --mode "$1"
  wait_file "$pf"
  SMTP_PORT=$(cat "$pf")
}

# smtp_case ID "FAULT" MODE TIMEOUT_MS LIMIT_MS MESSAGE
smtp_case() {
  local id=$1 what=$2 mode=$3 t=$4 limit=$5 msg=$6
  start_smtp "$mode"
  printf 'body line\n' > "$T/body.txt"
  measure "$HC" sendmail --host localhost --port "$SMTP_PORT" --tls none --from a@x --to b@y \
    --subject s --body-file "$T/body.txt" --timeout-ms "$t"
  assert_eq 1 "$RC" "exit code for $what ($OUT $ERR)"
  assert_contains "$ERR" "$msg" "message for $what"
  assert_lt "$MS" "$limit" "$what: wall time in ms"
  assert_lt "$RSS_KB" "$FAULT_RSS_LIMIT_KB" "$what: peak RSS in KB"
  record "$id" "$what" "exit $RC: $ERR" "$MS" "$RSS_KB" \
    "< $(awk -v m="$limit" 'BEGIN{printf "%g", m/1000}') s, < $((FAULT_RSS_LIMIT_KB / 1024)) MB"
}

test_smtp_drop_after_data() {
  # The step is named ("message": the mail text after DATA), no waiting for
  # the 5 s timeout.
  smtp_case 08a-smtp-dropdata "SMTP server drops the connection after DATA (sendmail --timeout-ms 5000)" \
    dropdata 5000 1000 "smtp: message failed: connection closed by server"
}

test_smtp_never_greets() {
  smtp_case 08b-smtp-nogreet "SMTP server accepts, never greets (sendmail --timeout-ms 1000)" \
    nogreet 1000 1100 "smtp: greeting failed: timed out"
}

run_tests
