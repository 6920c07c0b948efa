#!/usr/bin/env bash
# Failure campaign: several firewall instances (separate processes, one Kafka Streams application) on a local
# cluster, with kill -9s of instances, broker restarts and a CPU-starvation stretch under mixed traffic, judged from
# the outputs alone. Exit 0 only when lost/duplicated/leaked/wrong are 0/0/0/0.
# Usage: scripts/campaign.sh [--instances N] [--contact-points N] [--kills N] [--broker-restarts N] [--rate N]
#        [--starvation-s N] [--seed N] [--deadline-s N] [--membership static|dynamic] ...   (--help lists every option)
# A small run: scripts/campaign.sh --contact-points 20000 --kills 3 --broker-restarts 1 --starvation-s 5 --rate 2000
# Builds the campaign module first (mvn package, tests skipped) if its jar is missing or older than a pom or a main
# source file. Needs Java 17+ and Maven. Every process it starts is stopped when it ends, also on Ctrl-C.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

JAR_MODULE=campaign
# shellcheck source=lib/benchmark-jar.sh
source "$ROOT/scripts/lib/benchmark-jar.sh"

exec java -Xmx2g -XX:+UseParallelGC -Dlogback.configurationFile=campaign-logback.xml -cp "campaign/target/lib/*:$JAR" org.purposefirewall.campaign.Campaign "$@"
