#!/usr/bin/env bash
# Replay rate at scale: the realistic traffic (default 1,000,000 users' consent, 100,000 security registrations,
# 1,000,000 contact points) decided by the firewall on one in-process broker, then re-decided by `replay`; prints
# reading and re-deciding rates and fails unless every contact point agrees with the service.
# Usage: scripts/benchmark-replay.sh [--users N] [--registrations N] [--contact-points N] [--partitions P]
#        [--config FILE]
# Builds the benchmarks module first (mvn package, tests skipped) if its jar is missing or stale. Needs Java 17+.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/benchmark-jar.sh
source "$ROOT/scripts/lib/benchmark-jar.sh"

exec java -Xmx4g -cp "benchmarks/target/lib/*:$JAR" org.purposefirewall.benchmarks.ReplayBenchmark "$@"
