#!/bin/bash
# SMTP client (supervise mode's email action) end to end through
# `healthcheck sendmail` against aiosmtpd (tests/mock/smtpserver.py) on
# 127.0.0.1: plain, STARTTLS, implicit TLS, AUTH PLAIN/LOGIN, failures.
. "$(dirname "$0")/../lib.sh"

if ! "$HC" sendmail --help >/dev/null 2>&1; then
  echo "SKIP smtp_client: '$HC sendmail' is not available (main.cpp must route 'sendmail' to hc::sendmail::run)"
  exit 0
fi

SMTP_MOCK=$HC_ROOT/tests/mock/smtpserver.py
SUBJECT='[Supervisor] 网关服务 gateway-mem Health check failed：内存超过阈值，已重启，请尽快检查日志与监控面板，确认服务恢复正常后回复本邮件'
PASSWORD='S3cr3t-pa55word'

# start_smtp MODE [extra args]: sets SMTP_PORT; mail lands in $T/mail.
start_smtp() {
  local mode=$1; shift
  local pf=$T/smtp.port.$RANDOM
  start_bg "$PY" "$SMTP_MOCK" --port 0 --port-file "$pf" --mode "$mode" --maildir "$T/mail" "$@"
  wait_file "$pf"
  SMTP_PORT=$(cat "$pf")
}

start_tls_smtp() { # MODE [extra]
  make_pki
  local mode=$1; shift
  start_smtp "$mode" --cert "$T/pki/server.crt" --key "$T/pki/server.key" "$@"
}

write_body() {
  printf '程序: gateway\n.a line starting with a dot\n..two dots\n\nMsg: 内存 1200 MB > 1024 MB\n' > "$T/body.txt"
}

# sendmail [args]: to the mock as localhost; password from $SMTP_PW.
sendmail() {
  write_body
  SMTP_PW=$PASSWORD run env -u SSL_CERT_FILE SMTP_PW="$PASSWORD" "$HC" sendmail --host localhost \
    --port "$SMTP_PORT" --from 'Health Check <hc@example.com>' --to ops@example.com --to dev@example.com \
    --subject "$SUBJECT" --body-file "$T/body.txt" --timeout-ms 10000 "$@"
}

# check_delivered: parses $T/mail/1.eml with Python's email package; prints
# the envelope JSON fields as "key=value" lines into $T/meta.
check_delivered() {
  [ -f "$T/mail/1.eml" ] || _fail "no message delivered; stderr: $ERR"
  "$PY" - "$T/mail/1.eml" "$T/mail/1.json" "$SUBJECT" "$T/body.txt" > "$T/meta" <<'PYEOF' || _fail "message check failed: $(cat "$T/meta")"
import email, email.policy, json, re, sys
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
problems = []
if msg.defects:
    problems.append("defects: %r" % msg.defects)
for part in msg.walk():
    if part.defects:
        problems.append("part defects: %r" % part.defects)
if str(msg["subject"]) != sys.argv[3]:
    problems.append("subject %r" % str(msg["subject"]))
want = open(sys.argv[4], encoding="utf-8").read()
got = msg.get_content().replace("\r\n", "\n")
if got != want:
    problems.append("body %r" % got)
if msg.get_content_type() != "text/plain" or msg.get_content_charset() != "utf-8":
    problems.append("content type %s %s" % (msg.get_content_type(), msg.get_content_charset()))
if not re.fullmatch(r"<[0-9a-f]{32}@[A-Za-z0-9.-]+>", str(msg["message-id"])):
    problems.append("message-id %r" % str(msg["message-id"]))
if msg["date"] is None or msg["date"].datetime is None:
    problems.append("date %r" % msg["date"])
if str(msg["to"]) != "ops@example.com, dev@example.com":
    problems.append("to %r" % str(msg["to"]))
if msg["from"].addresses[0].addr_spec != "hc@example.com":
    problems.append("from %r" % str(msg["from"]))
for line in raw.split(b"\r\n"):
    if len(line) > 998 or b"\n" in line or b"\r" in line:
        problems.append("bad line %r" % line[:80])
if problems:
    print("\n".join(problems))
    sys.exit(1)
meta = json.load(open(sys.argv[2]))
for k, v in meta.items():
    print("%s=%s" % (k, ",".join(v) if isinstance(v, list) else v))
PYEOF
}

meta() { sed -n "s/^$1=//p" "$T/meta"; }

test_plain_delivers_chinese_message() {
  start_smtp plain
  sendmail --tls none
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  assert_contains "$OUT" "sent to 2 recipients"
  check_delivered
  assert_eq "hc@example.com" "$(meta mail_from)" "envelope from"
  assert_eq "ops@example.com,dev@example.com" "$(meta rcpt_tos)" "envelope to"
  assert_eq "False" "$(meta tls)" "tls"
}

test_body_from_stdin() {
  start_smtp plain
  write_body
  sendmail --tls none --body-file - < "$T/body.txt"
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  check_delivered
}

# The body is read (capped) before any connection: these need no server.
test_unreadable_or_huge_body_is_a_usage_error() {
  head -c $((10 * 1024 * 1024 + 1)) /dev/zero > "$T/big.txt"
  run "$HC" sendmail --host localhost --port 1 --from a@example.com --to b@example.com --body-file "$T/big.txt"
  assert_eq 2 "$RC" "exit code for a body over 10 MiB"
  assert_contains "$ERR" "cannot read --body-file: $T/big.txt: larger than 10485760 bytes"
  run "$HC" sendmail --host localhost --port 1 --from a@example.com --to b@example.com --body-file "$T/none.txt"
  assert_eq 2 "$RC" "exit code for a missing body file"
  assert_contains "$ERR" "$T/none.txt: No such file or directory"
}

test_starttls_auth_plain() {
  start_tls_smtp starttls --user alice --password "$PASSWORD"
  sendmail --tls starttls --cafile "$T/pki/ca.crt" --user alice --pass-env SMTP_PW
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  check_delivered
  assert_eq "PLAIN" "$(meta auth_mech)" "mechanism"
  assert_eq "alice" "$(meta auth_login)" "login"
  assert_eq "True" "$(meta tls)" "tls"
}

test_starttls_auth_login() {
  start_tls_smtp starttls --user alice --password "$PASSWORD" --auth-mechs LOGIN
  sendmail --tls starttls --cafile "$T/pki/ca.crt" --user alice --pass-env SMTP_PW
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  check_delivered
  assert_eq "LOGIN" "$(meta auth_mech)" "mechanism"
  assert_eq "True" "$(meta tls)" "tls"
}

test_implicit_tls_with_ssl_cert_file() {
  start_tls_smtp ssl --user alice --password "$PASSWORD"
  write_body
  # CA from $SSL_CERT_FILE this time (sendmail() unsets it, so call directly).
  run env SSL_CERT_FILE="$T/pki/ca.crt" SMTP_PW="$PASSWORD" "$HC" sendmail --host localhost --port "$SMTP_PORT" \
    --tls ssl --user alice --pass-env SMTP_PW --from 'Health Check <hc@example.com>' \
    --to ops@example.com --to dev@example.com --subject "$SUBJECT" --body-file "$T/body.txt"
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  check_delivered
  assert_eq "PLAIN" "$(meta auth_mech)" "mechanism"
  assert_eq "True" "$(meta tls)" "tls"
}

test_wrong_password_names_code_not_password() {
  start_tls_smtp starttls --user alice --password "other-password"
  sendmail --tls starttls --cafile "$T/pki/ca.crt" --user alice --pass-env SMTP_PW
  assert_eq 1 "$RC" "exit code"
  assert_contains "$ERR" "smtp: AUTH failed: 535"
  assert_not_contains "$ERR$OUT" "$PASSWORD"
  assert_not_contains "$ERR$OUT" "$(printf '%s' "$PASSWORD" | base64 -w0)"
  assert_not_contains "$ERR$OUT" "$(printf '\0alice\0%s' "$PASSWORD" | base64 -w0)"
  [ -e "$T/mail/1.eml" ] && _fail "message delivered despite failed AUTH"
  return 0
}

test_wrong_password_auth_login() {
  start_tls_smtp starttls --user alice --password "other-password" --auth-mechs LOGIN
  sendmail --tls starttls --cafile "$T/pki/ca.crt" --user alice --pass-env SMTP_PW
  assert_eq 1 "$RC" "exit code"
  assert_contains "$ERR" "smtp: AUTH failed: 535"
  assert_not_contains "$ERR$OUT" "$PASSWORD"
  assert_not_contains "$ERR$OUT" "$(printf '%s' "$PASSWORD" | base64 -w0)"
  [ -e "$T/mail/1.eml" ] && _fail "message delivered despite failed AUTH"
  return 0
}

test_password_never_on_command_line() {
  start_smtp plain --user alice --password "$PASSWORD"
  run "$HC" sendmail --host localhost --port "$SMTP_PORT" --from hc@example.com --to ops@example.com \
    --user alice --pass-env HC_TEST_UNSET_VARIABLE
  assert_eq 2 "$RC" "exit code for an unset --pass-env variable"
  assert_contains "$ERR" "HC_TEST_UNSET_VARIABLE"
  run "$HC" sendmail --host localhost --port "$SMTP_PORT" --from hc@example.com --to ops@example.com \
    --pass "$PASSWORD"
  assert_eq 2 "$RC" "--pass is not an option"
}

test_nogreet_fails_within_deadline() {
  start_smtp nogreet
  local t0 t1
  t0=$(now_ms)
  run "$HC" sendmail --host 127.0.0.1 --port "$SMTP_PORT" --from hc@example.com --to ops@example.com \
    --subject hi --timeout-ms 1500
  t1=$(now_ms)
  assert_eq 1 "$RC" "exit code"
  assert_contains "$ERR" "smtp: greeting failed: timed out"
  assert_time_lt $((t1 - t0)) 2500 "elapsed ms"
  assert_lt 1400 $((t1 - t0)) "elapsed ms (should wait for the deadline)"
}

test_untrusted_cert_refused_unless_insecure() {
  start_tls_smtp ssl
  sendmail --tls ssl
  assert_eq 1 "$RC" "exit code with an unknown CA"
  assert_contains "$ERR" "certificate verification failed"
  [ -e "$T/mail/1.eml" ] && _fail "delivered over an unverified connection"
  sendmail --tls ssl --insecure
  assert_eq 0 "$RC" "exit code with --insecure (stderr: $ERR)"
  assert_contains "$ERR" "warning"
  check_delivered
}

test_untrusted_cert_refused_starttls() {
  start_tls_smtp starttls --user alice --password "$PASSWORD"
  sendmail --tls starttls --user alice --pass-env SMTP_PW
  assert_eq 1 "$RC" "exit code with an unknown CA"
  assert_contains "$ERR" "smtp: STARTTLS failed:"
  assert_contains "$ERR" "certificate verification failed"
  [ -e "$T/mail/1.eml" ] && _fail "delivered over an unverified connection"
  return 0
}

test_certificate_for_another_name_refused() {
  make_pki
  local d=$T/pki
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other.example \
    -keyout "$d/other.key" -out "$d/other.csr" 2>/dev/null
  printf 'subjectAltName=DNS:other.example\n' > "$d/other.cnf"
  openssl x509 -req -in "$d/other.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/other.cnf" -out "$d/other.crt" 2>/dev/null
  start_smtp ssl --cert "$d/other.crt" --key "$d/other.key"
  sendmail --tls ssl --cafile "$d/ca.crt"
  assert_eq 1 "$RC" "exit code for a certificate naming another host"
  assert_contains "$ERR" "certificate verification failed"
  [ -e "$T/mail/1.eml" ] && _fail "delivered to a server with the wrong name"
  return 0
}

test_starttls_not_offered() {
  start_smtp plain
  sendmail --tls starttls
  assert_eq 1 "$RC" "exit code"
  assert_contains "$ERR" "smtp: STARTTLS failed: server does not offer STARTTLS"
}

# wire_has_no_password FILE: none of the password's forms (clear, base64,
# the AUTH PLAIN token) is in what the client sent.
wire_has_no_password() {
  local wire; wire=$(cat "$1" 2>/dev/null | tr -d '\0')
  assert_not_contains "$wire" "$PASSWORD" "bytes on the wire"
  assert_not_contains "$wire" "$(printf '%s' "$PASSWORD" | base64 -w0)" "bytes on the wire"
  assert_not_contains "$wire" "$(printf '\0alice\0%s' "$PASSWORD" | base64 -w0)" "bytes on the wire"
}

# A server that offers AUTH on a plain connection (port 25 or any other port
# without --tls, or --tls none): the password is not sent unless
# --allow-plain-auth says so; the refusal is a usage error naming the fix.
test_plain_auth_refused_without_tls() {
  start_smtp plain --user alice --password "$PASSWORD" --wire-log "$T/wire"
  sendmail --tls none --user alice --pass-env SMTP_PW
  assert_eq 2 "$RC" "exit code with --tls none (stdout: $OUT)"
  assert_contains "$ERR" "smtp: refusing to send the password over an unencrypted connection to localhost:$SMTP_PORT"
  assert_contains "$ERR" "--allow-plain-auth"
  # No --tls: the mode follows the port (here none).
  sendmail --user alice --pass-env SMTP_PW
  assert_eq 2 "$RC" "exit code with the mode by port (stdout: $OUT)"
  assert_contains "$ERR" "refusing to send the password over an unencrypted connection"
  wire_has_no_password "$T/wire"
  assert_not_contains "$(cat "$T/wire")" "AUTH" "bytes on the wire"
  [ -e "$T/mail/1.eml" ] && _fail "delivered with AUTH over a plain connection"
  return 0
}

test_plain_auth_allowed_with_flag() {
  start_smtp plain --user alice --password "$PASSWORD" --wire-log "$T/wire"
  sendmail --tls none --user alice --pass-env SMTP_PW --allow-plain-auth
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  check_delivered
  assert_eq "alice" "$(meta auth_login)" "login"
  assert_eq "False" "$(meta tls)" "tls"
  # What the flag allows: the AUTH PLAIN token in clear.
  assert_contains "$(cat "$T/wire")" "AUTH PLAIN $(printf '\0alice\0%s' "$PASSWORD" | base64 -w0)" "bytes on the wire"
}

# STARTTLS asked for, the server (or a man in the middle stripping it) does
# not offer it: no fallback to AUTH in clear.
test_starttls_not_offered_no_plain_auth() {
  start_smtp plain --user alice --password "$PASSWORD" --wire-log "$T/wire"
  sendmail --tls starttls --user alice --pass-env SMTP_PW --allow-plain-auth
  assert_eq 1 "$RC" "exit code"
  assert_contains "$ERR" "smtp: STARTTLS failed: server does not offer STARTTLS"
  grep -q "^EHLO " "$T/wire" || _fail "the client did not even talk to the server: $(cat "$T/wire")"
  assert_not_contains "$(cat "$T/wire")" "AUTH" "bytes on the wire"
  wire_has_no_password "$T/wire"
  [ -e "$T/mail/1.eml" ] && _fail "delivered without the STARTTLS asked for"
  return 0
}

# After STARTTLS and with implicit TLS the credentials are inside TLS.
test_tls_wire_has_no_password() {
  start_tls_smtp starttls --user alice --password "$PASSWORD" --wire-log "$T/wire"
  sendmail --tls starttls --cafile "$T/pki/ca.crt" --user alice --pass-env SMTP_PW
  assert_eq 0 "$RC" "exit code, starttls (stderr: $ERR)"
  grep -q "^STARTTLS" "$T/wire" || _fail "no STARTTLS on the wire"
  wire_has_no_password "$T/wire"
  rm -rf "$T/mail"
  start_tls_smtp ssl --user alice --password "$PASSWORD" --wire-log "$T/wire-ssl"
  sendmail --tls ssl --cafile "$T/pki/ca.crt" --user alice --pass-env SMTP_PW
  assert_eq 0 "$RC" "exit code, ssl (stderr: $ERR)"
  check_delivered
  assert_eq "PLAIN" "$(meta auth_mech)" "mechanism"
  [ -s "$T/wire-ssl" ] || _fail "nothing on the wire"
  wire_has_no_password "$T/wire-ssl"
}

# CR/LF (or any control byte) in a value that reaches a command or header
# line would inject SMTP commands or headers: a usage error, nothing sent.
test_control_bytes_in_protocol_values_refused() {
  start_smtp plain --wire-log "$T/wire"
  sendmail --tls none --helo $'x\r\nRSET'
  assert_eq 2 "$RC" "exit code for --helo with CR/LF (stdout: $OUT)"
  assert_contains "$ERR" 'smtp: bad HELO name [x\x0d\x0aRSET]: control characters are not allowed'
  local args
  for args in "--from|Evil"$'\r\n'"RSET <a@example.com>" "--to|b@example.com"$'\r\n'"RSET" \
              "--subject|hi"$'\r\n'"Bcc: x@example.com" "--from|Evil"$'\e'"[2J <a@example.com>" \
              "--user|al"$'\n'"ice"; do
    SMTP_PW=$PASSWORD run env -u SSL_CERT_FILE SMTP_PW="$PASSWORD" "$HC" sendmail --host localhost \
      --port "$SMTP_PORT" --tls none --allow-plain-auth --from hc@example.com --to ops@example.com \
      --pass-env SMTP_PW "${args%%|*}" "${args#*|}"
    assert_eq 2 "$RC" "exit code for ${args%%|*} $(printf %q "${args#*|}") (stderr: $ERR)"
    assert_contains "$ERR" "control characters are not allowed"
    [[ "$ERR" == *$'\e'* || "$ERR" == *$'\r'* ]] && _fail "raw control byte in the message: $(printf %q "$ERR")"
  done
  local wire; wire=$(cat "$T/wire")
  assert_not_contains "$wire" "RSET" "bytes on the wire"
  assert_not_contains "$wire" "Bcc" "bytes on the wire"
  [ -e "$T/mail/1.eml" ] && _fail "a message was sent"
  return 0
}

test_auth_hidden_before_starttls_is_an_error_in_plain_mode() {
  # STARTTLS server, but the client asked for no TLS and allowed AUTH in
  # clear: the server does not offer AUTH before STARTTLS, so the password
  # is never sent.
  start_tls_smtp starttls --user alice --password "$PASSWORD"
  sendmail --tls none --user alice --pass-env SMTP_PW --allow-plain-auth
  assert_eq 1 "$RC" "exit code"
  assert_contains "$ERR" "smtp: AUTH failed: server does not offer AUTH"
}

test_dropdata_clear_error() {
  start_smtp dropdata
  sendmail --tls none
  assert_eq 1 "$RC" "exit code"
  assert_contains "$ERR" "smtp: message failed: connection closed by server"
}

test_connection_refused() {
  start_smtp plain
  local port=$SMTP_PORT
  kill "${_PIDS[-1]}"; wait "${_PIDS[-1]}" 2>/dev/null
  run "$HC" sendmail --host 127.0.0.1 --port "$port" --from hc@example.com --to ops@example.com
  assert_eq 1 "$RC" "exit code"
  assert_contains "$ERR" "smtp: connect to 127.0.0.1:$port failed:"
}

run_tests
