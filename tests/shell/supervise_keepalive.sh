#!/bin/bash
# Supervise mode, http checks' keepAlive (issue 14.3: a probe a second over a
# new connection costs a TCP handshake and teardown each time): the check
# keeps its connection to a server that keeps it, opens a new one every time
# with keepAlive: false or when the server closes, and a kept connection the
# server dropped as the request arrived is retried on a new one, never a
# failure. The server is tests/mock/keepalive_server.py (HTTP/1.1, logs the
# connection and request number of every request).
. "$(dirname "$0")/../lib.sh"
. "$HC_ROOT/tests/lib_supervisor.sh"

KA_SERVER=$HC_ROOT/tests/mock/keepalive_server.py

# Starts a keepalive_server in MODE; its port in KA_PORT, its log $T/ka-NAME.log.
start_ka() { # NAME MODE
  local pf=$T/ka-$1.port
  start_bg "$PY" "$KA_SERVER" "$pf" "$T/ka-$1.log" "$2"
  wait_file "$pf"
  KA_PORT=$(cat "$pf")
  : >> "$T/ka-$1.log"
}

ka_check() { # NAME PORT [extra YAML lines]
  cat >> "$T/hc.yaml" <<YAML
$1:
  program: app
  host: 127.0.0.1
  port: $2
  path: /$1
  periodSeconds: 1
  failureThreshold: 1
  action: none
${3:-}
YAML
}

# Distinct connections that carried requests for PATH in LOG.
conns_of() { grep -E " path=/$2\$" "$1" | grep -v dropped | cut -d' ' -f1 | sort -u | wc -l; }

sv_app() {
  sv_init
  sv_program app "/bin/sleep 1000"
  sv_start
  hc_config "$T/hc.yaml"
}

# The default keeps one connection for probe after probe; keepAlive: false
# opens one per probe, as the original script did.
test_keepalive_reuses_the_connection() {
  start_ka srv keep
  local port=$KA_PORT
  sv_app
  ka_check kept "$port"
  ka_check fresh "$port" "  keepAlive: false"
  run "$HC" supervise -c "$T/hc.yaml" --test
  assert_eq 0 "$RC" "--test exit code"
  assert_contains "$OUT" "keepAlive: false (a new connection for every probe)"
  hc_start "$T/hc.yaml"
  wait_log "$T/ka-srv.log" " path=/kept$" 20 5
  wait_log "$T/ka-srv.log" " path=/fresh$" 20 5
  hc_stop
  local kept fresh fresh_reqs
  kept=$(conns_of "$T/ka-srv.log" kept)
  fresh=$(conns_of "$T/ka-srv.log" fresh)
  fresh_reqs=$(count_log "$T/ka-srv.log" " path=/fresh$")
  assert_eq 1 "$kept" "connections for the kept check's $(count_log "$T/ka-srv.log" " path=/kept$") requests"
  assert_eq "$fresh_reqs" "$fresh" "connections for keepAlive: false ($fresh_reqs requests)"
  assert_no_log "$HC_LOG" "check_failed|unhealthy|check_error" "daemon log"
}

# Servers that end the connection after a response (saying so or not), or
# drop / reset it when the next request arrives: every probe still passes,
# the dropped requests were sent again on a new connection.
test_keepalive_server_closing_is_not_a_failure() {
  local mode
  sv_app
  for mode in close-header close-silent drop-second reset-second; do
    start_ka "$mode" "$mode"
    ka_check "$mode" "$KA_PORT"
  done
  hc_start "$T/hc.yaml"
  for mode in close-header close-silent drop-second reset-second; do
    wait_log "$T/ka-$mode.log" " path=/$mode$" 20 5
  done
  hc_stop
  assert_no_log "$HC_LOG" "check_failed|unhealthy|check_error" "daemon log"
  for mode in close-header close-silent; do
    # One connection per request: nothing was kept past the server's close.
    assert_eq "$(count_log "$T/ka-$mode.log" " path=/$mode$")" "$(conns_of "$T/ka-$mode.log" "$mode")" \
      "$mode: connections per request"
  done
  for mode in drop-second reset-second; do
    # Each dropped request was a kept connection's; the retry got an answer.
    local dropped
    dropped=$(count_log "$T/ka-$mode.log" " dropped ")
    [ "$dropped" -ge 3 ] || _fail "$mode: expected at least 3 dropped requests, got $dropped"
  done
}

# A failing probe does not keep its connection: the next one starts afresh.
test_keepalive_not_kept_after_a_failure() {
  start_ka srv keep
  local port=$KA_PORT
  sv_app
  ka_check wants-body "$port" "  expectBody: READY"
  hc_start "$T/hc.yaml"
  wait_log "$T/ka-srv.log" " path=/wants-body$" 20 4
  hc_stop
  local reqs
  reqs=$(count_log "$T/ka-srv.log" " path=/wants-body$")
  assert_eq "$reqs" "$(conns_of "$T/ka-srv.log" wants-body)" "connections for $reqs failing probes"
  wait_log "$HC_LOG" "unhealthy check=wants-body .*body does not contain \"READY\"" 1
}

run_tests
