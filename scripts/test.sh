#!/usr/bin/env bash
# The README's test command: unit tests (Surefire) and integration tests against a real, in-process KRaft broker
# (Failsafe). Needs only Java 17+ and Maven; everything else comes from Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B verify "$@"
