#!/usr/bin/env bash
# End-to-end latency of the firewall: contact points at a fixed rate with one consent update per second per
# partition, p50/p95/p99/max from produce to read_committed consumption on the ad topic (see LatencyBenchmark).
# Usage: scripts/benchmark-latency.sh [--rate RECORDS_PER_S] (50) [--seconds S] (60) [--partitions P] (4) [--config FILE]
# Builds the project first (mvn package, tests skipped) if the benchmark jar is missing or stale. Needs Java 17+ and Maven.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/benchmark-jar.sh
source "$ROOT/scripts/lib/benchmark-jar.sh"

exec java -Xmx2g -cp "benchmarks/target/lib/*:$JAR" org.purposefirewall.benchmarks.LatencyBenchmark "$@"
