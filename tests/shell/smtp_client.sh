#!/bin/bash
# SMTP client (supervise mode's email action) end to end through
# `healthcheck sendmail` against aiosmtpd (tests/mock/smtpserver.py) on
# 127.0.0.1: plain, STARTTLS, implicit TLS, AUTH PLAIN/LOGIN, failures.
. "$(dirname "$0")/../lib.sh"

if ! "$HC" sendmail --help >/dev/null 2>&1; then
  echo "SKIP smtp_client: '$HC sendmail' is not available (main.cpp must route 'sendmail' to hc::smtp::sendmail_main)"
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

test_auth_hidden_before_starttls_is_an_error_in_plain_mode() {
  # STARTTLS server, but the client asked for no TLS: AUTH is not offered,
  # so the password is never sent in clear.
  start_tls_smtp starttls --user alice --password "$PASSWORD"
  sendmail --tls none --user alice --pass-env SMTP_PW
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
