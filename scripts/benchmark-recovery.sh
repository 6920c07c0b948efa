#!/usr/bin/env bash
# Recovery after kill -9: the time from SIGKILL of a firewall process under steady traffic to the first output on
# every output partition, with realistic state (1,000,000 users' consent and 100,000 registrations by default),
# before (Kafka's defaults), static (the firewall's defaults), after (with transactional stores) and on failover to a standby (two
# instances, num-standby-replicas 1). Each firewall is a separate OS process; see RecoveryBenchmark.
# Usage: scripts/benchmark-recovery.sh [--users N] [--registrations N] [--partitions P] [--rate R] [--kills K]
#        [--scenarios before,static,after,during-start,during-start-before,failover,failover@MS] [--work-dir DIR] [--max-minutes M] (25: the run stops starting
#        scenarios after it; each kill waits at most 4 min for recovery) [--streams-setting KEY=VALUE]... (into every
#        instance's streams: section, e.g. restore.consumer.max.poll.records=10000)
# Builds the project first (mvn package, tests skipped) if the benchmark jar is missing or stale; needs the
# test-registry module built (its quarkus-run.jar). Needs Java 17+ and Maven.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/benchmark-jar.sh
source "$ROOT/scripts/lib/benchmark-jar.sh"

exec timeout --kill-after=30 60m java -Xmx2g -cp "benchmarks/target/lib/*:$JAR" \
  org.purposefirewall.benchmarks.RecoveryBenchmark "$@"
