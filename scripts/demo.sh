#!/bin/sh
# `make demo`: the container-mode demo, then the supervise-mode demo when present.
# Exits non-zero if any part failed.
set -u
cd "$(dirname "$0")/.."
rc=0
scripts/demo-container.sh || rc=1
if [ -f scripts/demo-supervise.sh ]; then
  if [ -x scripts/demo-supervise.sh ]; then
    scripts/demo-supervise.sh || rc=1
  else
    sh scripts/demo-supervise.sh || rc=1
  fi
fi
exit $rc
