#!/usr/bin/env bash
# Scale-out: the realistic backlog decided by 1, 2 and 3 instances of one application on one in-process broker,
# then the time a running group takes to rebalance when an instance joins and when one leaves. On 2 cores this
# measures coordination cost, not speed-up.
# Usage: scripts/benchmark-scale.sh [--users N] [--registrations N] [--contact-points N] [--partitions P]
#        [--config FILE]
# Builds the benchmarks module first (mvn package, tests skipped) if its jar is missing or stale. Needs Java 17+.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/benchmark-jar.sh
source "$ROOT/scripts/lib/benchmark-jar.sh"

exec java -Xmx3g -cp "benchmarks/target/lib/*:$JAR" org.purposefirewall.benchmarks.ScaleOutBenchmark "$@"
