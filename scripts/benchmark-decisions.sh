#!/usr/bin/env bash
# Single-thread JMH microbenchmarks of the per-record decision: identifier normalization (hashing, phone parsing)
# and the policy decision, without Kafka (see DecisionBenchmark's class comment for what each benchmark measures).
# Usage: scripts/benchmark-decisions.sh [JMH options], e.g. -wi 3 -w 1s -i 5 -r 1s -f 1 (the defaults), -prof gc,
# -e REGEX to leave out benchmarks (-e 'Phone|Email' keeps decidePreNormalized and decideOnly); -h lists JMH's options.
# Builds the project first (mvn package, tests skipped) if the benchmark jar is missing or older than a pom or a main
# source file. Needs Java 17+ and Maven. Run it on a quiet machine: the figures are per core.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/benchmark-jar.sh
source "$ROOT/scripts/lib/benchmark-jar.sh"

# JMH finds the benchmarks through META-INF/BenchmarkList in the jar (written by its annotation processor at compile
# time) and forks its measuring JVMs with this class path. JMH ORs include patterns, so a further pattern in "$@"
# cannot narrow this one: use -e to exclude.
exec java -cp "benchmarks/target/lib/*:$JAR" org.openjdk.jmh.Main DecisionBenchmark "$@"
