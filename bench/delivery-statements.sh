#!/usr/bin/env bash
# Benchmark: the Cassandra statements one delivered message costs on the cluster profile, table by table.
#
#   bench/delivery-statements.sh [--tree DIR] [--messages 300] [--warmup 100] [--offset 14000]
#
# Starts the gateway of --tree (default: this checkout; it must be built) on the cluster profile with its own
# Cassandra, ports + --offset, spam filter off, 10 users; sends --warmup messages of 2 KB over 10 sessions (not
# counted), then --messages more around bench's CassandraTableCounts (save, load, diff). Exact and independent of the
# machine's load (docs/benchmarks.md, "Statements per delivered message").
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TREE=$REPO MESSAGES=300 WARMUP=100 OFFSET=14000 USERS=10 DOMAIN=bench.test
while (( $# )); do
  case $1 in
    --tree) TREE=$(cd "$2" && pwd); shift 2;;
    --messages) MESSAGES=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    --offset) OFFSET=$2; shift 2;;
    *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2;;
  esac
done
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
[[ -f $REPO/bench/target/gateway-bench.jar ]] || (cd "$REPO" && mvn -B -q -o -DskipTests -pl bench -am package)
CP="$REPO/bench/target/gateway-bench.jar:$REPO/app/target/lib/*"
WORK=$(mktemp -d /tmp/gateway-delivery-statements-XXXXXX)
CASSANDRA_BASE=$((OFFSET + 10000))  # its Cassandra, below the ephemeral range too (bench/lib.sh)
WEBADMIN=http://127.0.0.1:$((OFFSET + 800)) CASSANDRA=127.0.0.1:$((CASSANDRA_BASE + 942))
SETTINGS=(GATEWAY_HOME="$WORK/gateway" GATEWAY_NO_BUILD=1 GATEWAY_PROFILE=cluster GATEWAY_PORT_OFFSET="$OFFSET"
  GATEWAY_WEBADMIN_PORT=$((OFFSET + 800)) GATEWAY_BIND_ADDRESS=127.0.0.1 GATEWAY_DNS_SERVERS=127.0.0.1:9
  GATEWAY_TRUSTED_NETWORKS=192.0.2.0/24 GATEWAY_SMTP_CONNECTION_LIMIT_PER_IP=200 GATEWAY_SMTP_ALT_PORT=$((OFFSET + 525))
  GATEWAY_SPAM_ENABLED=false GATEWAY_START_CASSANDRA=1 GATEWAY_START_TIMEOUT=300 $(cassandra_ports "$CASSANDRA_BASE"))
ports_free $((OFFSET + 25)) $((OFFSET + 800)) $((CASSANDRA_BASE + 942))
trap 'env "${SETTINGS[@]}" "$TREE/bin/gateway" stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
log "starting the gateway of $TREE (cluster profile, scratch $WORK)"
env "${SETTINGS[@]}" "$TREE/bin/gateway" start --domain "$DOMAIN" >"$WORK/start.log" 2>&1 || { cat "$WORK/start.log" >&2; exit 1; }
for ((u = 0; u < USERS; u++)); do
  printf '{"password":"bench"}' | curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @- \
    "$WEBADMIN/users/user$u@$DOMAIN" >/dev/null
done
PIDS=$(cat "$WORK/gateway/var/run/gateway.pid"),$(cat "$WORK/gateway/var/cassandra/cassandra.pid")
load() { # messages (SmtpLoad prints the CPU per message of the gateway and of Cassandra on stderr)
  java -cp "$CP" dev.gateway.bench.SmtpLoad --port $((OFFSET + 25)) --messages "$1" --warmup 0 --sessions 10 \
    --size 2048 --users "$USERS" --domain "$DOMAIN" --webadmin "$WEBADMIN" --pids "$PIDS" --clock-ticks "$(getconf CLK_TCK)"
}
log "warm-up: $WARMUP messages"
load "$WARMUP" >&2
java -Dlogback.configurationFile="$REPO/bench/logback.xml" -cp "$CP" dev.gateway.bench.CassandraTableCounts "$CASSANDRA" save "$WORK/counts.txt"
log "counted: $MESSAGES messages"
load "$MESSAGES" >&2
java -Dlogback.configurationFile="$REPO/bench/logback.xml" -cp "$CP" dev.gateway.bench.CassandraTableCounts "$CASSANDRA" diff "$WORK/counts.txt" "$MESSAGES"
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
