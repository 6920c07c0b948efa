#!/usr/bin/env bash
# The README's first command: runs the Purpose Firewall on an embedded default (an in-process KRaft broker and the
# in-memory schema registry), feeds it the scenario traffic and prints a live count of every output, then a report.
# Builds first when the demo jar is missing or older than any pom, source or config file. Ctrl-C stops and reports.
# Options: ./scripts/demo.sh --help. Needs Java 17+ and Maven; everything else comes from Maven Central.
set -euo pipefail

caller_dir="$PWD"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"

demo_jar() {
  local jar
  for jar in demo/target/purpose-firewall-demo-*.jar; do
    case "$jar" in
      *-sources.jar | *-javadoc.jar | *-tests.jar) ;;
      *) [[ -f "$jar" ]] && { printf '%s\n' "$jar"; return 0; } ;;
    esac
  done
  return 1
}

jar="$(demo_jar || true)"
stale=""
if [[ -z "$jar" ]]; then
  stale="no demo jar yet"
elif [[ -n "$(find pom.xml ./*/pom.xml ./*/src config -newer "$jar" -type f -print -quit 2>/dev/null)" ]]; then
  stale="sources changed since the last build"
fi
if [[ -n "$stale" ]]; then
  command -v mvn >/dev/null || { echo "demo.sh: Maven (mvn) is needed to build the demo ($stale)" >&2; exit 2; }
  echo "demo.sh: building ($stale; mvn -B -q -DskipTests -DskipTestRegistry install)..." >&2
  # Quiet, but errors still show; Maven 3.8 prints stray colour resets even in batch mode.
  mvn -B -q -DskipTests -DskipTestRegistry install 2>&1 | sed -e $'s/\x1b\\[0m//g' -e '/^[[:space:]]*$/d' >&2
  jar="$(demo_jar)" || { echo "demo.sh: the build produced no demo/target/purpose-firewall-demo-*.jar" >&2; exit 1; }
  # Maven keeps an unchanged jar as it was; mark it as built now, so that the next run does not build again.
  touch "$jar"
fi

command -v java >/dev/null || { echo "demo.sh: Java 17+ (java) is needed to run the demo" >&2; exit 2; }

# Run from the caller's directory, so that a relative --config means what the caller typed; the demo reads
# config/application.yaml from there when present, else its bundled copy of this repository's config/.
cd "$caller_dir"
exec java -Xmx1g -cp "$root/demo/target/lib/*:$root/$jar" org.purposefirewall.demo.DemoMain "$@"
