# Docker packaging and the real-Docker end-to-end test.
#
#   make test-docker    tests/docker/run.sh: private dockerd (Debian docker.io,
#                       installed if missing) in a temp folder, scratch image
#                       with the static binary (build/healthcheck-x86_64-musl if
#                       present, else build/healthcheck), health status,
#                       state file, notices, supervise mode. Needs root.
#   make docker-alpine  docker build -f Dockerfile.alpine (needs a registry
#                       that serves alpine:3.21; not available on the CI box)

DOCKER_IMAGE ?= healthcheck:$(VERSION)

.PHONY: test-docker docker-alpine

test-docker:
	@if [ -x $(BUILD)/healthcheck-x86_64-musl ]; then \
	  tests/docker/run.sh $(BUILD)/healthcheck-x86_64-musl; \
	else \
	  $(MAKE) --no-print-directory deps $(BUILD)/healthcheck && tests/docker/run.sh $(BUILD)/healthcheck; \
	fi

docker-alpine:
	DOCKER_BUILDKIT=0 docker build -f Dockerfile.alpine -t $(DOCKER_IMAGE) .
