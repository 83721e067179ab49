# Shared helpers for tests/shell/*.sh. A test file defines functions named
# test_* and ends with `run_tests`. Each test runs in its own subshell with a
# fresh $T (temp folder); servers started with start_bg are killed by PID
# when the test ends, pass or fail.
set -u
HC_ROOT=${HC_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
HC_BIN=${HC_BIN:-$HC_ROOT/build/healthcheck}
HC=$HC_BIN
PY=/usr/bin/python3
MOCK=$HC_ROOT/tests/mock/mockserver.py
export PYTHONDONTWRITEBYTECODE=1

_fail() { echo "    assertion failed: $*" >&2; exit 1; }

assert_eq() { # expected actual [what]
  [ "$1" == "$2" ] || _fail "${3:-value}: expected [$1], got [$2]"
}
assert_ne() { [ "$1" != "$2" ] || _fail "${3:-value}: did not expect [$1]"; }
assert_contains() { # haystack needle [what]
  [[ "$1" == *"$2"* ]] || _fail "${3:-output} does not contain [$2]: [$1]"
}
assert_not_contains() {
  [[ "$1" != *"$2"* ]] || _fail "${3:-output} contains [$2]: [$1]"
}
assert_file_eq() { # file expected-content
  [ -f "$1" ] || _fail "file $1 missing"
  assert_eq "$2" "$(cat "$1")" "content of $1"
}
# Wall-time limits (ms) get HC_TIME_SLACK_MS added: the sanitizer run sets it,
# since an ASan binary starts and exits (leak check) far slower. 0 otherwise.
assert_time_lt() { # ms limit_ms [what]
  assert_lt "$1" "$(( $2 + ${HC_TIME_SLACK_MS:-0} ))" "${3:-elapsed ms}"
}
assert_lt() { # a b [what]  (integers or decimals)
  awk -v a="$1" -v b="$2" 'BEGIN{exit !(a<b)}' || _fail "${3:-value}: expected $1 < $2"
}

# Runs a command, stores exit code in $RC, stdout in $OUT, stderr in $ERR.
run() {
  "$@" >"$T/.out" 2>"$T/.err"; RC=$?
  OUT=$(cat "$T/.out"); ERR=$(cat "$T/.err")
}

# Background process registry; everything registered is killed at test end.
_PIDS=()
start_bg() { "$@" & _PIDS+=($!); }
register_pid() { _PIDS+=("$1"); }
_cleanup() {
  local p
  for p in "${_PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null
  done
  for p in "${_PIDS[@]:-}"; do
    [ -n "$p" ] && wait "$p" 2>/dev/null
  done
  [ -n "${T:-}" ] && rm -rf "$T"
}

# Waits until file $1 exists and is non-empty (max ~5 s).
wait_file() {
  local i
  for i in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.05; done
  _fail "timed out waiting for $1"
}

# Starts the mock HTTP server; sets MOCK_PORT and MOCK_URL. Extra args are
# passed through (e.g. --tls CERT KEY). Records requests to $T/requests.jsonl.
start_mock() {
  local pf="$T/mock.port.$RANDOM"
  start_bg "$PY" "$MOCK" --port 0 --port-file "$pf" --record "$T/requests.jsonl" "$@"
  wait_file "$pf"
  MOCK_PORT=$(cat "$pf")
  MOCK_URL=http://127.0.0.1:$MOCK_PORT
}

# Makes a CA and a server certificate for 127.0.0.1/localhost/::1 in $T/pki.
make_pki() {
  local d=$T/pki
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=hc-test-ca -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=localhost -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' > "$d/ext.cnf"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
    -CAcreateserial -days 2 -extfile "$d/ext.cnf" -out "$d/server.crt" 2>/dev/null
  [ -s "$d/server.crt" ] || _fail "could not make test certificates"
}

# Milliseconds since epoch (for timing assertions).
now_ms() { date +%s%3N; }

run_tests() {
  local file fn name re=${TESTS:-}
  file=$(basename "${BASH_SOURCE[1]}" .sh)
  for fn in $(declare -F | awk '{print $3}' | grep '^test_'); do
    name="$file:$fn"
    [ -n "$re" ] && ! [[ $name =~ $re ]] && continue
    if (
      T=$(mktemp -d /tmp/hc-test.XXXXXX)
      trap _cleanup EXIT
      cd "$T" || exit 1
      set +e
      "$fn"
    ); then
      echo "PASS $name"; echo PASS >> "${HC_RESULTS:-/dev/null}"
    else
      echo "FAIL $name"; echo FAIL >> "${HC_RESULTS:-/dev/null}"
    fi
  done
}
