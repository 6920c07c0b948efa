# Sourced by the benchmark scripts and scripts/campaign.sh (not run on its own). After sourcing, JAR is the jar of
# the module named by JAR_MODULE (default benchmarks), built first (mvn package of that module and the modules it
# needs, tests skipped) if it is missing or older than a pom or a main source file: a run of stale code would be
# silently wrong. Nothing is installed into the local Maven repository (<module>/target/lib gets the reactor's own
# jars). Expects the working directory to be the repository root.

JAR_MODULE="${JAR_MODULE:-benchmarks}"

# The benchmark jar, or nothing if it is not built yet (never fails, so that set -e does not end the script).
find_jar() {
  [[ -d "$JAR_MODULE/target" ]] || return 0
  local jar
  for jar in "$JAR_MODULE"/target/purpose-firewall-"$JAR_MODULE"-*.jar; do
    case "$jar" in
      *-sources.jar | *-javadoc.jar | *-tests.jar) ;;
      *) [[ -f "$jar" ]] && { echo "$jar"; return 0; } ;;
    esac
  done
  return 0
}

# True if there is no build yet, or a pom or main source file is newer than the benchmark jar.
needs_build() {
  [[ -z "$JAR" || ! -d "$JAR_MODULE/target/lib" ]] && return 0
  local newer
  newer="$(find . -path ./.git -prune -o -path '*/target' -prune -o -type f \( -name pom.xml -o -path '*/src/main/*' \) \
    -newer "$JAR" -print 2>/dev/null | head -n 1 || true)"
  [[ -n "$newer" ]]
}

JAR="$(find_jar)"
if needs_build; then
  echo "Building (mvn -B -q -DskipTests -DskipTestRegistry -pl $JAR_MODULE -am package) ..." >&2
  mvn -B -q -DskipTests -DskipTestRegistry -pl "$JAR_MODULE" -am package
  JAR="$(find_jar)"
  # Maven's jar plugin leaves a jar whose classes did not change as it was, old time included, though the jars
  # under target/lib were rebuilt: mark the build as done, so the next run does not build again.
  [[ -n "$JAR" ]] && touch "$JAR"
fi
if [[ -z "$JAR" ]]; then
  echo "$JAR_MODULE jar not found under $JAR_MODULE/target after the build" >&2
  exit 1
fi
