#!/usr/bin/env bash
# Throughput of the firewall topology against a pass-through topology, on one in-process Kafka broker.
# Usage: scripts/benchmark.sh [--users N] [--partitions N] [--warmup-users N] [--rounds N] [--config FILE]
#        scripts/benchmark.sh --mode realistic [--preload-users N] [--preload-registrations N] [--contact-points N]
#                             [--side-percent N] [--warmup-contact-points N] [--partitions N] [--config FILE]
#                             [--shadow-policy FILE]   (shadow mode: a candidate policy decided beside the policy)
#        either with --profile FILE.jfr: JFR (settings=profile) of the measured firewall run; then
#        scripts/profile-summary.sh FILE.jfr. --help lists every option.
# Builds the benchmarks module first (mvn package, tests skipped) if its jar is missing or older than a pom or a main
# source file. Needs Java 17+ and Maven.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/benchmark-jar.sh
source "$ROOT/scripts/lib/benchmark-jar.sh"

# stackdepth: Kafka Streams' stacks are deeper than JFR's default 64 frames; costs nothing unless --profile records.
exec java -Xmx2g -XX:FlightRecorderOptions=stackdepth=256 -cp "benchmarks/target/lib/*:$JAR" org.purposefirewall.benchmarks.FirewallBenchmark "$@"
