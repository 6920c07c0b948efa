#!/usr/bin/env bash
# Single-thread JMH microbenchmarks of the per-record decision: identifier normalization (hashing, phone parsing)
# and the policy decision, without Kafka (see DecisionBenchmark's class comment for what each benchmark measures).
# Usage: scripts/benchmark-decisions.sh [JMH options], e.g. -wi 3 -w 1s -i 5 -r 1s -f 1 (the defaults), -prof gc,
# -e REGEX to leave out benchmarks (-e 'Phone|Email' keeps decidePreNormalized and decideOnly); -h lists JMH's options.
# Builds the project first (mvn install, tests skipped) if the benchmark jar is missing or older than a pom or a main
# source file. Needs Java 17+ and Maven. Run it on a quiet machine: the figures are per core.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The benchmark jar, or nothing if it is not built yet (never fails, so that set -e does not end the script).
find_jar() {
  [[ -d benchmarks/target ]] || return 0
  local jar
  for jar in benchmarks/target/purpose-firewall-benchmarks-*.jar; do
    case "$jar" in
      *-sources.jar | *-javadoc.jar | *-tests.jar) ;;
      *) [[ -f "$jar" ]] && { echo "$jar"; return 0; } ;;
    esac
  done
  return 0
}

# True if there is no build yet, or a pom or main source file is newer than the benchmark jar: a benchmark of stale
# code would be silently wrong.
needs_build() {
  [[ -z "$JAR" || ! -d benchmarks/target/lib ]] && return 0
  local newer
  newer="$(find . -path ./.git -prune -o -path '*/target' -prune -o -type f \( -name pom.xml -o -path '*/src/main/*' \) \
    -newer "$JAR" -print 2>/dev/null | head -n 1 || true)"
  [[ -n "$newer" ]]
}

JAR="$(find_jar)"
if needs_build; then
  echo "Building (mvn -B -q -DskipTests -DskipTestRegistry install) ..." >&2
  mvn -B -q -DskipTests -DskipTestRegistry install
  JAR="$(find_jar)"
fi
if [[ -z "$JAR" ]]; then
  echo "benchmark jar not found under benchmarks/target after the build" >&2
  exit 1
fi

# JMH finds the benchmarks through META-INF/BenchmarkList in the jar (written by its annotation processor at compile
# time) and forks its measuring JVMs with this class path. JMH ORs include patterns, so a further pattern in "$@"
# cannot narrow this one: use -e to exclude.
exec java -cp "benchmarks/target/lib/*:$JAR" org.openjdk.jmh.Main DecisionBenchmark "$@"
