#!/bin/bash
# Links a musl build (mk/musl.mk) like `zig c++ ARGS...` does, with the
# functions a check runs placed first (scripts/hot-symbols.txt): a one-shot
# check then touches a few contiguous pages of code instead of pages spread
# over the whole binary. The kernel maps file pages around each fault (64 KB
# at a time, or a whole large folio), so spread-out code shows up as
# resident memory (docs/BENCHMARKS.md).
# zig 0.11's driver does not pass --symbol-ordering-file through to its
# lld, so this takes the driver's link line from a quick probe link (-###,
# with only the first object: it fails on undefined symbols after printing
# the line) and runs lld itself with every object and the order file.
#
# Usage: scripts/musl-link.sh ORDER_FILE ZIG c++ ARGS...
# Without ORDER_FILE, or if no link line can be found, it links as is.
set -euo pipefail
order=$1 zig=$2
shift
[ -s "$order" ] || exec "$@"

out="" first="" objs=() probe=() prev=""
for a in "$@"; do
  if [ "$prev" = -o ]; then
    out=$a
    probe+=("$a.probe")
  elif [[ "$a" == *.o ]]; then
    objs+=("$a")
    if [ -z "$first" ]; then first=$a; probe+=("$a"); fi
  else
    probe+=("$a")
  fi
  prev=$a
done
[ -n "$out" ] && [ -n "$first" ] || exec "$@"
# The driver may also print the link lines of what it builds first (libc++
# and libc on a fresh cache): ours is the one that writes $out.probe.
line=$("${probe[@]}" -### 2>&1 | grep -F -- " -o $out.probe " | grep '^ld\.lld ' | tail -1 || true)
rm -f "$out.probe"
if [ -z "$line" ] || [[ "$line" != *" $first "* ]]; then
  echo "musl-link: no link line from '$zig c++ -###'; linking without a symbol order" >&2
  exec "$@"
fi
# The driver prints its arguments unquoted; none of ours holds a space.
line=${line/ -o $out.probe / -o $out }
line=${line/ $first / ${objs[*]} }
# shellcheck disable=SC2086
exec "$zig" $line --symbol-ordering-file="$order" --no-warn-symbol-ordering
