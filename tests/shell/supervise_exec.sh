#!/bin/bash
# type: exec probes (Kubernetes exec probe) against a real supervisord:
# argv without a shell or a shell string, exit 0 passes, the output in the
# log (bounded, control bytes escaped), timeoutSeconds kills the whole
# process group and leaves no zombie, a hung probe never stalls another
# check, and a failing probe drives the usual action (restart).
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

# Zombie children of PID, one pid per line.
zombies_of() { ps -e -o pid=,ppid=,stat= | awk -v p="$1" '$2 == p && $3 ~ /^Z/ {print $1}'; }

# Live (not zombie) members of process group G, waiting up to 2 s for them to go.
group_alive() {
  local i
  for i in $(seq 1 20); do
    ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ {n++} END {exit !n}' || return 1
    sleep 0.1
  done
  return 0
}

# --once: argv runs without a shell (no expansion), a string with /bin/sh -c;
# HC_* values in the environment; exit codes, output escaped and cut at 4 KB.
# (Runs in the supervisord of the test below: one supervisord start, ~5 s on
# a loaded machine, for both.)
exec_once_pass_fail_output() {
  hc_config "$T/once.yaml"
  cat >> "$T/once.yaml" <<YAML
argv-ok:
  program: idle
  type: exec
  command: [printf, '%s|%s|%s', 'a b', '\$HOME', 'x;y']
shell-env:
  program: idle
  type: exec
  command: echo "\$HC_PROGRAM \$HC_CHECK \$HC_TYPE"
fail-esc:
  program: idle
  type: exec
  command: printf 'bad \033[31mred\r\nline2\n\n'; exit 3
big:
  program: idle
  type: exec
  command: head -c 100000 /dev/zero | tr '\000' a; exit 1
missing:
  program: idle
  type: exec
  command: [/nonexistent/probe-bin, x]
YAML
  run "$HC" supervise -c "$T/once.yaml" --test
  assert_eq 0 "$RC" "--test exit: $ERR"
  assert_contains "$OUT" "  type: exec" "--test"
  assert_contains "$OUT" "  command: [printf, %s|%s|%s, a b, \$HOME, x;y] (no shell)" "--test argv"
  assert_contains "$OUT" "  command: echo \"\$HC_PROGRAM \$HC_CHECK \$HC_TYPE\" (/bin/sh -c)" "--test string"
  run "$HC" supervise -c "$T/once.yaml" --once
  assert_eq 1 "$RC" "--once exit ($OUT $ERR)"
  assert_contains "$OUT" "argv-ok idle exec pass: exec printf %s|%s|%s a b \$HOME x;y: exit 0, output: a b|\$HOME|x;y" "argv"
  assert_contains "$OUT" "shell-env idle exec pass: exec echo \"\$HC_PROGRAM \$HC_CHECK \$HC_TYPE\": exit 0, output: idle shell-env exec" "env"
  assert_contains "$OUT" 'fail-esc idle exec fail: ' "fail-esc"
  assert_contains "$OUT" ': exit 3, output: bad \x1b[31mred | line2' "escaped output"
  local big; big=$(grep '^big ' "$T/.out")
  assert_contains "$big" "big idle exec fail: exec head -c 100000" "big"
  assert_contains "$big" ": exit 1, output: aaaa" "big output"
  assert_contains "$big" "a... (cut)" "big cut"
  assert_lt "${#big}" 4400 "length of the big line"
  assert_contains "$OUT" "missing idle exec fail: exec /nonexistent/probe-bin x: exit 127, output: healthcheck: cannot run /nonexistent/probe-bin" "missing"
  # Control bytes never reach the output raw.
  if LC_ALL=C grep -q $'\x1b' "$T/.out"; then _fail "raw ESC in --once output"; fi
  return 0
}

# A probe over timeoutSeconds: failed at the deadline, its whole process
# group (a background grandchild too) killed, no zombie left; meanwhile a
# 1 s exec check keeps its schedule (the loop is not blocked); a failing
# probe drives the restart action through supervisord.
test_exec_probes_end_to_end() {
  sv_init
  sv_program idle "/bin/sleep 1000"
  sv_program web "/bin/sleep 1001"
  sv_start
  exec_once_pass_fail_output
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
hang:
  program: idle
  type: exec
  command: [/bin/sh, -c, 'echo \$\$ >> $T/pgids; echo started; sleep 300 & sleep 301']
  timeoutSeconds: 1
  periodSeconds: 2
  initialDelaySeconds: 0
  failureThreshold: 1000
  action: none
beat:
  program: idle
  type: exec
  command: echo beat; exit 1
  timeoutSeconds: 1
  periodSeconds: 1
  failureThreshold: 1000
  action: none
web:
  program: web
  type: exec
  command: if [ -e $T/web.bad ]; then echo broken; exit 1; fi; echo fine
  timeoutSeconds: 1
  periodSeconds: 1
  initialDelaySeconds: 0
  failureThreshold: 2
  action: restart
YAML
  local webpid; webpid=$(sv_pid web)
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "check_failed check=hang program=idle: exec /bin/sh -c .*: timed out after 1 s \(process group killed\), output: started \(1/1000\)" 8
  local t1; t1=$(grep -m1 "check=hang .*(1/1000)" "$HC_LOG" | cut -d' ' -f1)
  wait_log "$HC_LOG" "check=hang .*timed out after 1 s .*\(2/1000\)" 8
  local t2; t2=$(grep -m1 "check=hang .*(2/1000)" "$HC_LOG" | cut -d' ' -f1)
  # Between the two timeouts (2 s apart), beat ran every second: at least 1.
  local beats; beats=$(awk -v a="$t1" -v b="$t2" '$1 > a && $1 <= b && / check=beat .*output: beat/' "$HC_LOG" | wc -l)
  assert_lt 0 "$beats" "beat probes while hang hung ($t1 .. $t2)"
  # The group of the first timed-out probe is gone (sleep 300 in the
  # background too), and the daemon has no zombie child.
  local first; first=$(head -1 "$T/pgids")
  group_alive "$first" && _fail "process group $first of a timed-out probe has members: $(pgrep -a -g "$first")"
  assert_eq "" "$(zombies_of "$HC_PID")" "zombies of the daemon"
  # A failing probe drives the action.
  touch "$T/web.bad"
  wait_log "$HC_LOG" "unhealthy check=web program=web: exec .*: exit 1, output: broken" 6
  wait_log "$HC_LOG" "action_done check=web program=web: restart: web started" 8
  assert_ne "$webpid" "$(sv_pid web)" "pid of web after the restart"
  rm -f "$T/web.bad"
  wait_log "$HC_LOG" "recovered check=web " 8
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit"
  # SIGTERM leaves no probe behind either.
  local g
  for g in $(cat "$T/pgids"); do
    group_alive "$g" && _fail "process group $g still has members after the daemon stopped: $(pgrep -a -g "$g")"
  done
  return 0
}

# Config errors: type exec needs a command; a bad command value is refused
# with file:line; old configs are untouched (no command key needed).
test_exec_config_errors() {
  cat > "$T/bad.yaml" <<'YAML'
a:
  program: p
  type: exec
b:
  program: p
  type: exec
  command: []
c:
  program: p
  type: exec
  command: {x: 1}
YAML
  run "$HC" supervise -c "$T/bad.yaml" --test
  assert_eq 2 "$RC" "exit"
  assert_contains "$ERR" "bad.yaml:1: a.command: required key missing (type is exec)"
  assert_contains "$ERR" "bad.yaml:7: b.command: expected a command: a list of arguments or a shell command string, got a list"
  assert_contains "$ERR" "bad.yaml:11: c.command: expected a command: a list of arguments or a shell command string, got a mapping"
}

run_tests
