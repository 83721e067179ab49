#!/bin/bash
# mbedTLS and libyaml for the glibc builds (make, unit tests, sanitizer,
# fuzz, lint): Debian's mbedtls source package (trixie, 3.6) compiled once
# with the host C compiler and scripts/mbedtls_config.h, and bookworm's
# libyaml with its allocations sent to the config parser's pool
# (scripts/libyaml_alloc.h), into a cache that every build folder shares
# (default build/cache, independent of BUILD=).
#
#   scripts/mbedtls.sh source          fetch + unpack the pinned source, apply our patches
#                                      (scripts/mbedtls-patches/*.patch) to a copy, print it
#   scripts/mbedtls.sh libyaml-source  fetch + unpack libyaml's, print it (the musl build's too)
#   scripts/mbedtls.sh host            build $HC_CACHE/mbedtls/host/{include,lib/libmbedtls.a,lib/libyaml.a,stamp}
#
# The stamp holds a hash of everything the libraries depend on (this
# recipe's version, the compiler, the source version, the flags, the
# config). It is rewritten only when the libraries are rebuilt, so make
# recompiles our objects only then. Parallel builds wait on a lock; the
# finished tree replaces the old one in one rename.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${HC_CACHE:-$ROOT/build/cache}
CONFIG=$ROOT/scripts/mbedtls_config.h
PSA_CONFIG=$ROOT/scripts/mbedtls_psa_config.h
# Debian trixie's mbedtls, the newest 3.6 LTS release in Debian. When the
# mirror drops it, debian-source.sh takes the newest 3.6.x instead.
MBEDTLS_DEB_VERSION=3.6.6-0.1~deb13u1
MBEDTLS_SERIES='3.6.*'
LIBYAML_DEB_VERSION=0.2.5-1  # bookworm's
# Bump when the way the libraries are compiled changes.
RECIPE=4
CC=${HC_MBEDTLS_CC:-cc}
# -O2 as Debian builds it (the handshake's bignum code is the hot path);
# -fPIE so the same archive links into the static binary and into the
# PIE unit tests, sanitizer and fuzz builds; sections for --gc-sections.
LIB_CFLAGS="-O2 -fPIE -ffunction-sections -fdata-sections -g0 -w"
# The bignum and ECP files behind the ECDSA P-256 verification of every TLS
# 1.3 handshake (CertificateVerify, most of an HTTPS check's instructions) at
# -O3: one check 14.6 M -> 14.0 M instructions (callgrind), 8 KB larger.
HOT_FILES="bignum.c bignum_core.c ecp.c ecp_curves.c ecdsa.c"
HOT_CFLAGS="-O3"

die() { echo "mbedtls: error: $*" >&2; exit 1; }
libyaml_source_dir() { "$ROOT/scripts/debian-source.sh" libyaml "$LIBYAML_DEB_VERSION" '0.2.5-*'; }
log() { echo "mbedtls: $*" >&2; }

# Debian's source as fetched stays untouched; our patches (fixes that
# upstream has merged but not yet released) go into a copy named after
# them, so a changed patch set gets a new tree and new library stamps.
source_dir() {
  local pristine patches=() sum dir tmp p
  pristine=$("$ROOT/scripts/debian-source.sh" mbedtls "$MBEDTLS_DEB_VERSION" "$MBEDTLS_SERIES")
  for p in "$ROOT"/scripts/mbedtls-patches/*.patch; do [ -f "$p" ] && patches+=("$p"); done
  if [ ${#patches[@]} = 0 ]; then echo "$pristine"; return 0; fi
  sum=$(cat "${patches[@]}" | sha256sum | cut -c1-8)
  dir=$pristine+hc$sum
  if [ ! -f "$dir/.hc-patched" ]; then
    command -v patch >/dev/null || die "patch missing (apt-get install patch)"
    tmp=$(mktemp -d "$dir.XXXXXX")
    cp -a "$pristine/." "$tmp/"
    for p in "${patches[@]}"; do
      # A newer Debian source (the fallback to the newest 3.6.x) may already
      # hold the fix: then the patch reverses cleanly and is skipped, so a
      # security update never breaks the build.
      if patch -s -f -p1 -d "$tmp" -R --dry-run < "$p" >/dev/null 2>&1; then
        log "$(basename "$p") is already in $(basename "$pristine"); skipped (drop it)"
        continue
      fi
      patch -s -p1 -d "$tmp" --forward --no-backup-if-mismatch < "$p" >&2 \
        || { rm -rf "$tmp"; die "$(basename "$p") does not apply to $(basename "$pristine"): update or drop it"; }
    done
    touch "$tmp/.hc-patched"
    rm -rf "$dir"
    mv "$tmp" "$dir"
  fi
  echo "$dir"
}

# Header tree: mbedTLS's include/ with our configs in place of the default
# ones, so whoever includes these headers sees the library's layout.
install_headers() { # SRC DEST
  mkdir -p "$2"
  cp -r "$1/include/mbedtls" "$1/include/psa" "$1/3rdparty/everest/include/everest" "$2/"
  cp "$CONFIG" "$2/mbedtls/mbedtls_config.h"
  cp "$PSA_CONFIG" "$2/psa/crypto_config.h"
}

build_host() {
  local src yl out key tmp jobs
  src=$(source_dir)
  yl=$(libyaml_source_dir)
  out=$CACHE/mbedtls/host
  command -v "$CC" >/dev/null || die "no C compiler ($CC); apt-get install gcc"
  key=$( { echo "$RECIPE $(basename "$src") $(basename "$yl") $LIB_CFLAGS $HOT_FILES $HOT_CFLAGS"; "$CC" --version | head -1;
           cat "$CONFIG" "$PSA_CONFIG" "$ROOT/scripts/libyaml_alloc.h"; } | sha256sum | cut -c1-16)
  if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$key" ] && [ -f "$out/lib/libmbedtls.a" ] \
     && [ -f "$out/lib/libyaml.a" ]; then
    return 0
  fi
  log "building $(basename "$src") into $out (once; about 20 s)"
  local t0=$SECONDS
  tmp=$(mktemp -d "$CACHE/mbedtls/.host.XXXXXX")
  install_headers "$src" "$tmp/include"
  mkdir -p "$tmp/obj" "$tmp/lib"
  jobs=$(nproc 2>/dev/null || echo 2)
  export CC LIB_CFLAGS tmp src HOT_FILES HOT_CFLAGS
  # Every library file, and Everest's X25519 (3rdparty/everest, used when
  # the config sets MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED); what the config
  # leaves out compiles to nothing.
  if ! { find "$src/library" -maxdepth 1 -name '*.c' | sort; ls "$src"/3rdparty/everest/library/{everest,x25519,Hacl_Curve25519_joined}.c; } | xargs -P "$jobs" -I{} sh -c '
      f={}; hot=
      case " $HOT_FILES " in *" $(basename "$f") "*) hot=$HOT_CFLAGS ;; esac
      "$CC" $LIB_CFLAGS $hot -I"$tmp/include" -I"$src/library" -I"$tmp/include/everest" -I"$tmp/include/everest/kremlib" -c "$f" \
        -o "$tmp/obj/$(basename "$f" .c).o" || exit 255'; then
    rm -rf "$tmp"
    die "compiling mbedTLS failed"
  fi
  ar rcs "$tmp/lib/libmbedtls.a" "$tmp"/obj/*.o
  rm -rf "$tmp/obj"
  mkdir -p "$tmp/obj"
  cp "$yl/include/yaml.h" "$tmp/include/"
  export yl ROOT
  if ! ls "$yl"/src/*.c | xargs -P "$jobs" -I{} sh -c '
      f={}
      "$CC" $LIB_CFLAGS -include "$ROOT/scripts/libyaml_alloc.h" -DYAML_VERSION_MAJOR=0 -DYAML_VERSION_MINOR=2 \
        -DYAML_VERSION_PATCH=5 -DYAML_VERSION_STRING="\"0.2.5\"" -I"$yl/include" -c "$f" \
        -o "$tmp/obj/$(basename "$f" .c).o" || exit 255'; then
    rm -rf "$tmp"
    die "compiling libyaml failed"
  fi
  ar rcs "$tmp/lib/libyaml.a" "$tmp"/obj/*.o
  rm -rf "$tmp/obj"
  basename "$src" > "$tmp/source"
  echo "$key" > "$tmp/stamp"
  rm -rf "$out.old"
  [ -d "$out" ] && mv "$out" "$out.old"
  mv "$tmp" "$out"
  rm -rf "$out.old"
  log "$(basename "$src"): $(du -k "$out/lib/libmbedtls.a" | cut -f1) KB libmbedtls.a in $((SECONDS - t0)) s"
}

locked() {
  mkdir -p "$CACHE/mbedtls"
  exec 9>"$CACHE/mbedtls/.lock"
  flock -w 1800 9 || die "timed out waiting for $CACHE/mbedtls/.lock"
  "$@"
}

case ${1:-} in
  source) locked source_dir ;;
  libyaml-source) locked libyaml_source_dir ;;
  host) locked build_host ;;
  *) echo "usage: $0 source | libyaml-source | host" >&2; exit 2 ;;
esac
