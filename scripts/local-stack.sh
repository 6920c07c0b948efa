#!/usr/bin/env bash
# Starts a local Kafka broker (KRaft) and a local Confluent-compatible schema registry (Apicurio Registry built from
# Maven Central) together on 127.0.0.1, for running the firewall against real servers. Ctrl-C or SIGTERM stops both.
# Registry data and the broker's log are kept in the state directory, so topics and schemas survive a restart.
#   ./scripts/local-stack.sh [--kafka-port N] [--registry-port M] [--state-dir DIR]
# Ports: 19092 (broker) and 18081 (registry) by default; 0 picks a free one; a default port already in use is
# replaced by a free one. When both answer it prints, on standard output, one line to wait for:
#   READY kafka=127.0.0.1:NNNN registry=http://127.0.0.1:MMMM
# followed by the commands of the next steps with those addresses. Logs go to the state directory
# (default: target/local-stack under the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
state=target/local-stack
kafka_port=
registry_port=
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --kafka-port) kafka_port=${2:?--kafka-port needs a value}; shift 2 ;;
    --registry-port) registry_port=${2:?--registry-port needs a value}; shift 2 ;;
    --state-dir) state=${2:?--state-dir needs a value}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option $1" >&2; usage; exit 2 ;;
  esac
done
for p in "$kafka_port" "$registry_port"; do
  if [ -n "$p" ] && ! [[ "$p" =~ ^[0-9]+$ && "$p" -le 65535 ]]; then echo "not a port: $p" >&2; exit 2; fi
done
mkdir -p "$state"
state=$(cd "$state" && pwd)

in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! in_use "$p"; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}
# A port given explicitly must be free; a default one that is taken is replaced (and said so).
pick() { # name given default
  if [ -z "$2" ]; then
    if in_use "$3"; then local p; p=$(free_port); echo "$1: port $3 is in use, using $p" >&2; echo "$p"; else echo "$3"; fi
  elif [ "$2" = 0 ]; then free_port
  elif in_use "$2"; then echo "$1: port $2 is already in use" >&2; return 1
  else echo "$2"; fi
}
kafka_port=$(pick kafka "$kafka_port" 19092)
registry_port=$(pick registry "$registry_port" 18081)

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
trap cleanup EXIT
trap 'exit 0' INT TERM

# The controller port is the broker's own business: a free one each time.
: > "$state/kafka.out"
java -Xms256m -Xmx1g -cp "demo/target/lib/*:$demo_jar" org.purposefirewall.kafkalocal.LocalKafkaBrokerMain \
  --port "$kafka_port" --controller-port 0 --log-dir "$state/kafka" > "$state/kafka.out" 2> "$state/kafka.log" &
pids+=($!)

# Minimal environment and a no-op Sentry DSN: the registry must not reach out to anything.
env -i PATH="$PATH" HOME="$HOME" java -Xmx256m -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$registry_port" \
  -Dsentry.dsn=noop://localhost "-DREGISTRY_DATASOURCE_URL=jdbc:h2:file:$state/registry/h2;WRITE_DELAY=0" \
  -jar "$registry_jar" > "$state/registry.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 180); do
  kafka=$(sed -n 's/^bootstrap\.servers=//p' "$state/kafka.out" 2>/dev/null | head -n 1)
  registry_up=$(curl -fs -o /dev/null -w '%{http_code}' "http://127.0.0.1:$registry_port/health/ready" 2>/dev/null || true)
  if [ -n "$kafka" ] && [ "$registry_up" = "200" ]; then
    registry=http://127.0.0.1:$registry_port
    echo "READY kafka=$kafka registry=$registry"
    cat <<NEXT
schema.registry.url for the firewall and producers: $registry/apis/ccompat/v7
next, in another terminal:
  bin/purpose-firewall create-topics --config config/application.yaml --bootstrap-servers $kafka
  bin/purpose-firewall run --config config/application.yaml --bootstrap-servers $kafka --schema-registry-url $registry/apis/ccompat/v7
logs: $state/kafka.log $state/registry.log  (Ctrl-C stops both)
NEXT
    set +e
    wait -n "${pids[@]}"
    echo "a server exited; stopping the other (see the logs above)" >&2
    exit 1
  fi
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "a server failed to start; see $state/kafka.log and $state/registry.log" >&2
      exit 1
    fi
  done
  sleep 1
done
echo "servers did not start within 180 s; see $state/kafka.log and $state/registry.log" >&2
exit 1
