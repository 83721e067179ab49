# Measurement helpers for the fault-injection suite (tests/shell/faults_*.sh).
# Source after tests/lib.sh.
#
#   measure CMD...        runs CMD under /usr/bin/time: RC, OUT, ERR as run()
#                         does, MS = wall time in ms, RSS_KB = peak RSS (KB)
#   hwm_kb PID            peak RSS (VmHWM, KB) of a running process
#   msg_of TEXT           the result message of a container check line
#                         ("... FAIL: <msg>; state 1, exit 10" -> <msg>),
#                         with loopback ports replaced by PORT
#   record ID FAULT WHAT MS RSS_KB LIMIT
#                         stores one row in $FAULTS_RESULTS (tab-separated,
#                         one line per ID, a rerun replaces it);
#                         tests/faults/report.sh turns the file into the
#                         table in docs/RELIABILITY.md
#
# Results go to $HC_FAULTS_RESULTS, default /tmp/hc-faults-results.tsv, so a
# test run never writes into the source tree.
FAULTS_RESULTS=${HC_FAULTS_RESULTS:-${TMPDIR:-/tmp}/hc-faults-results.tsv}
TIME_BIN=/usr/bin/time
if [ ! -x "$TIME_BIN" ]; then
  echo "FAIL $(basename "$0" .sh): $TIME_BIN is required (apt-get install time)"
  echo FAIL >> "${HC_RESULTS:-/dev/null}"
  exit 1
fi

# Default limits (container mode): the healthy check peaks at about 1.6 MB.
FAULT_RSS_LIMIT_KB=4096

measure() {
  local t0
  t0=$(now_ms)
  "$TIME_BIN" -f '%M' -o "$T/.time" "$@" >"$T/.out" 2>"$T/.err"; RC=$?
  MS=$(( $(now_ms) - t0 ))
  OUT=$(cat "$T/.out"); ERR=$(cat "$T/.err")
  # time(1) writes "Command exited with non-zero status N" before the figures.
  RSS_KB=$(tail -n 1 "$T/.time")
  [[ $RSS_KB =~ ^[0-9]+$ ]] || _fail "no peak RSS from time(1): $(cat "$T/.time")"
}

hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status" 2>/dev/null; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null; }

msg_of() {
  local s=$1
  s=${s#*: pass: }; s=${s#*FAIL: }
  s=${s%%; state *}
  sed -E 's/(127\.0\.0\.1|localhost|\[::1\]):[0-9]{4,}/\1:PORT/g; s/ in [0-9]+ ms/ in N ms/g; s/after [0-9]+ ms/after N ms/g' <<<"$s" | head -n 1
}

record() { # ID FAULT WHAT MS RSS_KB LIMIT
  local id=$1 fault=$2 what=$3 ms=$4 rss=$5 limit=$6 line
  what=${what//$'\t'/ }; what=${what//$'\n'/ }
  line=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s' "$id" "$fault" "$what" "$ms" "$rss" "$limit" "$(date -u +%Y-%m-%dT%H:%MZ)")
  (
    flock -w 5 9 || exit 1
    touch "$FAULTS_RESULTS"
    { awk -F '\t' -v id="$id" '$1 != id' "$FAULTS_RESULTS"; printf '%s\n' "$line"; } > "$FAULTS_RESULTS.tmp"
    mv "$FAULTS_RESULTS.tmp" "$FAULTS_RESULTS"
  ) 9>>"$FAULTS_RESULTS.lock"
  echo "    measured $id: ${ms} ms, ${rss} KB peak RSS"
}
