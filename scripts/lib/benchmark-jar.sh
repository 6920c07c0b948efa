# Sourced by the benchmark scripts (not run on its own). After sourcing, JAR is the benchmarks module's jar, built
# first (mvn package of the benchmarks module and the modules it needs, tests skipped) if it is missing or older than
# a pom or a main source file: a benchmark of stale code would be silently wrong. Nothing is installed into the local
# Maven repository (benchmarks/target/lib gets the reactor's own jars). Expects the working directory to be the
# repository root.

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

# True if there is no build yet, or a pom or main source file is newer than the benchmark jar.
needs_build() {
  [[ -z "$JAR" || ! -d benchmarks/target/lib ]] && return 0
  local newer
  newer="$(find . -path ./.git -prune -o -path '*/target' -prune -o -type f \( -name pom.xml -o -path '*/src/main/*' \) \
    -newer "$JAR" -print 2>/dev/null | head -n 1 || true)"
  [[ -n "$newer" ]]
}

JAR="$(find_jar)"
if needs_build; then
  echo "Building (mvn -B -q -DskipTests -DskipTestRegistry -pl benchmarks -am package) ..." >&2
  mvn -B -q -DskipTests -DskipTestRegistry -pl benchmarks -am package
  JAR="$(find_jar)"
fi
if [[ -z "$JAR" ]]; then
  echo "benchmark jar not found under benchmarks/target after the build" >&2
  exit 1
fi
