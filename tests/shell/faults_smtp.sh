#!/bin/bash
# Fault injection, SMTP client (`healthcheck sendmail`, the code behind the
# supervise email action) against tests/mock/smtpserver.py on loopback:
# a server that drops the connection after DATA, one that never greets, one
# that offers AUTH without TLS (or has STARTTLS stripped), and a HELO name
# that tries to inject a command. The mock's --wire-log records every byte
# the client sent.
# smtp_client.sh checks the wording; this file records time and peak RSS.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/faults/lib.sh"

if ! "$HC" sendmail --help >/dev/null 2>&1; then
  echo "SKIP faults_smtp: '$HC sendmail' is not available"
  exit 0
fi

start_smtp() { # MODE [extra args]
  local pf=$T/smtp.port.$RANDOM mode=$1; shift
  start_bg "$PY" "$HC_ROOT/tests/mock/smtpserver.py" --port 0 --port-file "$pf" --mode "$mode" "$@"
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

PW='Fault-pa55-word-9'

# wire_clean WHAT: the relay saw no AUTH and no form of the password.
wire_clean() {
  local wire; wire=$(tr -d '\0' < "$T/wire")
  assert_not_contains "$wire" "AUTH" "$1: bytes on the wire"
  assert_not_contains "$wire" "$PW" "$1: bytes on the wire"
  assert_not_contains "$wire" "$(printf '%s' "$PW" | base64 -w0)" "$1: bytes on the wire"
}

test_smtp_auth_offered_without_tls() {
  start_smtp plain --user alice --password "$PW" --wire-log "$T/wire"
  local what="SMTP server offers AUTH on a plain connection (sendmail --tls none --user, no --allow-plain-auth)"
  SMTP_PW=$PW measure "$HC" sendmail --host localhost --port "$SMTP_PORT" --tls none --user alice --pass-env SMTP_PW \
    --from a@x --to b@y --subject s --timeout-ms 5000
  assert_eq 2 "$RC" "exit code for $what ($OUT $ERR)"
  assert_contains "$ERR" "smtp: refusing to send the password over an unencrypted connection to localhost:$SMTP_PORT"
  wire_clean "$what"
  assert_lt "$MS" 1000 "$what: wall time in ms"
  assert_lt "$RSS_KB" "$FAULT_RSS_LIMIT_KB" "$what: peak RSS in KB"
  record 08c-smtp-plain-auth "$what" "exit $RC, nothing sent: ${ERR//$SMTP_PORT/PORT}" "$MS" "$RSS_KB" \
    "< 1 s, < $((FAULT_RSS_LIMIT_KB / 1024)) MB"
}

test_smtp_starttls_stripped() {
  start_smtp plain --user alice --password "$PW" --wire-log "$T/wire"
  local what="STARTTLS stripped: the server offers AUTH but no STARTTLS (sendmail --tls starttls --allow-plain-auth)"
  SMTP_PW=$PW measure "$HC" sendmail --host localhost --port "$SMTP_PORT" --tls starttls --user alice --pass-env SMTP_PW \
    --allow-plain-auth --from a@x --to b@y --subject s --timeout-ms 5000
  assert_eq 1 "$RC" "exit code for $what ($OUT $ERR)"
  assert_contains "$ERR" "smtp: STARTTLS failed: server does not offer STARTTLS"
  wire_clean "$what"
  assert_lt "$MS" 1000 "$what: wall time in ms"
  assert_lt "$RSS_KB" "$FAULT_RSS_LIMIT_KB" "$what: peak RSS in KB"
  record 08d-smtp-starttls-stripped "$what" "exit $RC, no AUTH sent: $ERR" "$MS" "$RSS_KB" \
    "< 1 s, < $((FAULT_RSS_LIMIT_KB / 1024)) MB"
}

test_smtp_helo_injection() {
  start_smtp plain --wire-log "$T/wire"
  local what="HELO name with CR/LF (sendmail --helo \$'x\\r\\nRSET')"
  measure "$HC" sendmail --host localhost --port "$SMTP_PORT" --tls none --helo $'x\r\nRSET' \
    --from a@x --to b@y --subject s --timeout-ms 5000
  assert_eq 2 "$RC" "exit code for $what ($OUT $ERR)"
  assert_contains "$ERR" 'smtp: bad HELO name [x\x0d\x0aRSET]: control characters are not allowed'
  assert_not_contains "$(cat "$T/wire")" "RSET" "bytes on the wire"
  assert_lt "$MS" 1000 "$what: wall time in ms"
  assert_lt "$RSS_KB" "$FAULT_RSS_LIMIT_KB" "$what: peak RSS in KB"
  record 08e-smtp-helo-injection "$what" "exit $RC, nothing sent: $ERR" "$MS" "$RSS_KB" \
    "< 1 s, < $((FAULT_RSS_LIMIT_KB / 1024)) MB"
}

run_tests
