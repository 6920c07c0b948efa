#!/usr/bin/env bash
# Proves without a Docker engine that docker/Dockerfile builds: copies the build context (the repository minus
# .dockerignore) and, from it, exactly the build stage's COPY sources into an empty directory, runs the stage's
# `mvn ...` there offline against the local Maven repository (~/.m2: run a build once first), then assembles the
# runtime stage's files and runs its entrypoint as `validate --config /etc/purpose-firewall/application.yaml`.
# A file the build needs that the Dockerfile does not copy (or .dockerignore drops) fails it. DockerfileBuildIT runs
# the same check in `mvn verify`.
#   ./scripts/check-dockerfile.sh [--dockerfile PATH] [--work DIR] [--keep true] [--maven-repo PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
exec java scripts/lib/DockerfileCheck.java --repo . "$@"
