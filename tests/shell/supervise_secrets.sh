#!/bin/bash
# Supervise mode, issue 11 (1-4, 10): a token or password in a robot URL
# (webhook path token, Feishu hook id before a query, DingTalk URL with an
# upper-case scheme) or in an http check's query reaches none of `--test`,
# the daemon log, the robot and webhook bodies, the mail, HC_MESSAGE of
# execCmd.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

# Never the real robot endpoints, even in a test that forgets to set them.
export HEALTHCHECK_DINGTALK_URL=http://127.0.0.1:9/robot/send
export HEALTHCHECK_WECOM_URL=http://127.0.0.1:9/cgi-bin/webhook/send
export HEALTHCHECK_FEISHU_URL=http://127.0.0.1:9/open-apis/bot/v2/hook/

SECRETS=(WebhookPathTok-112233 FeishuHookId-445566 UpperDingTok-778899 ChkTok-990011 ChkSig-220033
         FsecSigned-5544 DingSecret-6655 WecomKey-880077 Sv-Url-Pw-1177 RedirTok-1234567890)

assert_no_secret() { # TEXT WHAT
  local s
  for s in "${SECRETS[@]}"; do assert_not_contains "$1" "$s" "$2"; done
}

# write_config FILE MOCK_PORT CHECK_PORT
write_config() {
  cat >> "$1" <<YAML
  dingtalk: ['HTTP://127.0.0.1:$2/robot/send?access_token=UpperDingTok-778899', 'dtok-sec-0001:DingSecret-6655']
  wecom: [WecomKey-880077]
  feishu: ['http://127.0.0.1:$2/open-apis/bot/v2/hook/FeishuHookId-445566?src=ci', 'fhook-0002:FsecSigned-5544']
  webhook: ['http://127.0.0.1:$2/hooks/WebhookPathTok-112233', 'http://127.0.0.1:$2/redirect?to=/hooks/RedirTok-1234567890']
web-check:
  program: web
  port: $3
  path: /status/500?access_token=ChkTok-990011&sign=ChkSig-220033
  periodSeconds: 1
  timeoutSeconds: 1
  failureThreshold: 1
  action: notify,exec
  execCmd: printf '%s\n' "\$HC_MESSAGE" >> $T/hc_message
YAML
}

test_test_output_masks_robot_urls_and_check_query() {
  printf 'config:\n  supervisordUrl: http://svuser:Sv-Url-Pw-1177@127.0.0.1:9001/RPC2?k=Sv-Url-Pw-1177\n' > "$T/c.yaml"
  write_config "$T/c.yaml" 8080 8081
  run "$HC" supervise --test -c "$T/c.yaml"
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  assert_no_secret "$OUT$ERR" "--test output"
  assert_contains "$OUT" "dingtalk: http://127.0.0.1:8080/robot/send?access_token=*** dtok-s***"
  assert_contains "$OUT" "wecom: WecomK***"
  assert_contains "$OUT" "feishu: http://127.0.0.1:8080/open-apis/bot/v2/hook/Feishu***?src=*** fhook***"
  assert_contains "$OUT" "webhook: http://127.0.0.1:8080/hooks/Webhoo*** http://127.0.0.1:8080/redirect?to=***"
  assert_contains "$OUT" "url: http://localhost:8081/status/500?access_token=***&sign=***"
}

# A robot URL that does not parse is refused at load, without echoing it.
test_bad_robot_url_refused_without_echo() {
  printf 'config:\n  webhook: ["http://127.0.0.1:8080/hooks/WebhookPathTok-112233 x"]\n  feishu: ["http://h:99999/hook/FeishuHookId-445566"]\nc:\n  program: p\n' > "$T/c.yaml"
  run "$HC" supervise --test -c "$T/c.yaml"
  assert_eq 2 "$RC" "exit code ($OUT $ERR)"
  assert_contains "$ERR" "c.yaml:2: config.webhook: URL contains a space or control character"
  assert_contains "$ERR" "c.yaml:3: config.feishu: port out of range in URL"
  assert_no_secret "$OUT$ERR" "output"
}

# The daemon: a failing http check with tokens in its query, notices to the
# robots and the webhook on the mock, and a mail. Its log, what the
# endpoints received, the mail and HC_MESSAGE show the masked forms only.
test_daemon_log_and_notices_mask_secrets() {
  start_mock
  local pf=$T/smtp.port
  start_bg "$PY" "$HC_ROOT/tests/mock/smtpserver.py" --port 0 --port-file "$pf" --mode plain --maildir "$T/mail"
  wait_file "$pf"
  sv_init
  sv_program web "sleep 600" startsecs=1
  sv_start
  hc_config "$T/c.yaml"
  printf '  mail:\n    host: 127.0.0.1\n    port: %s\n    tls: none\n    from: hc@example.com\n    to_list: [ops@example.com]\n' \
    "$(cat "$pf")" >> "$T/c.yaml"
  write_config "$T/c.yaml" "$MOCK_PORT" "$MOCK_PORT"
  sed -i -e 's/^  port: /  host: 127.0.0.1\n  port: /' -e 's/^  action: notify,exec$/  action: notify,exec,email/' "$T/c.yaml"
  HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send HEALTHCHECK_WECOM_URL=$MOCK_URL/cgi-bin/webhook/send \
    HEALTHCHECK_FEISHU_URL=$MOCK_URL/open-apis/bot/v2/hook/ HC_LOG=$T/hc.log hc_start "$T/c.yaml"
  wait_log "$T/hc.log" "notify_sent " 10 6
  wait_log "$T/hc.log" "email_sent " 10
  # A webhook that redirects: not followed, and the Location (a path token
  # here) never printed.
  wait_log "$T/hc.log" "notify_failed .*: webhook http://127.0.0.1:$MOCK_PORT/redirect\\?to=\\*\\*\\*: try 1/3: HTTP 302 redirect not followed$" 10
  wait_file "$T/hc_message"
  hc_stop
  local mail; mail=$("$PY" -c '
import email, email.policy, glob, sys
for f in glob.glob(sys.argv[1] + "/*.eml"):
    m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    print(m["subject"]); print(m.get_content())' "$T/mail")
  assert_contains "$mail" "access_token=***&sign=***" "the mail"
  assert_no_secret "$mail" "the mail"
  local log bodies hp=127.0.0.1:$MOCK_PORT
  log=$(cat "$T/hc.log")
  assert_contains "$log" "GET http://$hp/status/500?access_token=***&sign=***: HTTP 500"
  assert_contains "$log" "notify_sent check=web-check program=web: dingtalk http://$hp/robot/send?access_token=***"
  assert_contains "$log" "notify_sent check=web-check program=web: feishu http://$hp/open-apis/bot/v2/hook/Feishu***?src=***"
  assert_contains "$log" "notify_sent check=web-check program=web: webhook http://$hp/hooks/Webhoo***"
  assert_no_secret "$log" "daemon log"
  assert_contains "$(cat "$T/hc_message")" "access_token=***&sign=***"
  assert_no_secret "$(cat "$T/hc_message")" "HC_MESSAGE"
  # Every robot got its notice (at its real URL), and no body holds a secret.
  bodies=$("$PY" -c '
import json,sys
for l in open(sys.argv[1]):
    r=json.loads(l)
    if r["method"]=="POST": print(r["path"], r["body"])' "$T/requests.jsonl")
  local p
  for p in /robot/send /cgi-bin/webhook/send /open-apis/bot/v2/hook/FeishuHookId-445566 /open-apis/bot/v2/hook/fhook-0002 \
           /hooks/WebhookPathTok-112233; do
    grep -q "^$p " <<<"$bodies" || _fail "no notice posted to $p: $bodies"
  done
  assert_no_secret "$(cut -d' ' -f2- <<<"$bodies")" "notice bodies"
  assert_contains "$bodies" "access_token=***&sign=***" "notice bodies"
  grep -q '"query":{"access_token":"UpperDingTok-778899"}' "$T/requests.jsonl" || _fail "HTTP:// DingTalk URL not used"
}

run_tests
