#!/usr/bin/env bash
# Starts a KRaft cluster on 127.0.0.1 for failure experiments: N combined broker+controller nodes (default 3), each
# its own JVM on free ports, one quorum, replication factor 3 and min.insync.replicas 2 by default. Prints
# `READY kafka=<bootstrap servers>` when every node is up; Ctrl-C or SIGTERM kills every node.
#   ./scripts/local-cluster.sh [--nodes 3] [--dir DIR]
# Each node's pid, port and log file go to stderr; `kill -9 <pid>` of one node is a real crash. --dir (empty or
# absent) keeps the data and the node logs after exit; without it a temporary directory is used and deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$(ls demo/target/purpose-firewall-demo-*.jar 2>/dev/null | grep -v -e sources -e tests | head -n 1 || true)
if [ -z "$jar" ] || [ -n "$(find pom.xml */pom.xml */src -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "building (first run, or sources changed)..." >&2
  mvn -B -q -DskipTests -DskipTestRegistry install >&2
  jar=$(ls demo/target/purpose-firewall-demo-*.jar | grep -v -e sources -e tests | head -n 1)
fi
# The coordinator JVM only waits; each node JVM gets its own small heap (LocalKafkaCluster.NODE_JVM_OPTIONS).
exec java -Xmx256m -cp "demo/target/lib/*:$jar" org.purposefirewall.kafkalocal.LocalKafkaClusterMain "$@"
