#!/usr/bin/env bash
# Throughput of the firewall topology against a pass-through topology, on one in-process Kafka broker.
# Usage: scripts/benchmark.sh [--users N] [--partitions N] [--warmup-users N] [--rounds N] [--config FILE]
# Builds the project first (mvn install, tests skipped) if the benchmark jar is missing or older than a pom or a main
# source file. Needs Java 17+ and Maven.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/benchmark-jar.sh
source "$ROOT/scripts/lib/benchmark-jar.sh"

exec java -Xmx2g -cp "benchmarks/target/lib/*:$JAR" org.purposefirewall.benchmarks.FirewallBenchmark "$@"
