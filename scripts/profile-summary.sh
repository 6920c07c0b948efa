#!/usr/bin/env bash
# Summarizes a JFR recording of ./scripts/benchmark.sh --profile FILE.jfr: the share of the timed window the
# firewall's stream threads ran Java code, the top frames by self and inclusive time on them, and the top allocation
# sites (jdk.ObjectAllocationSample). Prints code locations and counts only, never record contents.
# Usage: scripts/profile-summary.sh FILE.jfr [--threads REGEX] [--top N]
# Builds the benchmarks module first if its jar is missing or stale (as benchmark.sh). Needs Java 17+.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Resolve the recording's path before changing directory.
args=()
for arg in "$@"; do
  if [[ "$arg" == *.jfr && -f "$arg" ]]; then
    args+=("$(cd "$(dirname "$arg")" && pwd)/$(basename "$arg")")
  else
    args+=("$arg")
  fi
done
cd "$ROOT"

# shellcheck source=lib/benchmark-jar.sh
source "$ROOT/scripts/lib/benchmark-jar.sh"

exec java -cp "benchmarks/target/lib/*:$JAR" org.purposefirewall.benchmarks.ProfileSummary "${args[@]}"
