#!/bin/bash
# Supervise mode: --test (resolved checks, every bad_*.yaml fixture, typo
# warning), --once against a real supervisord, and the command line.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

CONFIGS=$HC_ROOT/tests/data/configs

test_test_seed_example() {
  run "$HC" supervise --test -c "$CONFIGS/seed_example.yaml"
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  assert_contains "$OUT" "checks: 5"
  local c
  for c in cat1 cat2 cat3 cat4 cat5; do assert_contains "$OUT" "$c: (line"; done
  # Defaults and resolved values.
  assert_contains "$OUT" "supervisordUrl: http://localhost:9001/RPC2"
  assert_contains "$OUT" "maxMem: 1024 MB"
  assert_contains "$OUT" "memType: rss"
  assert_contains "$OUT" "maxCpu: 90 %"
  assert_contains "$OUT" "url: http://localhost:80/"
  assert_contains "$OUT" "successThreshold: 14400"
  assert_contains "$OUT" "mincontinueRun: 28800"
  assert_contains "$OUT" "execCmd: echo '123456'"
  assert_contains "$OUT" "action: restart,email"
  assert_contains "$OUT" "sendResolved: false"
  assert_contains "$OUT" "port: 465"
  # Secrets: the mail pass and the http password are masked.
  assert_not_contains "$OUT" "pass: 123456"
  assert_not_contains "$OUT" "password: pass"
  assert_contains "$OUT" "password: ***"
  [ "$(grep -c '^  periodSeconds: 5$' "$T/.out")" = 5 ] || _fail "periodSeconds 5 not in all 5 checks"
  # A minimal config gets every default filled in.
  printf 'c1:\n  program: p1\n' > "$T/min.yaml"
  run "$HC" supervise --test -c "$T/min.yaml"
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  assert_contains "$OUT" "supervisordUrl: unix:///var/run/supervisor.sock"
  assert_contains "$OUT" "type: http"
  assert_contains "$OUT" "url: http://localhost:80/"
  assert_contains "$OUT" "mode: GET"
  assert_contains "$OUT" "timeoutSeconds: 3"
  assert_contains "$OUT" "periodSeconds: 5"
  assert_contains "$OUT" "initialDelaySeconds: 1"
  assert_contains "$OUT" "failureThreshold: 3"
  assert_contains "$OUT" "successThreshold: 1"
  assert_contains "$OUT" "action: restart,email"
}

test_test_seed_gateway() {
  run "$HC" supervise --test -c "$CONFIGS/seed_gateway.yaml"
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  assert_contains "$OUT" "checks: 3"
  assert_contains "$OUT" "execCmd: sh /capaa/gateway/tools/bypass_new.sh 1"
}

test_bad_configs_exit_2_with_message() {
  local f expect n=0
  for f in "$CONFIGS"/bad_*.yaml; do
    expect=$(head -n1 "$f" | sed 's/^# expect: //')
    expect=${expect//<path>/$f}
    run "$HC" supervise --test -c "$f"
    assert_eq 2 "$RC" "exit code of --test on $f"
    assert_contains "$ERR" "$expect" "stderr of $f"
    assert_eq "" "$OUT" "stdout of $f"
    # The daemon itself refuses it the same way.
    run timeout 5 "$HC" supervise -c "$f"
    assert_eq 2 "$RC" "exit code of the daemon on $f"
    assert_contains "$ERR" "$expect" "daemon stderr of $f"
    n=$((n + 1))
  done
  [ "$n" -ge 12 ] || _fail "only $n bad_*.yaml fixtures found"
}

test_typo_warning() {
  local f=$CONFIGS/typo_warning.yaml
  run "$HC" supervise --test -c "$f"
  assert_eq 0 "$RC" "exit code (stderr: $ERR)"
  assert_contains "$OUT$ERR" "$f:5: cat1.failureThreshhold: unknown key (ignored), did you mean failureThreshold?"
  # The check itself keeps the default threshold.
  assert_contains "$OUT" "failureThreshold: 3"
}

test_missing_config_and_usage() {
  run "$HC" supervise --test -c "$T/nope.yaml"
  assert_eq 2 "$RC" "exit code"
  assert_contains "$ERR" "$T/nope.yaml"
  run "$HC" supervise --bogus
  assert_eq 2 "$RC" "exit code of an unknown option"
  assert_contains "$ERR" "usage:"
  run "$HC" supervise --log-format xml -c "$CONFIGS/seed_example.yaml"
  assert_eq 2 "$RC" "exit code of a bad --log-format"
}

# --debug is documented in the usage text; it must be accepted.
test_debug_option_accepted() {
  run "$HC" supervise --debug --test -c "$CONFIGS/seed_example.yaml"
  assert_eq 0 "$RC" "exit code of --debug --test (stderr: $ERR)"
}

test_once_pass_and_fail() {
  sv_init
  local port; port=$(free_port)
  sv_program web "$PROGS/web.py $port $T/web.flag 500" startsecs=1
  sv_program idle "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
web-http:
  program: web
  port: $port
  action: none
web-tcp:
  program: web
  type: tcp
  host: 127.0.0.1
  port: $port
  action: none
idle-mem:
  program: idle
  type: mem
  maxMem: 100
  action: none
idle-cpu:
  program: idle
  type: cpu
  maxCpu: 50
  action: none
YAML
  run "$HC" supervise --once -c "$T/hc.yaml"
  assert_eq 0 "$RC" "--once exit code with all passing (out: $OUT err: $ERR)"
  assert_eq 4 "$(printf '%s\n' "$OUT" | grep -c .)" "number of --once lines"
  assert_contains "$OUT" "web-http web http pass: GET http://localhost:$port/: HTTP 200"
  assert_contains "$OUT" "web-tcp web tcp pass"
  assert_contains "$OUT" "idle-mem idle mem pass"
  assert_contains "$OUT" "idle-cpu idle cpu pass"
  # One failing check: exit 1, the others still pass, nothing is restarted.
  local pid; pid=$(sv_pid web)
  touch "$T/web.flag"
  run "$HC" supervise --once -c "$T/hc.yaml"
  assert_eq 1 "$RC" "--once exit code with a failing check (out: $OUT)"
  assert_contains "$OUT" "web-http web http fail: GET http://localhost:$port/: HTTP 500"
  assert_contains "$OUT" "web-tcp web tcp pass"
  assert_eq "$pid" "$(sv_pid web)" "pid of web after --once"
  # A stopped program is a failure too.
  svctl stop idle >/dev/null
  rm -f "$T/web.flag"
  run "$HC" supervise --once -c "$T/hc.yaml"
  assert_eq 1 "$RC" "--once exit code with a stopped program (out: $OUT)"
  assert_contains "$OUT" "idle-mem idle mem fail: program is STOPPED"
  assert_contains "$OUT" "web-http web http pass"
  # supervisord unreachable: error, exit 1.
  sv_stop
  run "$HC" supervise --once -c "$T/hc.yaml"
  assert_eq 1 "$RC" "--once exit code without supervisord (out: $OUT)"
  assert_contains "$OUT" "web-http web http error"
}

# Issue 11.5: a world-readable config that holds any kind of secret gets a
# warning naming the file, the mode, the key (never the value) and
# `chmod 600`, under `warnings:` in --test output and in the daemon's log at
# start; a 0600 file, or one without secrets, gets none.
test_world_readable_warning_every_secret() {
  local s="Sec-$RANDOM$RANDOM-x" f=$T/c.yaml key yaml check='c1:\n  program: p\n  action: none\n' n=0
  local mail="  mail: {host: 127.0.0.1, port: 465, user: me@x, to_list: [a@x]"
  while IFS='|' read -r key yaml; do
    [ -n "$key" ] || continue
    n=$((n + 1))
    printf "$yaml\n" "$s" > "$f"
    [[ $yaml == *'c1:'* ]] || printf "$check" >> "$f"
    chmod 644 "$f"
    run "$HC" supervise --test -c "$f"
    assert_eq 0 "$RC" "--test exit code for $key (err: $ERR)"
    local w; w=$(sed -n '/^warnings:$/,$p' "$T/.out")
    assert_contains "$w" "  $f: holds secrets (" "warnings: section for $key"
    assert_contains "$w" "$key" "warnings: section for $key"
    assert_contains "$w" "is readable by all users (mode 0644): chmod 600 $f" "warnings: section for $key"
    assert_not_contains "$OUT$ERR" "$s" "--test output for $key"
    chmod 600 "$f"
    run "$HC" supervise --test -c "$f"
    assert_not_contains "$OUT$ERR" "holds secrets" "--test of a 0600 file ($key)"
  done <<CASES
config.supervisordPass|config:\n  supervisordPass: %s
config.supervisordUrl|config:\n  supervisordUrl: http://svuser:%s@127.0.0.1:9001/RPC2
config.mail.pass|config:\n$mail, pass: %s}
config.dingtalk|config:\n  dingtalk: %s
config.dingtalk|config:\n  dingtalk: 'dingtok:%s'
config.dingtalk|config:\n  dingtalk: https://oapi.dingtalk.com/robot/send?access_token=%s
config.wecom|config:\n  wecom: %s
config.feishu|config:\n  feishu: https://open.feishu.cn/open-apis/bot/v2/hook/%s
config.webhook|config:\n  webhook: http://127.0.0.1:9/hook/%s
c1.password|c1:\n  program: p\n  action: none\n  username: u\n  password: %s
c1.headers.Authorization|c1:\n  program: p\n  action: none\n  headers: {Authorization: 'Bearer %s'}
c1.headers.X-Api-Token|c1:\n  program: p\n  action: none\n  headers: '{"X-Api-Token": "%s"}'
CASES
  [ "$n" -eq 12 ] || _fail "only $n cases ran"
  # No secret: no warning, whatever the mode.
  printf "config:\n  supervisordUser: u\n$mail}\n$check" > "$f"
  chmod 644 "$f"
  run "$HC" supervise --test -c "$f"
  assert_eq 0 "$RC" "--test exit code (err: $ERR)"
  assert_not_contains "$OUT$ERR" "holds secrets" "--test of a file without secrets"
  # Several: all named, in one line; the daemon logs it at start (no
  # supervisord needed) and --once on stderr.
  printf "config:\n  supervisordUrl: unix://$T/none.sock\n  supervisordPass: %s\n  webhook: http://127.0.0.1:9/h?t=%s\n$check  password: %s\n" "$s" "$s" "$s" > "$f"
  chmod 604 "$f"
  run "$HC" supervise --test -c "$f"
  assert_contains "$OUT" "  $f: holds secrets (config.supervisordPass, config.webhook, c1.password) and is readable by all users (mode 0604): chmod 600 $f"
  run "$HC" supervise --once -c "$f"
  assert_contains "$ERR" "warn config: $f: holds secrets (config.supervisordPass, config.webhook, c1.password) and is readable by all users (mode 0604): chmod 600 $f"
  assert_not_contains "$OUT$ERR" "$s" "--once output"
  hc_start "$f"
  wait_log "$HC_LOG" "warn config: $f: holds secrets \(config.supervisordPass, config.webhook, c1.password\) and is readable by all users \(mode 0604\): chmod 600 $f" 3
  wait_log "$HC_LOG" "config: loaded $f" 3
  hc_stop
  assert_no_log "$HC_LOG" "$s" "daemon log"
}

# Issue 11.11: ~1 KB "billion laughs" files (nested merge keys, nested
# aliases) are refused with exit 2 and the file:line of the alias that
# crosses the expanded-size cap, at once. Before the cap the merge file ran
# for hours (56 merges of 530 bytes took 2 s): `timeout 10` bounds that.
test_yaml_bombs_refused_fast() {
  local f line t0 ms mode
  for f in "$CONFIGS/bad_merge_bomb.yaml" "$CONFIGS/bad_alias_bomb.yaml"; do
    [ "$(wc -c < "$f")" -lt 1024 ] || _fail "$f is not under 1 KB"
    line=$(head -n1 "$f" | sed 's/^# expect: <path>//')
    for mode in --test ""; do
      t0=$(now_ms)
      run timeout 10 "$HC" supervise $mode -c "$f"
      ms=$(( $(now_ms) - t0 ))
      echo "    $(basename "$f") ${mode:-daemon}: exit $RC in $ms ms"
      assert_eq 2 "$RC" "exit code of ${mode:-the daemon} on $f (124 = still running after 10 s)"
      assert_contains "$ERR" "$f$line" "stderr"
      assert_contains "$ERR" "billion laughs" "stderr"
      assert_time_lt "$ms" 1000 "ms to refuse $f (the issue asks < 100 ms; 1 s is the margin)"
    done
  done
  # A SIGHUP reload of such a file is refused the same way, and quickly:
  # the daemon keeps its checks and answers SIGTERM at once.
  printf 'c1:\n  program: p\n  action: none\n' > "$T/hc.yaml"
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "config: loaded $T/hc.yaml: 1 checks" 3
  cp "$CONFIGS/bad_merge_bomb.yaml" "$T/hc.yaml"
  kill -HUP "$HC_PID"
  wait_log "$HC_LOG" "config invalid, keeping the running one: $T/hc.yaml:17: YAML error: alias \*l4 expands" 2
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit code"
}

run_tests
