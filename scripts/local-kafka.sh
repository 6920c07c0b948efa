#!/usr/bin/env bash
# Starts a single-node KRaft broker on 127.0.0.1 (default port 19092, controller 19093) for trying the firewall
# against a real server. Prints `bootstrap.servers=...` when ready; Ctrl-C or SIGTERM stops it.
#   ./scripts/local-kafka.sh [--port 19092] [--controller-port 19093] [--log-dir DIR]
# With --log-dir the data survives restarts; without, a temporary directory is used and deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$(ls demo/target/purpose-firewall-demo-*.jar 2>/dev/null | grep -v -e sources -e tests | head -n 1 || true)
if [ -z "$jar" ] || [ -n "$(find pom.xml */pom.xml */src -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "building (first run, or sources changed)..." >&2
  mvn -B -q -DskipTests -DskipTestRegistry install >&2
  jar=$(ls demo/target/purpose-firewall-demo-*.jar | grep -v -e sources -e tests | head -n 1)
fi
exec java -Xms256m -Xmx1g -cp "demo/target/lib/*:$jar" org.purposefirewall.kafkalocal.LocalKafkaBrokerMain "$@"
