#!/bin/bash
# Supervise mode's notifications end to end, against a real supervisord:
# the email action through aiosmtpd (tests/mock/smtpserver.py: plain,
# STARTTLS, implicit TLS, AUTH, a server that never greets), sendResolved
# and reminder mails, and the chat robots + webhook through
# tests/mock/mockserver.py (signatures, bad tokens, rate limits, TLS).
# All traffic stays on 127.0.0.1: every test configuring robots points
# HEALTHCHECK_*_URL at the local mock.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

SMTP_MOCK=$HC_ROOT/tests/mock/smtpserver.py
PW='Mail-pa55-word-7781'
# Never the real robot endpoints, even in a test that forgets to set them.
export HEALTHCHECK_DINGTALK_URL=http://127.0.0.1:9/robot/send
export HEALTHCHECK_WECOM_URL=http://127.0.0.1:9/cgi-bin/webhook/send
export HEALTHCHECK_FEISHU_URL=http://127.0.0.1:9/open-apis/bot/v2/hook/

# start_smtp NAME MODE [args]: sets SMTP_PORT; mail lands in $T/mail-NAME.
start_smtp() {
  local name=$1 mode=$2; shift 2
  local pf=$T/smtp-$name.port
  start_bg "$PY" "$SMTP_MOCK" --port 0 --port-file "$pf" --mode "$mode" --maildir "$T/mail-$name" "$@"
  wait_file "$pf"
  SMTP_PORT=$(cat "$pf")
}

# start_mock_as NAME [args]: a mock HTTP server recording to $T/req-NAME.jsonl;
# sets MOCK_PORT.
start_mock_as() {
  local name=$1; shift
  local pf=$T/mock-$name.port
  start_bg "$PY" "$MOCK" --port 0 --port-file "$pf" --record "$T/req-$name.jsonl" "$@"
  wait_file "$pf"
  MOCK_PORT=$(cat "$pf")
}

# Subjects of the mails in DIR, in delivery order, one per line.
mail_subjects() {
  "$PY" - "$1" <<'PYEOF'
import email, email.policy, glob, os, sys
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.eml")), key=lambda f: int(os.path.basename(f)[:-4]))
for f in files:
    print(email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)["subject"])
PYEOF
}

# check_mail FILE SUBJECT PROGRAM ACTION CHECK MSG-SUBSTRING FROM-ADDR
# Parses the message with Python's email package (policy default) and
# checks headers and the body lines of the original daemon.
check_mail() {
  [ -f "$1" ] || _fail "no mail $1"
  "$PY" - "$@" > "$T/.mailcheck" <<'PYEOF' || _fail "mail $1: $(cat "$T/.mailcheck")"
import email, email.policy, json, os, re, socket, sys, time
path, subject, program, action, check, msg_sub, from_addr = sys.argv[1:8]
raw = open(path, "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
p = []
if msg.defects:
    p.append("defects %r" % msg.defects)
for part in msg.walk():
    if part.defects:
        p.append("part defects %r" % part.defects)
for k, v in msg.items():
    if v.defects:
        p.append("header %s defects %r" % (k, v.defects))
for h in ("From", "To", "Date", "Message-ID", "Subject"):
    if msg[h] is None:
        p.append("no %s header" % h)
if str(msg["subject"]) != subject:
    p.append("subject %r != %r" % (str(msg["subject"]), subject))
if msg["from"] is not None and msg["from"].addresses[0].addr_spec != from_addr:
    p.append("from %r" % str(msg["from"]))
if msg["to"] is not None and [a.addr_spec for a in msg["to"].addresses] != ["ops@example.com", "dev@example.com"]:
    p.append("to %r" % str(msg["to"]))
if msg["date"] is not None and (msg["date"].datetime is None or abs(msg["date"].datetime.timestamp() - time.time()) > 120):
    p.append("date %r" % str(msg["date"]))
if msg["message-id"] is not None and not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", str(msg["message-id"])):
    p.append("message-id %r" % str(msg["message-id"]))
if msg.get_content_type() != "text/plain" or msg.get_content_charset() != "utf-8":
    p.append("content type %s charset %s" % (msg.get_content_type(), msg.get_content_charset()))
for line in raw.split(b"\r\n"):
    if len(line) > 998 or b"\n" in line or b"\r" in line:
        p.append("bad raw line %r" % line[:80])
body = msg.get_content().replace("\r\n", "\n")
lines = body.rstrip("\n").split("\n")
keys = [l.split(": ", 1)[0] if ": " in l else l for l in lines]
if keys != ["DateTime", "Program", "IP", "Hostname", "Platform", "Action", "Msg", "Check"]:
    p.append("body keys %r (body %r)" % (keys, body))
else:
    f = dict(l.split(": ", 1) if ": " in l else (l, "") for l in lines)
    dt = f["DateTime"]
    if not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", dt) or \
            abs(time.mktime(time.strptime(dt, "%Y-%m-%d %H:%M:%S")) - time.time()) > 120:
        p.append("DateTime %r" % dt)
    if f["Program"] != program:
        p.append("Program %r" % f["Program"])
    ip = f.get("IP", "")
    if ip:
        try:
            socket.inet_aton(ip)
        except OSError:
            p.append("IP %r" % ip)
        if ip.startswith("127."):
            p.append("IP is loopback %r" % ip)
    if f["Hostname"] != socket.gethostname():
        p.append("Hostname %r != %r" % (f["Hostname"], socket.gethostname()))
    u = os.uname()
    if f["Platform"] != "%s-%s-%s" % (u.sysname, u.release, u.machine):
        p.append("Platform %r" % f["Platform"])
    if f["Action"] != action:
        p.append("Action %r != %r" % (f["Action"], action))
    if msg_sub not in f["Msg"]:
        p.append("Msg %r lacks %r" % (f["Msg"], msg_sub))
    if f["Check"] != check + " (http)":
        p.append("Check %r" % f["Check"])
if p:
    print("; ".join(p))
    sys.exit(1)
PYEOF
}

# mail_meta FILE.json KEY: a field of the envelope the mock recorded.
mail_meta() {
  "$PY" -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(",".join(v) if isinstance(v, list) else v)' "$1" "$2"
}

# mail_yaml HOST PORT TLS [extra yaml lines...]: the config.mail section.
mail_yaml() {
  local host=$1 port=$2 tls=$3; shift 3
  printf '  mail:\n    host: %s\n    port: %s\n    tls: %s\n    to_list: [ops@example.com, dev@example.com]\n' \
    "$host" "$port" "$tls"
  local l
  for l in "$@"; do printf '    %s\n' "$l"; done
}

# log_ms LINE: the millisecond timestamp of a text log line.
log_ms() {
  "$PY" -c 'import sys,datetime; s=sys.argv[1].split()[0]; print(int(datetime.datetime.strptime(s[:23], "%Y-%m-%dT%H:%M:%S.%f").timestamp()*1000))' "$1"
}

# 1 + 2: a failing service with restart,email: one "failed" mail; with
# sendResolved a "successful" mail after the restart fixed it, without it
# none. The program name is Chinese (supervisord accepts it), so the
# subject is RFC 2047 encoded; plain SMTP with AUTH checked by the mock.
test_email_failed_and_resolved_plain_auth() {
  start_smtp plain plain --user alice@example.com --password "$PW"
  sv_init
  local p1 p2; p1=$(free_port); p2=$(free_port)
  sv_program 商城 "$PROGS/web.py $p1 $T/mall.flag 500 --clear-flag"
  sv_program web2 "$PROGS/web.py $p2 $T/web2.flag 500 --clear-flag"
  sv_start
  hc_config "$T/hc.yaml"
  mail_yaml 127.0.0.1 "$SMTP_PORT" none "user: alice@example.com" "pass: $PW" "from: 'Health Check <hc@example.com>'" \
    "allowPlainAuth: true" >> "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
mall-http:
  program: 商城
  port: $p1
  periodSeconds: 1
  failureThreshold: 1
  action: restart,email
  sendResolved: true
web2-http:
  program: web2
  port: $p2
  periodSeconds: 1
  failureThreshold: 1
  action: restart,email
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "healthy check=mall-http " 5
  wait_log "$HC_LOG" "healthy check=web2-http " 5
  touch "$T/mall.flag" "$T/web2.flag"
  wait_log "$HC_LOG" "email_sent check=mall-http .*Health check failed" 8
  wait_log "$HC_LOG" "email_sent check=web2-http .*Health check failed" 8
  wait_log "$HC_LOG" "recovered check=mall-http " 8
  wait_log "$HC_LOG" "email_sent check=mall-http .*Health check successful" 5
  wait_log "$HC_LOG" "recovered check=web2-http " 5
  sleep 1.5  # web2 has no sendResolved: nothing more may come
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit code"
  local subjects
  subjects=$(mail_subjects "$T/mail-plain" | sort)
  assert_eq "[Supervisor] web2 Health check failed
[Supervisor] 商城 Health check failed
[Supervisor] 商城 Health check successful" "$subjects" "subjects of all mails"
  local f n=0 kind
  for f in "$T"/mail-plain/*.eml; do
    kind=$(mail_subjects "$T/mail-plain" | sed -n "$(basename "$f" .eml)p")
    case $kind in
      *"商城 Health check failed") check_mail "$f" "$kind" 商城 restart mall-http "HTTP 500" hc@example.com ;;
      *"商城 Health check successful") check_mail "$f" "$kind" 商城 none mall-http "HTTP 200" hc@example.com ;;
      *"web2 Health check failed") check_mail "$f" "$kind" web2 restart web2-http "HTTP 500" hc@example.com ;;
      *) _fail "unexpected mail $kind" ;;
    esac
    assert_eq "alice@example.com" "$(mail_meta "${f%.eml}.json" auth_login)" "AUTH login of $f"
    assert_eq "hc@example.com" "$(mail_meta "${f%.eml}.json" mail_from)" "envelope sender of $f"
    assert_eq "ops@example.com,dev@example.com" "$(mail_meta "${f%.eml}.json" rcpt_tos)" "recipients of $f"
    assert_eq "False" "$(mail_meta "${f%.eml}.json" tls)" "tls of $f"
    n=$((n + 1))
  done
  assert_eq 3 "$n" "mails"
  # The raw subject of the Chinese one is encoded, not 8-bit.
  grep -l "Health check successful" "$T"/mail-plain/*.eml >/dev/null && _fail "non-ASCII subject sent unencoded"
  grep -qE '^Subject: =\?UTF-8\?B\?' "$T"/mail-plain/*.eml || _fail "no RFC 2047 subject"
  assert_eq 1 "$(count_log "$HC_LOG" "action check=web2-http .*restart")" "web2 restarts"
  assert_no_log "$HC_LOG" "email_failed|email_skipped"
  assert_not_contains "$(cat "$HC_LOG")" "$PW" "daemon log"
}

# 3: STARTTLS (CA from mail.cafile) and implicit TLS with AUTH; a wrong
# password is logged with the 535 reply and without the password; an
# untrusted certificate is refused unless mail.insecure (warning logged);
# a closed port fails fast. One daemon per set-up, all at once.
test_email_tls_setups_auth_and_failures() {
  unset SSL_CERT_FILE
  make_pki
  start_smtp starttls starttls --cert "$T/pki/server.crt" --key "$T/pki/server.key" --user alice --password "$PW"
  local sport=$SMTP_PORT
  start_smtp ssl ssl --cert "$T/pki/server.crt" --key "$T/pki/server.key" --user alice --password "$PW"
  local tport=$SMTP_PORT closed; closed=$(free_port)
  sv_init
  local dead; dead=$(free_port)
  sv_program sleeper "/bin/sleep 1000"
  sv_start
  local name host port tls extra pids=()
  # name host port tls yaml-lines (|-separated)
  while IFS=' ' read -r name host port tls extra; do
    hc_config "$T/$name.yaml"
    local lines=()
    IFS='|' read -r -a lines <<< "$extra"
    mail_yaml "$host" "$port" "$tls" "from: hc@example.com" "${lines[@]}" >> "$T/$name.yaml"
    cat >> "$T/$name.yaml" <<YAML
$name-http:
  program: sleeper
  port: $dead
  periodSeconds: 1
  failureThreshold: 1
  action: email
YAML
    HC_LOG=$T/$name.log hc_start "$T/$name.yaml" < /dev/null
    pids+=("$name:$HC_PID")
  done <<EOF
starttls 127.0.0.1 $sport starttls user: alice|pass: $PW|cafile: $T/pki/ca.crt
ssl localhost $tport ssl user: alice|pass: $PW|cafile: $T/pki/ca.crt
wrongpw 127.0.0.1 $sport starttls user: alice|pass: not-$PW|cafile: $T/pki/ca.crt
untrusted localhost $tport ssl user: alice|pass: $PW
insecure localhost $tport ssl user: alice|pass: $PW|insecure: true
closed 127.0.0.1 $closed none
EOF
  wait_log "$T/starttls.log" "email_sent check=starttls-http program=sleeper: \[Supervisor\] sleeper Health check failed to 2 recipient\(s\)" 8
  wait_log "$T/ssl.log" "email_sent check=ssl-http " 8
  wait_log "$T/insecure.log" "email_sent check=insecure-http " 8
  wait_log "$T/wrongpw.log" "email_failed check=wrongpw-http .*try 1/3: smtp: AUTH failed: 535" 8
  wait_log "$T/untrusted.log" "email_failed check=untrusted-http .*try 1/3: .*certificate verification failed" 8
  wait_log "$T/closed.log" "email_failed check=closed-http .*try 1/3: .*(refused|connect)" 8
  assert_eq 1 "$(count_log "$T/insecure.log" "warn email check=insecure-http .*mail.insecure: certificate not verified")" \
    "insecure warning"
  local entry
  for entry in "${pids[@]}"; do
    HC_PID=${entry#*:} HC_LOG=$T/${entry%%:*}.log hc_stop
  done
  # Two mails on each server: starttls+wrongpw (one delivered), ssl+untrusted+insecure (two).
  local f check
  for f in "$T"/mail-starttls/*.eml "$T"/mail-ssl/*.eml; do
    check=$("$PY" -c 'import email,email.policy,sys; print(email.message_from_bytes(open(sys.argv[1],"rb").read(),policy=email.policy.default).get_content().split("Check: ")[1].split(" ")[0])' "$f")
    check_mail "$f" "[Supervisor] sleeper Health check failed" sleeper none "$check" "connect" hc@example.com
    assert_eq "alice" "$(mail_meta "${f%.eml}.json" auth_login)" "AUTH login of $check"
    assert_eq "True" "$(mail_meta "${f%.eml}.json" tls)" "tls of $check"
    echo "$check" >> "$T/delivered"
  done
  assert_eq "insecure-http
ssl-http
starttls-http" "$(sort "$T/delivered")" "checks whose mail was delivered"
  local all; all=$(cat "$T"/*.log)
  assert_not_contains "$all" "$PW" "daemon logs"
  assert_not_contains "$all" "$(printf '\0alice\0not-%s' "$PW" | base64 -w0)" "daemon logs"
  assert_not_contains "$all" "$(printf 'not-%s' "$PW" | base64 -w0)" "daemon logs"
  assert_no_log "$T/starttls.log" "email_failed"
  assert_no_log "$T/ssl.log" "email_failed"
}

# 4: the mail server accepts TCP and never greets: the restart still comes
# right after failureThreshold failures, all checks keep their schedule
# (SIGUSR1 stats), and SIGTERM ends the daemon within 1 s while the mail
# is stuck.
test_mail_server_down_keeps_schedule_and_stop() {
  start_smtp nogreet nogreet
  sv_init
  local p; p=$(free_port)
  sv_program web "$PROGS/web.py $p $T/web.flag 500 --clear-flag"
  sv_program idle "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
  mail_yaml 127.0.0.1 "$SMTP_PORT" none "from: hc@example.com" >> "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
web-http:
  program: web
  port: $p
  periodSeconds: 1
  failureThreshold: 2
  action: restart,email
idle-mem:
  program: idle
  type: mem
  periodSeconds: 1
  failureThreshold: 1
  action: none
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "healthy check=web-http " 5
  wait_log "$HC_LOG" "healthy check=idle-mem " 5
  touch "$T/web.flag"
  wait_log "$HC_LOG" "action check=web-http program=web: restart: stopping web" 6
  local failed_line action_line
  failed_line=$(grep -E "check_failed check=web-http .*\(2/2\)$" "$HC_LOG" | head -1)
  action_line=$(grep -E "action check=web-http " "$HC_LOG" | head -1)
  [ -n "$failed_line" ] || _fail "no (2/2) failure line"
  assert_lt $(( $(log_ms "$action_line") - $(log_ms "$failed_line") )) 200 "ms from the 2nd failure to the restart"
  wait_log "$HC_LOG" "action_done check=web-http " 8
  wait_log "$HC_LOG" "recovered check=web-http " 8
  kill -USR1 "$HC_PID"
  wait_log "$HC_LOG" "info stats: " 2
  sleep 3
  kill -USR1 "$HC_PID"
  wait_log "$HC_LOG" "info stats: " 2 2
  local s1 s2 n1 n2 worst
  s1=$(grep "info stats: " "$HC_LOG" | sed -n 1p); s2=$(grep "info stats: " "$HC_LOG" | sed -n 2p)
  n1=$(grep -oE 'probes=[0-9]+' <<< "$s1" | cut -d= -f2); n2=$(grep -oE 'probes=[0-9]+' <<< "$s2" | cut -d= -f2)
  worst=$(grep -oE 'worst_delay_ms=[0-9]+' <<< "$s2" | cut -d= -f2)
  assert_lt 4 $((n2 - n1)) "probes in 3 s while the mail hangs ($s1 / $s2)"
  assert_lt "$worst" 50 "worst_delay_ms"
  # Still stuck in the first try (10 s greeting wait): nothing sent/failed yet.
  assert_no_log "$HC_LOG" "email_sent|email_failed"
  local t0 t1 i
  t0=$(now_ms)
  kill -TERM "$HC_PID"
  for i in $(seq 1 100); do kill -0 "$HC_PID" 2>/dev/null || break; sleep 0.02; done
  t1=$(now_ms)
  kill -0 "$HC_PID" 2>/dev/null && _fail "daemon still running $((t1 - t0)) ms after SIGTERM"
  wait "$HC_PID"; assert_eq 0 "$?" "exit code"
  assert_time_lt $((t1 - t0)) 1000 "ms from SIGTERM to exit"
  assert_contains "$(cat "$HC_LOG")" "a background job (a notification, a DNS lookup or an smaps read) was still running and is dropped" "daemon log"
  assert_eq 1 "$(count_log "$HC_LOG" "action check=web-http ")" "restarts"
}

# 8: reminderSeconds 2 with a check that stays failed (action email only):
# the failure mail, then "still failing" reminders every ~2 s.
test_reminder_mails() {
  start_smtp plain plain
  sv_init
  local dead; dead=$(free_port)
  sv_program sleeper "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
  mail_yaml 127.0.0.1 "$SMTP_PORT" none "from: hc@example.com" >> "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
down-http:
  program: sleeper
  port: $dead
  periodSeconds: 1
  failureThreshold: 1
  action: email
  reminderSeconds: 2
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "email_sent check=down-http .*Health check failed" 6
  local t0; t0=$(now_ms)
  wait_log "$HC_LOG" "email_sent check=down-http .*Health check still failing" 6 2
  assert_lt $(( $(now_ms) - t0 )) 6000 "ms for two reminders"
  hc_stop
  local subjects; subjects=$(mail_subjects "$T/mail-plain")
  assert_eq "[Supervisor] sleeper Health check failed" "$(sed -n 1p <<< "$subjects")" "first mail"
  local reminders; reminders=$(grep -c "Health check still failing$" <<< "$subjects")
  assert_lt 1 "$reminders" "reminder mails"
  assert_lt "$reminders" 4 "reminder mails (every 2 s, not every probe)"
  check_mail "$T/mail-plain/1.eml" "[Supervisor] sleeper Health check failed" sleeper none down-http "connect" hc@example.com
  check_mail "$T/mail-plain/2.eml" "[Supervisor] sleeper Health check still failing" sleeper none down-http "connect" hc@example.com
  assert_eq 0 "$(count_log "$HC_LOG" "action check=down-http ")" "program actions"
}

# 5 + 6 + 7: robots in supervise mode. Daemon A over http (mock verifies
# nothing: the test checks the signatures itself): two DingTalk tokens (one
# signed), a DingTalk full URL, WeCom, signed Feishu, the webhook, and a
# webhook on a closed port with a token in its query. Daemon B over TLS
# (mock verifies the DingTalk and Feishu signatures): signed robots, a bad
# token and rate-limited ones.
test_robots_notify() {
  make_pki
  start_mock_as a
  local pa=$MOCK_PORT
  start_mock_as b --tls "$T/pki/server.crt" "$T/pki/server.key" --dingtalk-secret DSEC-0006-zz --feishu-secret FSEC-0008-zz
  local pb=$MOCK_PORT closed; closed=$(free_port)
  sv_init
  local p1 p2; p1=$(free_port); p2=$(free_port)
  sv_program web-a "$PROGS/web.py $p1 $T/a.flag 500 --clear-flag"
  sv_program web-b "$PROGS/web.py $p2 $T/b.flag 500 --clear-flag"
  sv_start
  hc_config "$T/a.yaml"
  cat >> "$T/a.yaml" <<YAML
  dingtalk: ['dtok-unsigned-0001', 'dtok-signed-0002:DSEC-0002-xyz', 'http://127.0.0.1:$pa/robot/send?access_token=dtok-fullurl-0003']
  wecom: [wkey-0004-abcdef]
  feishu: ['fhook-0005-abc:FSEC-0005-xyz']
  webhook: ['http://127.0.0.1:$pa/webhook', 'http://127.0.0.1:$closed/webhook?token=leaky-token-000111']
web-a-http:
  program: web-a
  port: $p1
  periodSeconds: 1
  failureThreshold: 1
  action: restart,notify
YAML
  hc_config "$T/b.yaml"
  cat >> "$T/b.yaml" <<YAML
  dingtalk: ['dtok-signed-0006:DSEC-0006-zz', 'ratelimit-once:DSEC-0006-zz', 'badtok-0007:DSEC-0006-zz']
  wecom: ratelimit-once
  feishu: ['fhook-0008-abc:FSEC-0008-zz']
  webhook: https://localhost:$pb/webhook
web-b-http:
  program: web-b
  port: $p2
  periodSeconds: 1
  failureThreshold: 1
  action: restart,notify
YAML
  HEALTHCHECK_DINGTALK_URL=http://127.0.0.1:$pa/robot/send \
  HEALTHCHECK_WECOM_URL=http://127.0.0.1:$pa/cgi-bin/webhook/send \
  HEALTHCHECK_FEISHU_URL=http://127.0.0.1:$pa/open-apis/bot/v2/hook/ \
  HC_LOG=$T/a.log hc_start "$T/a.yaml"
  local pid_a=$HC_PID
  HEALTHCHECK_DINGTALK_URL=https://localhost:$pb/robot/send \
  HEALTHCHECK_WECOM_URL=https://localhost:$pb/cgi-bin/webhook/send \
  HEALTHCHECK_FEISHU_URL=https://localhost:$pb/open-apis/bot/v2/hook \
  SSL_CERT_FILE=$T/pki/ca.crt \
  HC_LOG=$T/b.log hc_start "$T/b.yaml"
  local pid_b=$HC_PID
  wait_log "$T/a.log" "healthy check=web-a-http " 5
  wait_log "$T/b.log" "healthy check=web-b-http " 5
  touch "$T/a.flag" "$T/b.flag"
  wait_log "$T/a.log" "notify_sent " 8 6
  wait_log "$T/a.log" "notify_failed .*webhook http://127.0.0.1:$closed/webhook\\?token=\\*\\*\\*: try 3/3" 10
  wait_log "$T/b.log" "notify_failed .*try 3/3: errcode 300001" 10
  wait_log "$T/b.log" "notify_sent " 5 3
  wait_log "$T/a.log" "recovered check=web-a-http " 5
  wait_log "$T/b.log" "recovered check=web-b-http " 5
  sleep 1
  HC_PID=$pid_a HC_LOG=$T/a.log hc_stop
  HC_PID=$pid_b HC_LOG=$T/b.log hc_stop

  # Daemon A's log: one notify_sent per endpoint, named without secrets.
  local a; a=$(grep -E "notify_(sent|failed|limited)" "$T/a.log")
  local want
  for want in "notify_sent check=web-a-http program=web-a: dingtalk dtok-u\*\*\*$" \
              "notify_sent check=web-a-http program=web-a: dingtalk dtok-s\*\*\*$" \
              "notify_sent check=web-a-http program=web-a: dingtalk http://127.0.0.1:$pa/robot/send\\?access_token=\\*\\*\\*$" \
              "notify_sent check=web-a-http program=web-a: wecom wkey-0\*\*\*$" \
              "notify_sent check=web-a-http program=web-a: feishu fhook-\*\*\*$" \
              "notify_sent check=web-a-http program=web-a: webhook http://127.0.0.1:$pa/webhook$"; do
    assert_eq 1 "$(count_log "$T/a.log" "$want")" "lines /$want/ in a.log"
  done
  assert_eq 6 "$(count_log "$T/a.log" "notify_sent ")" "notify_sent lines of A"
  assert_eq 3 "$(count_log "$T/a.log" "notify_failed ")" "notify_failed lines of A (the closed webhook, 3 tries)"
  # Daemon B: signed robots verified by the mock over TLS, the bad token
  # fails with its errcode, the rate-limited ones are logged as such.
  assert_eq 1 "$(count_log "$T/b.log" "notify_sent .*: dingtalk dtok-s\*\*\*$")" "B dingtalk sent"
  assert_eq 1 "$(count_log "$T/b.log" "notify_sent .*: feishu fhook-\*\*\*$")" "B feishu sent"
  assert_eq 1 "$(count_log "$T/b.log" "notify_sent .*: webhook https://localhost:$pb/webhook$")" "B webhook sent"
  assert_eq 3 "$(count_log "$T/b.log" "notify_failed .*: dingtalk badto\*\*\*: try [123]/3: errcode 300001: token is not exist$")" "B bad token"
  assert_eq 1 "$(count_log "$T/b.log" "notify_limited .*: dingtalk rateli\*\*\*: rate limited, one retry in 60 s$")" "B dingtalk limited"
  assert_eq 1 "$(count_log "$T/b.log" "notify_limited .*: wecom rateli\*\*\*: rate limited, one retry in 60 s$")" "B wecom limited"
  assert_eq 3 "$(count_log "$T/b.log" "notify_sent ")" "notify_sent lines of B"
  # Secrets and tokens never in full in either log.
  local logs; logs=$(cat "$T/a.log" "$T/b.log")
  local s
  for s in DSEC-0002-xyz FSEC-0005-xyz DSEC-0006-zz FSEC-0008-zz dtok-unsigned-0001 dtok-signed-0002 dtok-fullurl-0003 \
           wkey-0004-abcdef fhook-0005-abc fhook-0008-abc dtok-signed-0006 badtok-0007 leaky-token-000111 ratelimit-once; do
    assert_not_contains "$logs" "$s" "daemon logs"
  done

  # What the endpoints received, field by field.
  "$PY" - "$T/req-a.jsonl" "$T/req-b.jsonl" > "$T/.reqcheck" <<'PYEOF' || _fail "requests: $(cat "$T/.reqcheck")"
import base64, collections, hashlib, hmac, json, re, socket, sys, time
p = []
now = time.time()
def load(f):
    return [json.loads(l) for l in open(f, encoding="utf-8")]
def hdr(r, name):
    for k, v in r["headers"]:
        if k.lower() == name.lower():
            return v
def key(r):
    q = r["query"]
    if r["path"] == "/robot/send": return "ding:" + q.get("access_token", "")
    if r["path"] == "/cgi-bin/webhook/send": return "wecom:" + q.get("key", "")
    if r["path"].startswith("/open-apis/bot/v2/hook/"): return "feishu:" + r["path"].rsplit("/", 1)[1]
    return r["path"]
def ding_sign(secret, ts):
    return base64.b64encode(hmac.new(secret.encode(), (ts + "\n" + secret).encode(), hashlib.sha256).digest()).decode()
def feishu_sign(secret, ts):
    return base64.b64encode(hmac.new((ts + "\n" + secret).encode(), b"", hashlib.sha256).digest()).decode()
def check_common(r, prog, check):
    if r["method"] != "POST": p.append("%s method %s" % (key(r), r["method"]))
    if hdr(r, "Content-Type") != "application/json; charset=utf-8":
        p.append("%s content-type %r" % (key(r), hdr(r, "Content-Type")))
    return json.loads(r["body"])
def check_text(k, text, title, check, sep):
    want = [title, "检查: %s (http)" % check, "动作: restart"]
    parts = text.split(sep)
    if parts[:3] != want: p.append("%s text starts %r" % (k, parts[:3]))
    if not parts[3].startswith("原因: ") or "HTTP 500" not in parts[3]: p.append("%s reason %r" % (k, parts[3]))
    if parts[4] != "主机: " + socket.gethostname(): p.append("%s host %r" % (k, parts[4]))
    if not re.fullmatch(r"时间: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", parts[5]): p.append("%s time %r" % (k, parts[5]))

def check_ding(r, title, check, secret):
    b = check_common(r, None, check)
    if set(b) != {"msgtype", "markdown"} or b["msgtype"] != "markdown": p.append("ding body keys %r" % b)
    md = b.get("markdown", {})
    if md.get("title") != title: p.append("ding title %r" % md.get("title"))
    check_text(key(r), md.get("text", ""), title, check, "\r\n\r\n")
    q = r["query"]
    if secret is None:
        if "sign" in q or "timestamp" in q: p.append("%s unexpectedly signed" % key(r))
    else:
        ts = q.get("timestamp", "")
        if not ts.isdigit() or abs(int(ts) / 1000 - now) > 120: p.append("%s timestamp %r" % (key(r), ts))
        elif q.get("sign") != ding_sign(secret, ts): p.append("%s bad sign %r" % (key(r), q.get("sign")))

def check_wecom(r, title, check):
    b = check_common(r, None, check)
    if set(b) != {"msgtype", "markdown"} or b["msgtype"] != "markdown" or set(b["markdown"]) != {"content"}:
        p.append("wecom body %r" % b)
    else:
        check_text(key(r), b["markdown"]["content"], title, check, "\r\n\r\n")

def check_feishu(r, title, check, secret):
    b = check_common(r, None, check)
    if set(b) != {"msg_type", "content", "timestamp", "sign"} or b["msg_type"] != "text": p.append("feishu body %r" % b)
    else:
        check_text(key(r), b["content"]["text"], title, check, "\n")
        ts = b["timestamp"]
        if not isinstance(ts, str) or not ts.isdigit() or abs(int(ts) - now) > 120: p.append("feishu timestamp %r" % ts)
        elif b["sign"] != feishu_sign(secret, ts): p.append("feishu bad sign")

def check_webhook(r, prog, check):
    b = check_common(r, prog, check)
    if set(b) != {"title", "program", "check", "state", "message", "host", "time", "timestamp"}:
        p.append("webhook keys %r" % sorted(b)); return
    if b["title"] != "[%s]健康检查失败" % prog: p.append("webhook title %r" % b["title"])
    if b["program"] != prog or b["check"] != check or b["state"] != "failed": p.append("webhook ids %r" % b)
    if "HTTP 500" not in b["message"]: p.append("webhook message %r" % b["message"])
    if b["host"] != socket.gethostname(): p.append("webhook host %r" % b["host"])
    if not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", b["time"]): p.append("webhook time %r" % b["time"])
    if not isinstance(b["timestamp"], int) or abs(b["timestamp"] - now) > 120: p.append("webhook timestamp %r" % b["timestamp"])
    if time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(b["timestamp"])) != b["time"]:
        p.append("webhook time %r vs timestamp %r" % (b["time"], b["timestamp"]))

a = load(sys.argv[1])
counts = collections.Counter(key(r) for r in a)
want = {"ding:dtok-unsigned-0001": 1, "ding:dtok-signed-0002": 1, "ding:dtok-fullurl-0003": 1,
        "wecom:wkey-0004-abcdef": 1, "feishu:fhook-0005-abc": 1, "/webhook": 1}
if dict(counts) != want: p.append("A counts %r" % dict(counts))
ta = "[web-a]健康检查失败"
for r in a:
    k = key(r)
    if k == "ding:dtok-unsigned-0001": check_ding(r, ta, "web-a-http", None)
    elif k == "ding:dtok-signed-0002": check_ding(r, ta, "web-a-http", "DSEC-0002-xyz")
    elif k == "ding:dtok-fullurl-0003":
        check_ding(r, ta, "web-a-http", None)
        if r["raw_target"] != "/robot/send?access_token=dtok-fullurl-0003": p.append("full URL target %r" % r["raw_target"])
    elif k == "wecom:wkey-0004-abcdef": check_wecom(r, ta, "web-a-http")
    elif k == "feishu:fhook-0005-abc": check_feishu(r, ta, "web-a-http", "FSEC-0005-xyz")
    elif k == "/webhook": check_webhook(r, "web-a", "web-a-http")

b = load(sys.argv[2])
counts = collections.Counter(key(r) for r in b)
want = {"ding:dtok-signed-0006": 1, "ding:ratelimit-once": 1, "ding:badtok-0007": 3, "wecom:ratelimit-once": 1,
        "feishu:fhook-0008-abc": 1, "/webhook": 1}
if dict(counts) != want: p.append("B counts %r" % dict(counts))
tb = "[web-b]健康检查失败"
for r in b:
    k = key(r)
    if k == "ding:dtok-signed-0006": check_ding(r, tb, "web-b-http", "DSEC-0006-zz")
    elif k == "feishu:fhook-0008-abc": check_feishu(r, tb, "web-b-http", "FSEC-0008-zz")
    elif k == "/webhook": check_webhook(r, "web-b", "web-b-http")
if p:
    print("\n".join(p)); sys.exit(1)
PYEOF
}

# 6 (issue 11): a password over plain SMTP only with mail.allowPlainAuth.
# Without it: a warning at load (also in --test), and each mail is refused
# once (no retries) naming the setting; the relay in front of the server
# records nothing. --test shows the setting; a bad value is an error.
test_mail_plain_auth_needs_allow_plain_auth() {
  start_smtp plain plain --user alice --password "$PW" --wire-log "$T/wire"
  sv_init
  local dead; dead=$(free_port)
  sv_program sleeper "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
  mail_yaml 127.0.0.1 "$SMTP_PORT" none "user: alice" "pass: $PW" "from: hc@example.com" >> "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
down-http:
  program: sleeper
  port: $dead
  periodSeconds: 1
  failureThreshold: 1
  action: email
YAML
  run "$HC" supervise --test -c "$T/hc.yaml"
  assert_eq 0 "$RC" "--test exit code ($ERR)"
  assert_contains "$OUT$ERR" "allowPlainAuth: false"
  assert_contains "$OUT$ERR" "config.mail: user and pass without TLS (tls none, port $SMTP_PORT)"
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "email_failed check=down-http .*not sent: smtp: refusing to send the password over an unencrypted connection to 127.0.0.1:$SMTP_PORT; use tls: ssl or starttls, or set mail.allowPlainAuth: true" 6
  sleep 2.5  # a retry would come after 2 s
  hc_stop
  assert_eq 1 "$(count_log "$HC_LOG" "email_failed")" "email_failed lines (refused once, not retried)"
  assert_eq 1 "$(count_log "$HC_LOG" "warn config: .*config.mail: user and pass without TLS")" "config warning"
  assert_eq "" "$(cat "$T/wire")" "bytes the mail server got"
  [ -e "$T/mail-plain/1.eml" ] && _fail "a mail was sent"
  assert_not_contains "$(cat "$HC_LOG")" "$PW" "daemon log"

  # allowPlainAuth: true: shown, no warning, the mail goes (AUTH in clear).
  sed -i 's/^    from: hc@example.com$/    from: hc@example.com\n    allowPlainAuth: true/' "$T/hc.yaml"
  run "$HC" supervise --test -c "$T/hc.yaml"
  assert_eq 0 "$RC" "--test exit code ($ERR)"
  assert_contains "$OUT" "allowPlainAuth: true"
  assert_not_contains "$OUT$ERR" "without TLS"
  assert_not_contains "$OUT$ERR" "unknown key"
  HC_LOG=$T/hc2.log hc_start "$T/hc.yaml"
  HC_LOG=$T/hc2.log wait_log "$T/hc2.log" "email_sent check=down-http " 8
  HC_LOG=$T/hc2.log hc_stop
  assert_eq "alice" "$(mail_meta "$T/mail-plain/1.json" auth_login)" "AUTH login"

  hc_config "$T/bad.yaml"
  mail_yaml 127.0.0.1 25 none "allowPlainAuth: maybe" >> "$T/bad.yaml"
  run "$HC" supervise --test -c "$T/bad.yaml"
  assert_eq 2 "$RC" "exit code for allowPlainAuth: maybe"
  assert_contains "$ERR" "$T/bad.yaml:8: config.mail.allowPlainAuth: expected a boolean"
}

# 14 (issue 11): a control byte in a mail key that reaches an SMTP command
# or header line is a config error at the key's line.
test_mail_config_control_bytes_refused() {
  local key line
  for key in from user host; do
    printf 'config:\n  supervisordUrl: unix:///tmp/none.sock\n  mail:\n    port: 25\n    to_list: [ops@example.com]\n' > "$T/$key.yaml"
    [ "$key" = host ] || printf '    host: 127.0.0.1\n' >> "$T/$key.yaml"
    printf '    %s: "x@example.com\\r\\nRSET"\n' "$key" >> "$T/$key.yaml"
    printf 'web:\n  program: web\n' >> "$T/$key.yaml"
    run "$HC" supervise --test -c "$T/$key.yaml"
    assert_eq 2 "$RC" "exit code for CR/LF in mail.$key ($OUT)"
    line=7; [ "$key" = host ] && line=6
    assert_contains "$ERR" "$T/$key.yaml:$line: config.mail.$key: expected a value without control characters"
    [[ "$ERR" == *$'\r'* ]] && _fail "raw CR in the error"
  done
  printf 'config:\n  mail:\n    host: 127.0.0.1\n    to_list: ["ops@example.com\\e[2J"]\nweb:\n  program: web\n' > "$T/to.yaml"
  run "$HC" supervise --test -c "$T/to.yaml"
  assert_eq 2 "$RC" "exit code for ESC in mail.to_list"
  assert_contains "$ERR" "$T/to.yaml:4: config.mail.to_list: expected e-mail addresses"
  [[ "$ERR" == *$'\e'* ]] && _fail "raw ESC in the error"
  return 0
}

# 12 (issue 11): each target has its own lane. A webhook that accepts and
# never answers (the mock's /hang: 3 tries of 10 s) comes first in the list;
# the live webhook after it still gets its notice at once.
test_dead_robot_does_not_delay_live_one() {
  start_mock_as m
  local pm=$MOCK_PORT
  sv_init
  local dead; dead=$(free_port)
  sv_program sleeper "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
  webhook: ['http://127.0.0.1:$pm/hang', 'http://127.0.0.1:$pm/webhook']
down-http:
  program: sleeper
  port: $dead
  periodSeconds: 1
  failureThreshold: 1
  action: notify
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "unhealthy check=down-http " 6
  local t0; t0=$(now_ms)
  wait_log "$HC_LOG" "notify_sent check=down-http program=sleeper: webhook http://127.0.0.1:$pm/webhook$" 5
  assert_lt $(( $(now_ms) - t0 )) 3000 "ms from the failure to the live webhook's notice"
  # The dead one is still on its first try (10 s deadline), then retries.
  assert_no_log "$HC_LOG" "notify_.* webhook http://127.0.0.1:$pm/hang"
  wait_log "$HC_LOG" "notify_failed check=down-http .*webhook http://127.0.0.1:$pm/hang: try 1/3: " 14
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit code"
  assert_eq 1 "$(grep -c '"path": *"/webhook"' "$T/req-m.jsonl")" "notices the live webhook got"
}

# 12 (issue 11): a flood of notices to a dead target: at most 100 pending,
# the oldest dropped, the count logged (first drop at once, the rest after
# the try in progress).
test_notice_flood_drops_oldest_with_count() {
  start_mock_as m
  local pm=$MOCK_PORT
  sv_init
  sv_program sleeper "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
  printf "  webhook: 'http://127.0.0.1:%s/hang'\n" "$pm" >> "$T/hc.yaml"
  local dead i; dead=$(free_port)
  for i in $(seq 1 130); do
    printf 'down%s:\n  program: sleeper\n  type: tcp\n  port: %s\n  periodSeconds: 2\n  failureThreshold: 1\n  action: notify\n' \
      "$i" "$dead" >> "$T/hc.yaml"
  done
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "unhealthy check=down" 10 130
  wait_log "$HC_LOG" "warn notify_dropped: webhook http://127.0.0.1:$pm/hang: more than 100 notices pending; dropped the 1 oldest \(1 dropped in all\)$" 3
  # 130 notices: 1 on its first try, 100 pending, 29 dropped (30 if all
  # came before the first try started).
  wait_log "$HC_LOG" "warn notify_dropped: .*\((29|30) dropped in all\)$" 15
  local rss; rss=$(awk '/VmHWM/{print $2}' "/proc/$HC_PID/status")
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit code"
  assert_eq 2 "$(count_log "$HC_LOG" "notify_dropped")" "drop report lines"
  # Footprint only for the static binary: ASan's shadow memory alone is
  # ~25 MB (the sanitizer run measured 53 MB).
  if ! readelf -l "$HC" 2>/dev/null | grep -q INTERP; then
    assert_lt "$rss" 32768 "daemon peak RSS (KB)"
  fi
}

# 15 (issue 11): control bytes from the config (a check name with ESC) or a
# server (a robot's errmsg with ESC and BEL) never reach stderr raw: the
# text log shows them as \xHH, the JSON log as \u00XX.
test_control_bytes_escaped_in_log() {
  local body='{"errcode":310000,"errmsg":"\u001b]0;owned\u0007\u001b[2J"}'
  printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "${#body}" "$body" > "$T/answer"
  start_mock_as raw --raw-file "$T/answer"
  local pr=$MOCK_PORT
  sv_init
  local dead; dead=$(free_port)
  sv_program sleeper "/bin/sleep 1000"
  sv_start
  local fmt
  for fmt in text json; do
    hc_config "$T/$fmt.yaml"
    cat >> "$T/$fmt.yaml" <<YAML
  dingtalk: 'http://127.0.0.1:$pr/robot/send?access_token=tok-0001'
"web\\e[31mred":
  program: sleeper
  port: $dead
  periodSeconds: 1
  failureThreshold: 1
  action: notify
YAML
    HC_LOG=$T/$fmt.log hc_start "$T/$fmt.yaml" --log-format "$fmt"
    # (JSON writes "/" as "\/")
    HC_LOG=$T/$fmt.log wait_log "$T/$fmt.log" 'notify_failed.*try 3\\?/3' 12
    HC_LOG=$T/$fmt.log hc_stop
    grep -q $'\e' "$T/$fmt.log" && _fail "raw ESC in the $fmt log: $(grep -m3 $'\e' "$T/$fmt.log" | cat -v)"
    grep -q $'\a' "$T/$fmt.log" && _fail "raw BEL in the $fmt log"
  done
  assert_contains "$(cat "$T/text.log")" 'check=web\x1b[31mred program=sleeper'
  # --test and config errors print names from the file to the terminal too.
  run "$HC" supervise --test -c "$T/text.yaml"
  assert_eq 0 "$RC" "--test exit code ($ERR)"
  [[ "$OUT$ERR" == *$'\e'* ]] && _fail "raw ESC in --test output: $(cat -v <<< "$OUT$ERR" | head -5)"
  assert_contains "$OUT" 'web\x1b[31mred: (line '
  printf '"bad\\e[2J":\n  program: sleeper\n  port: x\n' > "$T/bad.yaml"
  run "$HC" supervise --test -c "$T/bad.yaml"
  assert_eq 2 "$RC" "exit code of a bad config"
  [[ "$ERR" == *$'\e'* ]] && _fail "raw ESC in the config error: $(cat -v <<< "$ERR")"
  assert_contains "$ERR" "$T/bad.yaml:3: bad\\x1b[2J.port: expected a port number"
  assert_contains "$(cat "$T/text.log")" 'errcode 310000: \x1b]0;owned\x07\x1b[2J'
  assert_contains "$(cat "$T/json.log")" '"check":"web\u001b[31mred"'
  assert_contains "$(cat "$T/json.log")" '\u001b]0;owned\u0007\u001b[2J'
}

run_tests
