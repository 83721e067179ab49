# Helpers for the supervise-mode end-to-end tests (tests/shell/supervise_*.sh):
# a private supervisord per test in $T/sv, the daemon under test in the
# background, and bounded waits on log files. Source after lib.sh.
#
#   sv_init [inet]            new config in $T/sv (inet: also an HTTP port with
#                             auth: sets SV_HTTP_PORT, SV_USER, SV_PASS)
#   sv_program NAME CMD [key=value ...]   add a [program:NAME] (defaults:
#                             autostart, autorestart=false, startsecs=0 (give
#                             startsecs=1 to servers: RUNNING = listening),
#                             stopwaitsecs=2, stdout to $T/sv/NAME.log)
#   sv_raw TEXT               append raw config text (groups)
#   sv_start                  start supervisord, wait until it answers and all
#                             autostart programs are RUNNING (or settled)
#   sv_stop                   SIGTERM supervisord by pid, wait (bounded)
#   svctl ARGS...             supervisorctl with this config
#   sv_pid NAME / sv_state NAME / sv_info NAME FIELD (getProcessInfo)
#   sv_wait_state NAME STATE SECS
#   hc_config FILE            writes a daemon config header (config: section
#                             with the unix socket) to FILE; append checks
#   hc_start CONFIG [ARGS...] start `healthcheck supervise` (log: $HC_LOG)
#   hc_stop                   SIGTERM the daemon, wait (bounded); sets HC_RC
#   wait_log FILE REGEX SECS [COUNT]   poll every 0.1 s until REGEX matched
#                             COUNT (default 1) lines; fails with the log tail
#   count_log FILE REGEX      number of matching lines
#   free_port                 a free loopback TCP port
PROGS=$HC_ROOT/tests/programs
SUPERVISORD=/usr/bin/supervisord
SUPERVISORCTL=/usr/bin/supervisorctl

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

sv_init() {
  SV_DIR=$T/sv
  SV_CONF=$SV_DIR/supervisord.conf
  SV_SOCK=$SV_DIR/sv.sock
  SV_LOG=$SV_DIR/supervisord.log
  SV_PID=
  mkdir -p "$SV_DIR"
  cat > "$SV_CONF" <<CONF
[unix_http_server]
file=$SV_SOCK

[supervisord]
logfile=$SV_LOG
pidfile=$SV_DIR/supervisord.pid
childlogdir=$SV_DIR
loglevel=info

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$SV_SOCK
CONF
  if [ "${1:-}" = inet ]; then
    SV_HTTP_PORT=$(free_port)
    SV_USER=svuser
    SV_PASS=Sv-pass-$RANDOM$RANDOM
    cat >> "$SV_CONF" <<CONF

[inet_http_server]
port=127.0.0.1:$SV_HTTP_PORT
username=$SV_USER
password=$SV_PASS
CONF
  fi
}

sv_program() { # NAME CMD [key=value ...]
  local name=$1 cmd=$2; shift 2
  {
    echo
    echo "[program:$name]"
    echo "command=$cmd"
    echo "directory=$T"
    local k seen=" "
    for k in "$@"; do echo "$k"; seen+="${k%%=*} "; done
    [[ $seen == *" autorestart "* ]] || echo "autorestart=false"
    [[ $seen == *" startsecs "* ]] || echo "startsecs=0"
    [[ $seen == *" stopwaitsecs "* ]] || echo "stopwaitsecs=2"
    [[ $seen == *" startretries "* ]] || echo "startretries=0"
    echo "redirect_stderr=true"
    echo "stdout_logfile=$SV_DIR/$name.log"
  } >> "$SV_CONF"
}

# The usual set-up around tests/programs/web.py: supervisord with a program
# "web" serving on a free port (WEB_PORT) that misbehaves as MODE (hang|500)
# while $T/web.flag exists; started, and $T/hc.yaml begun (hc_config).
sv_web() { # MODE [web.py options, e.g. --clear-flag]
  sv_init
  WEB_PORT=$(free_port)
  sv_program web "$PROGS/web.py $WEB_PORT $T/web.flag $*" startsecs=1
  sv_start
  hc_config "$T/hc.yaml"
}

sv_raw() { printf '\n%s\n' "$1" >> "$SV_CONF"; }

svctl() { "$SUPERVISORCTL" -c "$SV_CONF" "$@"; }

sv_start() {
  start_bg "$PY" "$SUPERVISORD" -n -c "$SV_CONF" >> "$SV_DIR/supervisord.out" 2>&1
  SV_PID=$!
  local i
  for i in $(seq 1 150); do
    if [ -S "$SV_SOCK" ] && svctl pid >/dev/null 2>&1; then break; fi
    kill -0 "$SV_PID" 2>/dev/null || { tail -20 "$SV_LOG" >&2; _fail "supervisord died"; }
    sleep 0.1
  done
  [ "$i" -lt 150 ] || { tail -20 "$SV_LOG" >&2; _fail "supervisord did not answer"; }
  # Wait until no program is STARTING any more (startsecs).
  for i in $(seq 1 100); do
    svctl status 2>/dev/null | grep -q STARTING || return 0
    sleep 0.1
  done
  svctl status >&2
  _fail "programs still STARTING"
}

sv_stop() {
  [ -n "${SV_PID:-}" ] || return 0
  kill "$SV_PID" 2>/dev/null
  local i
  for i in $(seq 1 150); do
    kill -0 "$SV_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$SV_PID" 2>/dev/null && _fail "supervisord $SV_PID did not stop"
  wait "$SV_PID" 2>/dev/null
  SV_PID=
}

# supervisorctl itself can fail on a loaded machine (it printed nothing once
# in a clean-clone run); a few tries tell that from a real answer.
sv_pid() {
  local out="" i
  for i in 1 2 3; do
    out=$(svctl pid "$1" 2>/dev/null) && [ -n "$out" ] && break
    sleep 0.3
  done
  printf '%s\n' "$out"
}

sv_state() { svctl status "$1" 2>/dev/null | awk '{print $2}'; }

# getProcessInfo(NAME)[FIELD] through the unix socket.
sv_info() {
  "$PY" - "$SV_SOCK" "$1" "$2" <<'PY'
import sys, xmlrpc.client
from supervisor.xmlrpc import SupervisorTransport
sock, name, field = sys.argv[1:4]
p = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=SupervisorTransport(None, None, "unix://" + sock))
print(p.supervisor.getProcessInfo(name)[field])
PY
}

sv_wait_state() { # NAME STATE SECS
  local i n=$(( ${3:-10} * 10 ))
  for i in $(seq 1 "$n"); do
    [ "$(sv_state "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  svctl status >&2
  _fail "$1 not $2 after ${3:-10} s"
}

hc_config() { # FILE
  cat > "$1" <<CONF
config:
  supervisordUrl: unix://$SV_SOCK
CONF
}

hc_start() { # CONFIG [ARGS...]
  local cfg=$1; shift
  HC_LOG=${HC_LOG:-$T/hc.log}
  start_bg "$HC" supervise -c "$cfg" "$@" >> "$HC_LOG" 2>&1
  HC_PID=$!
}

hc_stop() {
  kill -TERM "$HC_PID" 2>/dev/null
  local i
  for i in $(seq 1 100); do
    kill -0 "$HC_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$HC_PID" 2>/dev/null && { tail -20 "$HC_LOG" >&2; _fail "daemon $HC_PID did not stop within 5 s"; }
  wait "$HC_PID"; HC_RC=$?
}

count_log() { # FILE REGEX
  local n
  n=$(grep -cE -- "$2" "$1" 2>/dev/null) || true
  echo "${n:-0}"
}

wait_log() { # FILE REGEX SECS [COUNT]
  local i n=$(( $3 * 10 )) want=${4:-1}
  for i in $(seq 1 "$n"); do
    [ "$(count_log "$1" "$2")" -ge "$want" ] && return 0
    sleep 0.1
  done
  echo "    --- last lines of $1:" >&2
  tail -25 "$1" >&2
  _fail "timed out after $3 s waiting for $want line(s) matching /$2/ in $1"
}

# Fails when REGEX matches any line of FILE.
assert_no_log() { # FILE REGEX [what]
  if grep -qE -- "$2" "$1"; then
    grep -E -- "$2" "$1" | head -5 >&2
    _fail "${3:-log} has lines matching /$2/"
  fi
}

# The daemon log lines of one check (text format).
check_lines() { grep -E " check=$2 " "$1"; }
