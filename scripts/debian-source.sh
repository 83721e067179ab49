#!/bin/bash
# Fetches and unpacks a Debian source package into $HC_CACHE/src through a
# private apt configuration in $HC_CACHE/apt: the machine's /etc/apt is
# neither read for sources nor written. apt verifies the suites' InRelease
# signatures against Debian's archive keyring and the downloaded .dsc and
# tarballs against the checksums of the signed Sources index, exactly as for
# any `apt-get source`; dpkg-source then unpacks and applies Debian's patches.
#
#   scripts/debian-source.sh PACKAGE VERSION [FALLBACK_GLOB]
#
# Prints the unpacked source folder. VERSION is the Debian version wanted;
# when the mirror no longer has it (Debian keeps only the newest version of
# a suite), the newest version matching FALLBACK_GLOB (e.g. '3.6.*') is
# taken, with a warning. The folder is $HC_CACHE/src/PACKAGE-VERSION; the
# choice is recorded in $HC_CACHE/src/PACKAGE.src and reused without any
# network access while VERSION stays the same.
#
# Suites: trixie, trixie-security and bookworm (deb-src, main) from
# $HC_DEBIAN_MIRROR (default http://deb.debian.org). Needs apt and
# dpkg-dev (dpkg-source); scripts/install-deps.sh build installs them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${HC_CACHE:-$ROOT/build/cache}
MIRROR=${HC_DEBIAN_MIRROR:-http://deb.debian.org}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

die() { echo "debian-source: error: $*" >&2; exit 1; }
log() { echo "debian-source: $*" >&2; }

[ $# -ge 2 ] || die "usage: $0 PACKAGE VERSION [FALLBACK_GLOB]"
PKG=$1 WANT=$2 FALLBACK=${3:-}
APT_DIR=$CACHE/apt
RECORD=$CACHE/src/$PKG.src

recorded() { # prints the recorded folder when it is still there
  local dir want _
  [ -f "$RECORD" ] || return 1
  read -r dir _ want < "$RECORD" || true
  [ "$want" = "$WANT" ] && [ -n "$dir" ] && [ -d "$CACHE/src/$dir" ] || return 1
  echo "$CACHE/src/$dir"
}

apt_opts() {
  echo -o Dir::Etc::sourcelist="$APT_DIR/sources.list" \
       -o Dir::Etc::sourceparts="$APT_DIR/sources.list.d" \
       -o Dir::State::Lists="$APT_DIR/lists" \
       -o Dir::Cache="$APT_DIR/cache" \
       -o Acquire::AllowInsecureRepositories=false \
       -o APT::Sandbox::User="$(id -un)"
}

apt_update() {
  [ -r "$KEYRING" ] || die "$KEYRING missing (apt-get install debian-archive-keyring)"
  mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  local s
  {
    for s in trixie bookworm; do
      echo "deb-src [signed-by=$KEYRING] $MIRROR/debian $s main"
    done
    echo "deb-src [signed-by=$KEYRING] $MIRROR/debian-security trixie-security main"
  } > "$APT_DIR/sources.list"
  log "apt-get update (deb-src trixie, trixie-security, bookworm from $MIRROR)"
  # shellcheck disable=SC2046
  apt-get $(apt_opts) -qq update >&2 || die "apt-get update failed (is $MIRROR reachable?)"
}

newest_matching() { # VERSIONS: the newest one matching the glob
  local v best=""
  while read -r v; do
    # shellcheck disable=SC2053
    [[ $v == $FALLBACK ]] || continue
    if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
  done <<<"$1"
  echo "$best"
}

fetch() {
  if ! command -v dpkg-source >/dev/null; then
    [ "$(id -u)" = 0 ] || die "dpkg-source missing (apt-get install dpkg-dev)"
    log "installing dpkg-dev (dpkg-source unpacks source packages)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null \
      || die "cannot install dpkg-dev"
  fi
  apt_update
  local version=$WANT versions
  # shellcheck disable=SC2046
  versions=$(apt-cache $(apt_opts) showsrc "$PKG" 2>/dev/null | sed -n 's/^Version: //p')
  if ! grep -qxF -- "$WANT" <<<"$versions"; then
    [ -n "$FALLBACK" ] || die "$PKG $WANT is not on $MIRROR"
    version=$(newest_matching "$versions")
    [ -n "$version" ] || die "$PKG: neither $WANT nor any $FALLBACK on $MIRROR"
    log "warning: $PKG $WANT is gone from the mirror; taking $version (update the pin)"
  fi
  local tmp
  tmp=$(mktemp -d "$CACHE/src/.fetch.XXXXXX")
  log "apt-get source $PKG=$version"
  # shellcheck disable=SC2046
  if ! (cd "$tmp" && apt-get $(apt_opts) -qq source "$PKG=$version" >&2); then
    rm -rf "$tmp"
    die "apt-get source $PKG=$version failed"
  fi
  local dir want _
  dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name "$PKG-*" | head -1)
  [ -n "$dir" ] || { rm -rf "$tmp"; die "apt-get source left no $PKG-* folder"; }
  local name=$PKG-${version//\~/_}
  rm -rf "${CACHE:?}/src/$name"
  mv "$dir" "$CACHE/src/$name"
  rm -rf "$tmp"
  echo "$name $version $WANT" > "$RECORD"
  echo "$CACHE/src/$name"
}

mkdir -p "$CACHE/src"
# One fetch at a time per cache (parallel builds share it).
exec 8>"$CACHE/.debian-source.lock"
flock -w 900 8 || die "timed out waiting for $CACHE/.debian-source.lock"
recorded || fetch
