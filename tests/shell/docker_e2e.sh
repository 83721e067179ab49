#!/bin/bash
# Real Docker end-to-end test (tests/docker/run.sh) for the binary under test
# ($HC_BIN): scratch image, exec-form HEALTHCHECK going healthy -> unhealthy
# -> healthy, state file 2 -> 3 -> 4, DingTalk notices, supervise mode
# against a mounted supervisord socket. ~20 s.
# When Docker cannot run here (not root, docker.io not installable, dockerd
# does not start, HC_SKIP_DOCKER set, binary not a static ELF) it prints a
# SKIP line and counts nothing.
. "$(dirname "$0")/../lib.sh"

NAME=docker_e2e:test_docker_e2e
skip() { echo "SKIP $NAME (skipped: $*)"; exit 0; }

[ -n "${TESTS:-}" ] && ! [[ $NAME =~ $TESTS ]] && exit 0
[ -z "${HC_SKIP_DOCKER:-}" ] || skip "HC_SKIP_DOCKER is set"
[ "$(id -u)" = 0 ] || skip "needs root to start dockerd"
head -c 4 "$HC_BIN" 2>/dev/null | grep -q ELF || skip "$HC_BIN is not an ELF binary (wrapper?)"
readelf -l "$HC_BIN" 2>/dev/null | grep -q INTERP && skip "$HC_BIN is not static"
if [ ! -x /usr/sbin/dockerd ] && ! apt-cache policy docker.io 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  skip "docker.io is not installed and apt has no candidate"
fi

DOCKER_OUT=$(mktemp /tmp/hc-docker-out.XXXXXX)
timeout 120 "$HC_ROOT/tests/docker/run.sh" "$HC_BIN" >"$DOCKER_OUT" 2>&1
DOCKER_RC=$?
if [ "$DOCKER_RC" = 77 ]; then
  reason=$(grep -m1 'cannot run:' "$DOCKER_OUT" | sed 's/.*cannot run: //')
  rm -f "$DOCKER_OUT"
  skip "${reason:-docker cannot run here}"
fi

test_docker_e2e() {
  local out; out=$(cat "$DOCKER_OUT")
  if [ "$DOCKER_RC" != 0 ]; then
    sed 's/^/    /' "$DOCKER_OUT" | cut -c1-400 | tail -n 60 >&2
    _fail "tests/docker/run.sh exit $DOCKER_RC"
  fi
  assert_contains "$out" "healthy again, state 4"
  assert_contains "$out" "docker-e2e: PASS"
}

run_tests
rm -f "$DOCKER_OUT"
