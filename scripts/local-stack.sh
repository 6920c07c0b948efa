#!/usr/bin/env bash
# Starts a local Kafka broker (KRaft, 127.0.0.1:19092) and a local Confluent-compatible schema registry
# (Apicurio Registry built from Maven Central, 127.0.0.1:18081) together, for running the firewall against real
# servers. Ctrl-C stops both. Registry data is kept in the state directory, so schemas survive a restart.
#   ./scripts/local-stack.sh [--state-dir DIR]      (default: target/local-stack under the repository)
# Then, in another terminal, the demo against the real registry (it still starts its own in-process broker):
#   ./scripts/demo.sh --registry-url http://127.0.0.1:18081/apis/ccompat/v7
# or the firewall itself against both servers (create the topics first, co-partitioned; consent compacted):
#   java -jar streams-app/target/purpose-firewall-streams-app-*.jar run --config config/application.yaml \
#     --bootstrap-servers 127.0.0.1:19092 --schema-registry-url http://127.0.0.1:18081/apis/ccompat/v7
set -euo pipefail
cd "$(dirname "$0")/.."
state=target/local-stack
if [ "${1:-}" = "--state-dir" ]; then state=$2; fi
mkdir -p "$state"
state=$(cd "$state" && pwd)

registry_jar=test-registry/target/quarkus-app/quarkus-run.jar
demo_jar=$(ls demo/target/purpose-firewall-demo-*.jar 2>/dev/null | grep -v -e sources -e tests | head -n 1 || true)
if [ ! -f "$registry_jar" ] || [ -z "$demo_jar" ]; then
  echo "building (first run: downloads the registry's dependencies, a few minutes)..." >&2
  mvn -B -q -DskipTests install >&2
  demo_jar=$(ls demo/target/purpose-firewall-demo-*.jar | grep -v -e sources -e tests | head -n 1)
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

java -Xms256m -Xmx1g -cp "demo/target/lib/*:$demo_jar" org.purposefirewall.kafkalocal.LocalKafkaBrokerMain \
  --port 19092 --controller-port 19093 --log-dir "$state/kafka" > "$state/kafka.out" 2> "$state/kafka.log" &
pids+=($!)

# Minimal environment and a no-op Sentry DSN: the registry must not reach out to anything.
env -i PATH="$PATH" HOME="$HOME" java -Xmx256m -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=18081 \
  -Dsentry.dsn=noop://localhost "-DREGISTRY_DATASOURCE_URL=jdbc:h2:file:$state/registry/h2;WRITE_DELAY=0" \
  -jar "$registry_jar" > "$state/registry.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do
  broker_up=$(grep -c '^bootstrap.servers=' "$state/kafka.out" 2>/dev/null || true)
  registry_up=$(curl -fs -o /dev/null -w '%{http_code}' http://127.0.0.1:18081/health/ready 2>/dev/null || true)
  if [ "$broker_up" = "1" ] && [ "$registry_up" = "200" ]; then
    echo "bootstrap.servers=127.0.0.1:19092"
    echo "schema.registry.url=http://127.0.0.1:18081/apis/ccompat/v7"
    echo "logs: $state/kafka.log $state/registry.log  (Ctrl-C stops both)"
    wait -n "${pids[@]}"
    echo "a server exited; stopping the other" >&2
    exit 1
  fi
  sleep 1
done
echo "servers did not start within 120 s; see $state/kafka.log and $state/registry.log" >&2
exit 1
