#!/bin/bash
# Supervise mode against a real supervisord: probes fail for real and the
# daemon acts (restart, kill, exec, notify); thresholds, holds, stopped
# programs and group members.
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

# Scenarios 2 + 3: a hung HTTP service is restarted exactly once after
# failureThreshold failures; a service failing fewer periods than its
# threshold is left alone.
test_http_restart_hung_service_and_threshold() {
  sv_init
  local p1 p2; p1=$(free_port); p2=$(free_port)
  sv_program web1 "$PROGS/web.py $p1 $T/web1.flag hang --clear-flag" startsecs=1
  sv_program web2 "$PROGS/web.py $p2 $T/web2.flag 500" startsecs=1
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
web1-http:
  program: web1
  port: $p1
  periodSeconds: 1
  timeoutSeconds: 1
  failureThreshold: 2
  action: restart
web2-http:
  program: web2
  port: $p2
  periodSeconds: 1
  failureThreshold: 3
  action: restart
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "healthy check=web1-http " 5
  wait_log "$HC_LOG" "healthy check=web2-http " 5
  local pid1 start1 pid2
  pid1=$(sv_pid web1); start1=$(sv_info web1 start); pid2=$(sv_pid web2)
  touch "$T/web1.flag" "$T/web2.flag"
  # web2 fails twice, then answers again before the third probe.
  wait_log "$HC_LOG" "check_failed check=web2-http .*HTTP 500 \(2/3\)" 5
  rm -f "$T/web2.flag"
  wait_log "$HC_LOG" "action check=web1-http program=web1: restart: stopping web1" 8
  wait_log "$HC_LOG" "action_done check=web1-http program=web1: restart: web1 started" 8
  wait_log "$HC_LOG" "hold_released check=web1-http " 8
  wait_log "$HC_LOG" "recovered check=web1-http " 5
  local pid1b start1b
  pid1b=$(sv_pid web1); start1b=$(sv_info web1 start)
  assert_ne "$pid1" "$pid1b" "pid of web1 after the restart"
  assert_ne "$start1" "$start1b" "start time of web1 after the restart"
  [ -e "$T/web1.flag" ] && _fail "web1 flag still there"
  sleep 2  # a few more periods: no second restart, web2 untouched
  check_lines "$HC_LOG" web1-http > "$T/web1.log"
  assert_eq 1 "$(count_log "$T/web1.log" " unhealthy ")" "unhealthy lines of web1"
  assert_eq 1 "$(count_log "$T/web1.log" " action ")" "action lines of web1"
  assert_eq 1 "$(count_log "$T/web1.log" " action_done ")" "action_done lines of web1"
  assert_eq 1 "$(count_log "$T/web1.log" "\(1/2\)$")" "first failure of web1"
  assert_eq 1 "$(count_log "$T/web1.log" "\(2/2\)$")" "second failure of web1"
  assert_no_log "$T/web1.log" "action_failed|hold_expired|check_error"
  assert_eq "$pid1b" "$(sv_pid web1)" "pid of web1 a while after the restart"
  assert_eq 2 "$(count_log "$SV_LOG" "spawned: 'web1'")" "web1 spawns"
  check_lines "$HC_LOG" web2-http > "$T/web2.log"
  assert_no_log "$T/web2.log" " (unhealthy|action|action_done) " "web2 log"
  assert_no_log "$T/web2.log" "\(3/3\)" "web2 log"
  assert_eq "$pid2" "$(sv_pid web2)" "pid of web2"
}

# Scenario 4: memory grown for real past maxMem -> restart; a program
# burning a core past maxCpu -> action; an idle program passes cpu and mem.
# (maxCpu 15, not 50: on a loaded 2-core test machine a busy loop may get
# only ~40% of a core.)
test_mem_and_cpu() {
  sv_init
  sv_program hog "$PROGS/memhog.py 120 $T/hog.marker"
  sv_program burn "$PROGS/burn.py"
  sv_program idle "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
hog-mem:
  program: hog
  type: mem
  maxMem: 60
  periodSeconds: 1
  failureThreshold: 2
  action: restart
burn-cpu:
  program: burn
  type: cpu
  maxCpu: 15
  periodSeconds: 1
  failureThreshold: 1
  action: exec
  execCmd: echo "\$HC_MESSAGE" > $T/cpu.out
idle-cpu:
  program: idle
  type: cpu
  maxCpu: 5
  periodSeconds: 1
  failureThreshold: 1
  action: exec
  execCmd: touch $T/idle.out
idle-mem:
  program: idle
  type: mem
  maxMem: 20
  memType: pss
  periodSeconds: 1
  failureThreshold: 1
  action: exec
  execCmd: touch $T/idle.out
YAML
  local hogpid; hogpid=$(sv_pid hog)
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "unhealthy check=hog-mem program=hog: rss [0-9.]+ MB \(limit 60.0 MB\)" 10
  wait_log "$HC_LOG" "action_done check=hog-mem program=hog: restart: hog started" 8
  assert_ne "$hogpid" "$(sv_pid hog)" "pid of hog after the restart"
  wait_log "$HC_LOG" "hold_released check=hog-mem " 5
  wait_log "$HC_LOG" "action_done check=burn-cpu program=burn: exec: exit 0" 8
  wait_file "$T/cpu.out"
  assert_contains "$(cat "$T/cpu.out")" "% of one core (limit 15.0%)" "exec output"
  local pct; pct=$(grep -oE 'cpu [0-9.]+%' "$T/cpu.out" | grep -oE '[0-9.]+')
  assert_lt 15 "$pct" "measured cpu of burn"
  check_lines "$HC_LOG" hog-mem > "$T/hog.log"
  assert_eq 1 "$(count_log "$T/hog.log" " action ")" "restarts of hog"
  wait_log "$HC_LOG" "recovered check=hog-mem " 5
  wait_log "$HC_LOG" "healthy check=idle-cpu " 3
  wait_log "$HC_LOG" "healthy check=idle-mem " 3
  assert_no_log "$HC_LOG" "check=idle-(cpu|mem) .*(check_failed|check_error|action)"
  [ -e "$T/idle.out" ] && _fail "an idle check acted"
  return 0
}

# Scenarios 5, 6, 7, 9 in one supervisord: kill, exec (values travel in
# the environment, never in the command string), EXITED and STOPPED
# programs are failures that get restarted, a group member is restarted.
test_kill_exec_stopped_group() {
  sv_init
  local pk pe pg; pk=$(free_port); pe=$(free_port); pg=$(free_port)
  sv_program killme "$PROGS/web.py $pk $T/killme.flag 500 --clear-flag" autorestart=true startsecs=1
  sv_program execme "$PROGS/web.py $pe $T/execme.flag 500" startsecs=1
  sv_program exits "/bin/sh -c 'if [ -e $T/exits.marker ]; then exec sleep 1000; fi; touch $T/exits.marker; exit 3'" startsecs=0
  sv_program stopme "/bin/sleep 1000"
  sv_program member "$PROGS/web.py $pg $T/member.flag 500 --clear-flag" startsecs=1
  sv_raw "[group:grp]
programs=member"
  sv_start
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
killme-http:
  program: killme
  port: $pk
  periodSeconds: 1
  failureThreshold: 1
  action: kill
execme-http:
  program: execme
  port: $pe
  path: /x\$(touch\${IFS}pwned)\`touch\${IFS}pwned2\`;touch\${IFS}pwned3
  periodSeconds: 1
  failureThreshold: 1
  action: exec
  execCmd: printf '%s %s %s\n' "\$HC_PROGRAM" "\$HC_CHECK" "\$HC_TYPE" > $T/exec.out; printf '%s\n' "\$HC_MESSAGE" >> $T/exec.out; rm -f $T/execme.flag; echo done-\$HC_TYPE
exits-mem:
  program: exits
  type: mem
  periodSeconds: 1
  failureThreshold: 1
  action: restart
stopme-mem:
  program: stopme
  type: mem
  periodSeconds: 1
  failureThreshold: 1
  action: restart
member-http:
  program: grp:member
  port: $pg
  periodSeconds: 1
  failureThreshold: 1
  action: restart
YAML
  run "$HC" supervise --test -c "$T/hc.yaml"
  assert_eq 0 "$RC" "--test of the config (err: $ERR)"
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "healthy check=killme-http " 5
  wait_log "$HC_LOG" "healthy check=execme-http " 5
  wait_log "$HC_LOG" "healthy check=stopme-mem " 5
  wait_log "$HC_LOG" "healthy check=member-http " 5
  local kpid spid mpid
  kpid=$(sv_pid killme); spid=$(sv_pid stopme); mpid=$(sv_pid grp:member)
  [ "$mpid" -gt 0 ] || _fail "no pid for grp:member"
  touch "$T/killme.flag" "$T/execme.flag" "$T/member.flag"
  svctl stop stopme >/dev/null
  # kill: SIGKILL via supervisord, which restarts it (autorestart=true).
  wait_log "$HC_LOG" "action check=killme-http program=killme: kill: SIGKILL" 5
  wait_log "$SV_LOG" "exited: killme \(terminated by SIGKILL" 5
  wait_log "$SV_LOG" "spawned: 'killme'" 5 2
  local i
  for i in $(seq 1 30); do kill -0 "$kpid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$kpid" 2>/dev/null && _fail "killed pid $kpid still alive"
  # exec: output logged, values in the environment.
  wait_log "$HC_LOG" "action check=execme-http program=execme: exec: " 5
  wait_log "$HC_LOG" "action_done check=execme-http program=execme: exec: exit 0, output: done-http" 5
  wait_file "$T/exec.out"
  assert_eq "execme execme-http http" "$(sed -n 1p "$T/exec.out")" "exec line 1"
  assert_contains "$(sed -n 2p "$T/exec.out")" ": HTTP 500" "exec HC_MESSAGE"
  assert_contains "$(sed -n 2p "$T/exec.out")" "localhost:$pe" "exec HC_MESSAGE"
  assert_contains "$(sed -n 2p "$T/exec.out")" "touch" "exec HC_MESSAGE (URL path)"
  local f
  for f in pwned pwned2 pwned3; do [ -e "$T/$f" ] && _fail "the message ran as shell code ($f)"; done
  # EXITED (autorestart=false) -> failure -> restart.
  wait_log "$HC_LOG" "check_failed check=exits-mem program=exits: program is EXITED" 5
  wait_log "$HC_LOG" "action_done check=exits-mem program=exits: restart: exits started" 8
  sv_wait_state exits RUNNING 5
  # STOPPED -> failure -> restart.
  wait_log "$HC_LOG" "check_failed check=stopme-mem program=stopme: program is STOPPED" 5
  wait_log "$HC_LOG" "action_done check=stopme-mem program=stopme: restart: stopme started" 8
  sv_wait_state stopme RUNNING 5
  assert_ne "$spid" "$(sv_pid stopme)" "pid of stopme"
  # Group member: restarted by its full name.
  wait_log "$HC_LOG" "action_done check=member-http program=grp:member: restart: grp:member started" 8
  assert_ne "$mpid" "$(sv_pid grp:member)" "pid of grp:member"
  wait_log "$HC_LOG" "hold_released check=member-http " 5
  wait_log "$HC_LOG" "recovered check=member-http " 5
  wait_log "$HC_LOG" "recovered check=killme-http " 8
  wait_log "$HC_LOG" "recovered check=stopme-mem " 3
  wait_log "$HC_LOG" "recovered check=exits-mem " 3
  assert_no_log "$HC_LOG" "action_failed|check_error"
}

# sendResolved: the failure notice and the resolved notice both reach the
# webhook, also when the recovery came from our own restart.
test_notify_failed_and_resolved_after_restart() {
  start_mock
  sv_init
  local p; p=$(free_port)
  sv_program web "$PROGS/web.py $p $T/web.flag 500 --clear-flag" startsecs=1
  sv_start
  cat > "$T/hc.yaml" <<YAML
config:
  supervisordUrl: unix://$SV_SOCK
  webhook: $MOCK_URL/webhook
web-http:
  program: web
  port: $p
  periodSeconds: 1
  failureThreshold: 1
  action: restart,notify
  sendResolved: true
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "healthy check=web-http " 5
  touch "$T/web.flag"
  wait_log "$HC_LOG" "action_done check=web-http " 8
  wait_log "$HC_LOG" "hold_released check=web-http " 5
  wait_log "$T/requests.jsonl" '"path":"/webhook".*"state\\":\\"failed' 5
  wait_log "$T/requests.jsonl" '"path":"/webhook".*"state\\":\\"resolved' 6
  wait_log "$HC_LOG" "recovered check=web-http " 1
  sleep 1
  assert_eq 2 "$(count_log "$T/requests.jsonl" '"path":"/webhook"')" "webhook notices"
}

# Issue 11.13: a pid from pidGet file/name is used (measured, killed) only
# when it is the program's: supervisord's pid for it or a descendant. A
# stale pid file naming an unrelated `sleep` is reported, never killed
# (before: the mem probe measured it and the kill hit it); a pid file
# naming a child of the program still gets it killed.
test_pid_file_of_another_process_is_never_killed() {
  sv_init
  local p; p=$(free_port)
  sv_program web "$PROGS/web.py $p $T/web.flag 500" startsecs=1
  sv_program family "/bin/sh -c 'sleep 1000 & echo \$! > $T/child.pid; wait'"
  sv_start
  start_bg sleep 1001; local u1=$!
  start_bg sleep 1002; local u2=$!
  echo "$u1" > "$T/u1.pid"
  echo "$u2" > "$T/u2.pid"
  wait_file "$T/child.pid"
  local child wpid fpid; child=$(cat "$T/child.pid"); wpid=$(sv_pid web); fpid=$(sv_pid family)
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
stranger-mem:
  program: web
  type: mem
  maxMem: 0.001
  pidGet: file
  pidFile: $T/u1.pid
  periodSeconds: 1
  failureThreshold: 1
  action: kill
stranger-http:
  program: web
  port: $p
  pidGet: file
  pidFile: $T/u2.pid
  periodSeconds: 1
  failureThreshold: 1
  action: kill
child-mem:
  program: family
  type: mem
  maxMem: 0.001
  pidGet: file
  pidFile: $T/child.pid
  periodSeconds: 1
  failureThreshold: 1
  action: kill
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "healthy check=stranger-http " 5
  touch "$T/web.flag"
  # The legitimate kill: the child of the program's shell.
  wait_log "$HC_LOG" "action check=child-mem program=family: kill: SIGKILL sent to pid $child\$" 5
  local i
  for i in $(seq 1 30); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$child" 2>/dev/null && _fail "the program's child $child was not killed"
  wait_log "$HC_LOG" "unhealthy check=stranger-http program=web: GET .*: HTTP 500" 5
  sleep 1.5  # a probe and an action period more for the strangers
  kill -0 "$u1" 2>/dev/null || _fail "the unrelated sleep $u1 (stranger-mem's pid file) was killed"
  kill -0 "$u2" 2>/dev/null || _fail "the unrelated sleep $u2 (stranger-http's pid file) was killed"
  assert_eq "$wpid" "$(sv_pid web)" "pid of web"
  wait_log "$HC_LOG" "check_error check=stranger-mem program=web: refused pid $u1 \(pid file $T/u1.pid\): it is neither web's pid $wpid \(per supervisord\) nor one of its descendants" 1
  wait_log "$HC_LOG" "action_failed check=stranger-http program=web: kill: refused pid $u2 \(pid file $T/u2.pid\): it is neither web's pid $wpid \(per supervisord\) nor one of its descendants" 1
  assert_no_log "$HC_LOG" "check=stranger-.* (SIGKILL sent|unhealthy.*rss)"
  hc_stop
}

# Issue 11.13: neither supervisord nor the daemon itself is ever killed,
# whatever a pid file says.
test_kill_never_hits_supervisord_or_the_daemon() {
  sv_init
  local p; p=$(free_port)
  sv_program web "$PROGS/web.py $p $T/web.flag 500" startsecs=1
  sv_start
  local svpid wpid; svpid=$(svctl pid); wpid=$(sv_pid web)
  [ "$svpid" -gt 1 ] || _fail "no supervisord pid"
  hc_config "$T/hc.yaml"
  local w
  for w in self sv; do cat >> "$T/hc.yaml" <<YAML
$w-http:
  program: web
  port: $p
  pidGet: file
  pidFile: $T/$w.pid
  periodSeconds: 1
  failureThreshold: 1
  action: kill
YAML
  done
  hc_start "$T/hc.yaml"
  echo "$HC_PID" > "$T/self.pid"
  echo "$svpid" > "$T/sv.pid"
  wait_log "$HC_LOG" "healthy check=sv-http " 5
  touch "$T/web.flag"
  wait_log "$HC_LOG" "unhealthy check=sv-http " 5
  wait_log "$HC_LOG" "unhealthy check=self-http " 5
  sleep 1
  kill -0 "$svpid" 2>/dev/null || _fail "supervisord ($svpid) was killed"
  kill -0 "$HC_PID" 2>/dev/null || _fail "the daemon ($HC_PID) killed itself"
  assert_eq "$wpid" "$(sv_pid web)" "pid of web"
  wait_log "$HC_LOG" "action_failed check=self-http program=web: kill: refused pid $HC_PID \(pid file $T/self.pid\): it is this healthcheck process" 1
  wait_log "$HC_LOG" "action_failed check=sv-http program=web: kill: refused pid $svpid \(pid file $T/sv.pid\): it is supervisord" 1
  hc_stop
  assert_eq 0 "$HC_RC" "daemon exit code"
}

# Issue 11.13, pidGet name: a process whose argv[0] is the program's name
# but that supervisord did not start is not the program's; and with the
# program stopped (no pid from supervisord) a name that matches
# supervisord's own command line never gets supervisord killed.
test_name_lookup_only_finds_the_program() {
  sv_init
  local name=nm-$RANDOM$RANDOM tname; tname=$(basename "$T")
  sv_program "$name" "/bin/sleep 1000"
  sv_program "$tname" "/bin/sleep 1000" autostart=false
  sv_start
  start_bg bash -c "exec -a $name sleep 1003"; local u=$!
  local svpid ppid; svpid=$(svctl pid); ppid=$(sv_pid "$name")
  for i in $(seq 1 20); do [ "$(tr '\0' ' ' < /proc/$u/cmdline)" = "$name 1003 " ] && break; sleep 0.05; done
  hc_config "$T/hc.yaml"
  cat >> "$T/hc.yaml" <<YAML
name-mem:
  program: $name
  type: mem
  maxMem: 0.001
  pidGet: name
  periodSeconds: 1
  failureThreshold: 1
  action: kill
stopped-mem:
  program: $tname
  type: mem
  pidGet: name
  periodSeconds: 1
  failureThreshold: 1
  action: kill
YAML
  hc_start "$T/hc.yaml"
  wait_log "$HC_LOG" "check_error check=name-mem program=$name: refused every process matching \"$name\" \(pid $u: it is neither $name's pid $ppid \(per supervisord\) nor one of its descendants\)" 5
  wait_log "$HC_LOG" "action_failed check=stopped-mem program=$tname: kill: refused every process matching \"$tname\" \(pid $svpid: it is supervisord" 5
  sleep 1
  kill -0 "$u" 2>/dev/null || _fail "the unrelated process $u named $name was killed"
  kill -0 "$svpid" 2>/dev/null || _fail "supervisord ($svpid) was killed"
  assert_eq "$ppid" "$(sv_pid "$name")" "pid of $name"
  hc_stop
}

run_tests
