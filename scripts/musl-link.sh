#!/bin/bash
# Links a musl build (mk/musl.mk) like `zig c++ ARGS...` does, with the
# functions a check runs placed first (scripts/hot-symbols.txt): a one-shot
# check then touches a few contiguous pages of code instead of pages spread
# over the whole binary. The kernel maps file pages around each fault (64 KB
# at a time), so spread-out code shows up as resident memory: an HTTP check
# peaks at about 450 KB instead of 616 KB (docs/BENCHMARKS.md).
# zig 0.11's driver does not pass --symbol-ordering-file through to its
# lld, so this asks the driver for its link line (-###) and runs lld itself.
#
# Usage: scripts/musl-link.sh ORDER_FILE ZIG c++ ARGS...
# Without ORDER_FILE, or if the driver prints no link line, it links as is.
set -euo pipefail
order=$1 zig=$2
shift
if [ ! -s "$order" ]; then exec "$@"; fi
line=$("$@" -### 2>&1 | grep '^ld.lld ' || true)
if [ -z "$line" ]; then
  echo "musl-link: no ld.lld line from '$zig c++ -###'; linking without a symbol order" >&2
  exec "$@"
fi
# The driver prints its arguments unquoted; none of ours holds a space.
# shellcheck disable=SC2086
exec "$zig" $line --symbol-ordering-file="$order" --no-warn-symbol-ordering
