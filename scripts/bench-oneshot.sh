#!/bin/bash
# One-shot benchmark: one container-mode check (`healthcheck -n bench -u URL -f
# STATEFILE`, steady-state pass) against `curl` and `busybox wget` fetching the
# same small file from a private nginx on 127.0.0.1. Measures wall time
# (hyperfine, no shell), peak RSS (GNU time, median of 5) and binary size, and
# writes the results between the oneshot markers of docs/BENCHMARKS.md.
#
# Usage (from the repo root): scripts/bench-oneshot.sh
#   HC_BIN=path      binary to measure (default build/healthcheck)
#   HC_ALT_BIN=path  a second build measured beside it (HC_ALT_LABEL names it).
#                    Default: the other toolchain's build: build/healthcheck-native
#                    (static glibc) when HC_BIN is the musl build `make` gives,
#                    else build/healthcheck-x86_64-musl (make static-musl)
#   RUNS=300 WARMUP=20   hyperfine settings
#   BENCH_OUT=docs/BENCHMARKS.md   file to update ("-" = print only)
#   BENCH_JSON=path  also keep hyperfine's JSON export there
#   BENCH_WAIT_IDLE=SECONDS  first wait (up to that long) for the 1-minute load
#                    average to drop below nproc/2; other builds skew the figures
# Needs: nginx-light hyperfine curl busybox-static time openssl (scripts/install-deps.sh bench).
# Only loopback traffic; stops the nginx it started on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

HC=${HC_BIN:-build/healthcheck}
RUNS=${RUNS:-300}
WARMUP=${WARMUP:-20}
OUT=${BENCH_OUT:-docs/BENCHMARKS.md}
PY=/usr/bin/python3

need_pkgs="nginx-light hyperfine curl busybox-static time openssl"
missing=""
for p in $need_pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "bench: missing packages:$missing (run scripts/install-deps.sh bench)" >&2
  exit 1
fi
[ -x "$HC" ] || { echo "bench: $HC not found; run 'make' first (or set HC_BIN)" >&2; exit 1; }
HC=$(readlink -f "$HC")
ALT=${HC_ALT_BIN:-} ALT_LABEL=${HC_ALT_LABEL:-alt} HC_LABEL=default
if [ -z "$ALT" ]; then
  if cmp -s "$HC" build/healthcheck-x86_64-musl; then
    ALT=build/healthcheck-native ALT_LABEL=glibc HC_LABEL=musl
  else
    ALT=build/healthcheck-x86_64-musl ALT_LABEL=musl
  fi
fi
if [ -x "$ALT" ]; then ALT=$(readlink -f "$ALT"); else ALT=""; fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
CURL=$(command -v curl)
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || BUSYBOX=$(command -v busybox)

TMP=$(mktemp -d /tmp/hc-bench.XXXXXX)
chmod 755 "$TMP"   # nginx workers may run as another user
# Our binaries are measured as installed copies (what `COPY` or `cp` gives):
# the page cache holds a copied file in large folios, and the kernel maps a
# whole folio around a fault, so a copy peaks higher than the linker's own
# output (552 KB against 448 KB for the musl build, 2026-12-01).
mkdir -p "$TMP/bin"
cp "$HC" "$TMP/bin/healthcheck" && HC=$TMP/bin/healthcheck
if [ -n "$ALT" ]; then cp "$ALT" "$TMP/bin/healthcheck-$ALT_LABEL" && ALT=$TMP/bin/healthcheck-$ALT_LABEL; fi
NGINX_PID=""
cleanup() {
  if [ -n "$NGINX_PID" ]; then
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
  [ -n "${SHM_DIR:-}" ] && rm -rf "$SHM_DIR"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# ---- private nginx: one small static file over HTTP and HTTPS ---------------
mkdir -p "$TMP/www" "$TMP/logs" "$TMP/tmp"
printf '{"status":"ok","service":"bench","note":"small static health answer"}\n' >"$TMP/www/health.json"
chmod 644 "$TMP/www/health.json"; chmod 755 "$TMP/www"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=127.0.0.1 -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
chmod 644 "$TMP/key.pem" "$TMP/cert.pem"
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
while [ "$HTTPS_PORT" = "$HTTP_PORT" ]; do HTTPS_PORT=$(free_port); done
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$TMP/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $TMP/nginx.pid;
error_log $TMP/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $TMP/tmp/body;
  proxy_temp_path $TMP/tmp/proxy;
  fastcgi_temp_path $TMP/tmp/fastcgi;
  uwsgi_temp_path $TMP/tmp/uwsgi;
  scgi_temp_path $TMP/tmp/scgi;
  types { application/json json; }
  default_type application/octet-stream;
  keepalive_timeout 5;
  server {
    listen 127.0.0.1:$HTTP_PORT;
    root $TMP/www;
  }
  server {
    listen 127.0.0.1:$HTTPS_PORT ssl;
    ssl_certificate $TMP/cert.pem;
    ssl_certificate_key $TMP/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    root $TMP/www;
  }
}
EOF
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP" -g 'daemon off;' 2>"$TMP/logs/stderr.log" &
NGINX_PID=$!
URL="http://127.0.0.1:$HTTP_PORT/health.json"
HTTPS_URL="https://127.0.0.1:$HTTPS_PORT/health.json"
for _ in $(seq 100); do
  "$CURL" -fsS -o /dev/null "$URL" 2>/dev/null && break
  kill -0 "$NGINX_PID" 2>/dev/null || break
  sleep 0.05
done
if ! "$CURL" -fsS -o /dev/null "$URL"; then
  echo "bench: nginx did not come up:" >&2
  cat "$TMP/logs/stderr.log" "$TMP/logs/error.log" >&2 2>/dev/null || true
  exit 1
fi

# ---- commands ----------------------------------------------------------------
SHM_DIR=""
if [ -d /dev/shm ] && [ -w /dev/shm ]; then SHM_DIR=$(mktemp -d /dev/shm/hc-bench.XXXXXX); STDIR=$SHM_DIR; else STDIR=$TMP; fi
for f in status-http status-https status-alt-http status-alt-https; do printf 2 >"$STDIR/$f"; done

names=(); cmds=()
add() { names+=("$1"); cmds+=("$2"); }
add "healthcheck" "$HC -n bench -u $URL -f $STDIR/status-http"
[ -n "$ALT" ] && add "healthcheck $ALT_LABEL" "$ALT -n bench -u $URL -f $STDIR/status-alt-http"
add "curl" "$CURL -fsS -o /dev/null $URL"
add "busybox wget" "$BUSYBOX wget -q -O /dev/null $URL"
add "healthcheck https" "$HC -n bench -u $HTTPS_URL -f $STDIR/status-https"
[ -n "$ALT" ] && add "healthcheck $ALT_LABEL https" "$ALT -n bench -u $HTTPS_URL -f $STDIR/status-alt-https"
add "curl -k https" "$CURL -kfsS -o /dev/null $HTTPS_URL"
if "$BUSYBOX" wget -q --no-check-certificate -O /dev/null "$HTTPS_URL" >/dev/null 2>&1; then
  add "busybox wget https" "$BUSYBOX wget -q --no-check-certificate -O /dev/null $HTTPS_URL"
fi

# Every command must succeed (and the check must stay a steady-state pass).
for i in "${!cmds[@]}"; do
  if ! ${cmds[$i]} >/dev/null 2>"$TMP/err"; then
    echo "bench: '${cmds[$i]}' failed:" >&2; cat "$TMP/err" >&2; exit 1
  fi
done
for f in status-http status-https status-alt-http status-alt-https; do
  [ "$(cat "$STDIR/$f")" = 2 ] || { echo "bench: $f is not 2 after a pass" >&2; exit 1; }
done

# ---- wall time -----------------------------------------------------------------
hf_args=()
for i in "${!cmds[@]}"; do hf_args+=(-n "${names[$i]}" "${cmds[$i]}"); done
busy() { awk -v n="$(nproc)" '{exit !($1 >= n / 2)}' /proc/loadavg; }
waited=0
while busy && [ "$waited" -lt "${BENCH_WAIT_IDLE:-0}" ]; do sleep 5; waited=$((waited + 5)); done
busy && echo "bench: warning: load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs; figures will be noisy" >&2
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: hyperfine --warmup $WARMUP --runs $RUNS -N (${#cmds[@]} commands)" >&2
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
  --export-json "$TMP/hyperfine.json" "${hf_args[@]}" >&2
for i in "${!cmds[@]}"; do printf '%s\t%s\n' "${names[$i]}" "${cmds[$i]}"; done >"$TMP/cmds.tsv"
[ -n "${BENCH_JSON:-}" ] && cp "$TMP/hyperfine.json" "$BENCH_JSON"

# ---- peak RSS (median of 5) ------------------------------------------------------
: >"$TMP/rss.tsv"
for i in "${!cmds[@]}"; do
  vals=()
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f %M -o "$TMP/rss1" ${cmds[$i]} >/dev/null
    vals+=("$(tail -n1 "$TMP/rss1")")
  done
  med=$(printf '%s\n' "${vals[@]}" | sort -n | sed -n 3p)
  printf '%s\t%s\t%s\n' "${names[$i]}" "$med" "${vals[*]}" >>"$TMP/rss.tsv"
done
# ---- instructions (callgrind): our commands, independent of the machine's load ----
: >"$TMP/instr.tsv"
if command -v valgrind >/dev/null; then
  for i in "${!cmds[@]}"; do
    case ${names[$i]} in healthcheck*) ;; *) continue ;; esac
    valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.out" ${cmds[$i]} >/dev/null 2>"$TMP/vg.err" || true
    n=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$TMP/vg.err" | tail -n1)
    [ -n "$n" ] && printf '%s\t%s\n' "${names[$i]}" "$n" >>"$TMP/instr.tsv"
  done
fi
[ "$(cat "$STDIR/status-http")" = 2 ] || { echo "bench: state changed during the run" >&2; exit 1; }
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- sizes and the machine ------------------------------------------------------
CURL_REAL=$(readlink -f "$CURL")
curl_libs_total=$(ldd "$CURL_REAL" 2>/dev/null | awk '/=> \//{print $3}' | xargs -r readlink -f | sort -u | xargs -r stat -c %s | awk '{s+=$1} END {print s+0}')
curl_nlibs=$(ldd "$CURL_REAL" 2>/dev/null | awk '/=> \//' | wc -l)
{
  printf 'hc_size\t%s\n' "$(stat -c %s "$HC")"
  printf 'hc_file\t%s\n' "$(file -b "$HC" 2>/dev/null | cut -d, -f1-4 || echo '?')"
  printf 'alt_size\t%s\n' "$( [ -n "$ALT" ] && stat -c %s "$ALT" || echo 0)"
  printf 'alt_path\t%s\n' "${ALT:-none}"
  printf 'alt_label\t%s\n' "$ALT_LABEL"
  printf 'hc_label\t%s\n' "$HC_LABEL"
  printf 'curl_path\t%s\n' "$CURL_REAL"
  printf 'curl_size\t%s\n' "$(stat -c %s "$CURL_REAL")"
  printf 'curl_libs_total\t%s\n' "$curl_libs_total"
  printf 'curl_nlibs\t%s\n' "$curl_nlibs"
  printf 'busybox_path\t%s\n' "$(readlink -f "$BUSYBOX")"
  printf 'busybox_size\t%s\n' "$(stat -c %s "$(readlink -f "$BUSYBOX")")"
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'os\t%s\n' "$(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}")"
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'v_hc\t%s\n' "$("$HC" --version 2>&1 | head -n1)"
  printf 'v_curl\t%s\n' "$("$CURL" --version | head -n1)"
  printf 'v_busybox\t%s\n' "$("$BUSYBOX" 2>&1 | head -n1 | sed 's/ multi-call binary\.$//')"
  printf 'v_nginx\t%s\n' "$("$NGINX" -v 2>&1 | head -n1)"
  printf 'v_hyperfine\t%s\n' "$(hyperfine --version | head -n1)"
  printf 'runs\t%s\n' "$RUNS"
  printf 'warmup\t%s\n' "$WARMUP"
  printf 'statedir\t%s\n' "$( [ -n "$SHM_DIR" ] && echo /dev/shm || echo "$TMP")"
  printf 'load\t%s before, %s after\n' "$LOAD_BEFORE" "$LOAD_AFTER"
  printf 'hc_path\t%s\n' "$HC"
  printf 'tmp\t%s\n' "$TMP"
  printf 'stdir\t%s\n' "$STDIR"
  printf 'body_bytes\t%s\n' "$(stat -c %s "$TMP/www/health.json")"
} >"$TMP/facts.tsv"

# ---- report ------------------------------------------------------------------------
HC_SCRIPTS="$(cd "$(dirname "$0")" && pwd)" $PY - "$TMP/hyperfine.json" "$TMP/rss.tsv" "$TMP/facts.tsv" "$OUT" "$TMP/cmds.tsv" "$TMP/instr.tsv" <<'PYEOF'
import json, os, sys

hf_path, rss_path, facts_path, out, cmds_path, instr_path = sys.argv[1:7]
instr = dict(l.rstrip("\n").split("\t", 1) for l in open(instr_path, encoding="utf-8") if "\t" in l)
cmdline = dict(l.rstrip("\n").split("\t", 1) for l in open(cmds_path, encoding="utf-8"))
results = {r["command"]: r for r in json.load(open(hf_path))["results"]}
rss = {}
for line in open(rss_path, encoding="utf-8"):
    name, med, allv = line.rstrip("\n").split("\t")
    rss[name] = (int(med), allv)
facts = dict(l.rstrip("\n").split("\t", 1) for l in open(facts_path, encoding="utf-8"))

def mean(n): return results[n]["mean"] * 1000
def sd(n): return results[n]["stddev"] * 1000
def med(n): return results[n]["median"] * 1000

sizes = {
    "healthcheck": (int(facts["hc_size"]), "static"),
    "curl": (int(facts["curl_size"]), "dynamic, + %d libs = %s bytes" % (int(facts["curl_nlibs"]), format(int(facts["curl_libs_total"]), ","))),
    "busybox wget": (int(facts["busybox_size"]), "static, whole busybox"),
}
sizes["healthcheck https"] = sizes["healthcheck"]
ALT = "healthcheck " + facts["alt_label"]
sizes[ALT] = (int(facts["alt_size"]), "static, " + facts["alt_label"])
sizes[ALT + " https"] = sizes[ALT]
sizes["curl -k https"] = sizes["curl"]
sizes["busybox wget https"] = sizes["busybox wget"]

def ratio(a, b):
    return "%.3fx" % (mean(a) / mean(b)) if b in results else "-"

rows = []
rows.append("| command | mean ± σ (ms) | median (ms) | vs curl | vs busybox wget | peak RSS (KB) | binary size (bytes) |")
rows.append("|---|---:|---:|---:|---:|---:|---|")
for name in results:
    https = "https" in name
    ref_curl = "curl -k https" if https else "curl"
    ref_bb = "busybox wget https" if https else "busybox wget"
    size, kind = sizes[name]
    rows.append("| %s | %.2f ± %.2f | %.2f | %s | %s | %d | %s (%s) |" % (
        name, mean(name), sd(name), med(name), ratio(name, ref_curl), ratio(name, ref_bb),
        rss[name][0], format(size, ","), kind))


LIMIT_RSS_KB = 1536          # 1.5 MiB, as GNU time's %M counts KiB
LIMIT_SIZE = int(2.5 * 1024 * 1024)
targets = [
    ("mean <= 0.15x curl (HTTP)", "%.3fx" % (mean("healthcheck") / mean("curl")),
     mean("healthcheck") <= 0.15 * mean("curl")),
    ("no slower than busybox wget (HTTP mean)", "%.2f ms vs %.2f ms" % (mean("healthcheck"), mean("busybox wget")),
     mean("healthcheck") <= mean("busybox wget")),
    ("peak RSS <= 1.5 MB (1536 KB) (HTTP check)", "%d KB" % rss["healthcheck"][0],
     rss["healthcheck"][0] <= LIMIT_RSS_KB),
    ("binary size <= 2.5 MB (2,621,440 bytes)", "%s bytes" % format(int(facts["hc_size"]), ","),
     int(facts["hc_size"]) <= LIMIT_SIZE),
]
# tests/shell/musl_chroot.sh holds the same limit.
LIMIT_MUSL_SIZE = 1150000
if ALT in results:
    tag = facts["alt_label"] + " build: "
    targets.append((tag + "peak RSS <= 1.5 MB (1536 KB) (HTTP check)", "%d KB" % rss[ALT][0],
                    rss[ALT][0] <= LIMIT_RSS_KB))
    targets.append((tag + "no slower than busybox wget (HTTP mean)",
                    "%.2f ms vs %.2f ms" % (mean(ALT), mean("busybox wget")),
                    mean(ALT) <= mean("busybox wget")))
musl_size = int(facts["hc_size"]) if facts["hc_label"] == "musl" else int(facts["alt_size"])
if musl_size:
    targets.append(("musl build: binary size <= 1.15 MB (1,150,000 bytes)", "%s bytes" % format(musl_size, ","),
                    musl_size <= LIMIT_MUSL_SIZE))
LIMIT_DEFAULT_RSS_KB = 600   # issue 14.2: the default build as small as the best one
targets.append(("default build (`make`): peak RSS <= 600 KB (HTTP check)", "%d KB" % rss["healthcheck"][0],
                rss["healthcheck"][0] <= LIMIT_DEFAULT_RSS_KB))
if "healthcheck https" in rss:
    targets.append(("(info) peak RSS of the HTTPS check <= 1.5 MB", "%d KB" % rss["healthcheck https"][0],
                    rss["healthcheck https"][0] <= LIMIT_RSS_KB))
for http in ["healthcheck", ALT]:
    https = http + " https"
    if https not in results:
        continue
    tag = facts["alt_label"] + " build: " if http == ALT else ""
    if "curl -k https" in results:
        targets.append(("%sHTTPS mean <= 0.15x curl -k" % tag, "%.3fx" % (mean(https) / mean("curl -k https")),
                        mean(https) <= 0.15 * mean("curl -k https")))
    targets.append(("%sHTTPS mean <= 3x our HTTP check" % tag, "%.2fx (%.2f ms vs %.2f ms)" % (
        mean(https) / mean(http), mean(https), mean(http)), mean(https) <= 3 * mean(http)))

trow = ["| target | measured | result |", "|---|---|---|"]
for t, m, ok in targets:
    trow.append("| %s | %s | **%s** |" % (t, m, "PASS" if ok else "FAIL"))

block = []
block.append("<!-- oneshot:begin -->")
block.append("<!-- Generated by scripts/bench-oneshot.sh; edits inside this block are overwritten. -->")
block.append("## One-shot check vs curl and busybox wget")
block.append("")
block.append("One request for a %s-byte static file from a private nginx on 127.0.0.1, new process each time. "
             "hyperfine `-N` (no shell), %s warm-up runs, %s runs per command, all commands in one hyperfine run. "
             "The healthcheck state file (on %s) holds 2, so every run is a steady-state pass "
             "(probe, state file read under flock, no notice, exit 0). "
             "HTTPS: self-signed P-256 certificate, unverified on both sides (the probe default; `curl -k`)."
             % (facts["body_bytes"], facts["warmup"], facts["runs"], facts["statedir"]))
block.append("")
block.extend(rows)
block.append("")
block.append("Peak RSS: GNU time `%M`, median of 5 runs (all 5: " +
             "; ".join("%s %s" % (n, rss[n][1]) for n in results) + ").")
block.append("")
if instr:
    block.append("Instructions per run (`valgrind --tool=callgrind`, one run each; they do not depend on the "
                 "machine's load, unlike the times): " +
                 "; ".join("%s %s" % (n, format(int(v), ",")) for n, v in instr.items()) + ".")
    block.append("")
block.append("### Targets")
block.append("")
block.extend(trow)
block.append("")
block.append("### Machine and versions")
block.append("")
block.append("- date: %s; load average (1/5/15 min) %s" % (facts["date"], facts["load"]))
block.append("- CPU: %s, nproc %s; %s; %s" % (facts["cpu"], facts["nproc"], facts["kernel"], facts["os"]))
block.append("- %s (%s)" % (facts["v_hc"], facts["hc_file"]))
block.append("- %s; binary %s (%s bytes, dynamic: %s shared libraries totalling %s bytes)" % (
    facts["v_curl"], facts["curl_path"], format(int(facts["curl_size"]), ","), facts["curl_nlibs"],
    format(int(facts["curl_libs_total"]), ",")))
block.append("- %s; %s (%s bytes, static)" % (facts["v_busybox"], facts["busybox_path"], format(int(facts["busybox_size"]), ",")))
block.append("- %s; %s" % (facts["v_nginx"], facts["v_hyperfine"]))
block.append("")
block.append("Commands (ports and temp paths vary per run):")
block.append("")
block.append("```")
for n in results:
    c = cmdline[n].replace(facts["alt_path"], facts["alt_path"].rsplit("/", 1)[-1]).replace(facts["hc_path"], "healthcheck")
    c = c.replace(facts["stdir"], "$STATEDIR").replace(facts["tmp"], "$TMP")
    block.append(c)
block.append("```")
block.append("<!-- oneshot:end -->")
text = "\n".join(block) + "\n"

if out == "-":
    sys.stdout.write(text)
    sys.exit(0)
sys.path.insert(0, os.environ["HC_SCRIPTS"])
import docblock
docblock.replace(out, "oneshot", text)
sys.stdout.write("\n".join(rows + [""] + trow) + "\n")
print("bench: wrote %s" % out, file=sys.stderr)
PYEOF
