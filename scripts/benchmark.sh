#!/usr/bin/env bash
# Throughput of the firewall topology against a pass-through topology, on one in-process Kafka broker.
# Usage: scripts/benchmark.sh [--users N] [--partitions N] [--warmup-users N] [--rounds N] [--config FILE]
# Builds the project first (mvn install, tests skipped) if the benchmark jar is missing or older than a pom or a main
# source file. Needs Java 17+ and Maven.
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

exec java -Xmx2g -cp "benchmarks/target/lib/*:$JAR" org.purposefirewall.benchmarks.FirewallBenchmark "$@"
