#!/bin/sh
# Installs the Debian packages a target needs, only when some are missing.
# Usage: scripts/install-deps.sh build|test|demo|bench|lint|fuzz
set -eu
# build: mbedTLS is not a package here: `make` compiles Debian trixie's
# mbedtls source package once into build/cache (scripts/mbedtls.sh), which
# apt-get source fetches (dpkg-dev unpacks it; the archive keyring verifies
# it). libmbedtls-dev (2.28) is only for MBEDTLS=system builds.
build="g++ make libyaml-dev dpkg-dev debian-archive-keyring"
test="$build clang-format libgtest-dev openssl curl python3 supervisor python3-aiosmtpd python3-grpcio iproute2 util-linux time"
demo="$build python3 supervisor"
bench="$build nginx-light curl busybox-static hyperfine time gnuplot-nox monit valgrind"
lint="$build clang-format clang-tidy cppcheck python3"
fuzz="$build clang libclang-rt-14-dev"
case "${1:-build}" in
  build) want=$build ;;
  test) want=$test ;;
  demo) want=$demo ;;
  bench) want=$bench ;;
  lint) want=$lint ;;
  fuzz) want=$fuzz ;;
  *) echo "usage: $0 build|test|demo|bench|lint|fuzz" >&2; exit 2 ;;
esac
# The default build's toolchain (Makefile TOOLCHAIN=auto): zig from the npm
# registry, on x86_64. npm comes with nodejs on some images; else Debian's.
if [ "${1:-build}" != lint ] && [ "${1:-build}" != fuzz ] && [ "$(uname -m)" = x86_64 ] \
   && [ "${TOOLCHAIN:-auto}" != native ] && ! command -v npm >/dev/null 2>&1; then
  want="$want npm"
fi
missing=""
for p in $want; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing packages:$missing (run as root or install them)" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps package scripts from starting services (nginx) on port 80.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends $missing >/dev/null
