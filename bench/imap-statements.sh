#!/usr/bin/env bash
# Benchmark: the Cassandra statements each IMAP command of compare-imap.sh's session costs on the cluster profile.
#
#   bench/imap-statements.sh [--tree DIR] [--messages 500] [--repeat 50] [--offset 13000]
#
# Starts the gateway of --tree (default: this checkout; it must be built) on the cluster profile with its own
# Cassandra, ports + --offset, fills user0@bench.test's INBOX with --messages messages (bench's MailLoad fill), then
# bench's ImapStatementCounts runs each command kind --repeat times and prints Cassandra's local reads and writes
# per command, table by table. Exact and independent of the machine's load (docs/benchmarks.md).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TREE=$REPO MESSAGES=500 REPEAT=50 OFFSET=13000
while (( $# )); do
  case $1 in
    --tree) TREE=$(cd "$2" && pwd); shift 2;;
    --messages) MESSAGES=$2; shift 2;;
    --repeat) REPEAT=$2; shift 2;;
    --offset) OFFSET=$2; shift 2;;
    *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2;;
  esac
done
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
[[ -f $REPO/bench/target/gateway-bench.jar ]] || (cd "$REPO" && mvn -B -q -o -DskipTests -pl bench -am package)
CP="$REPO/bench/target/gateway-bench.jar:$REPO/app/target/lib/*"
WORK=$(mktemp -d /tmp/gateway-imap-statements-XXXXXX)
CASSANDRA_BASE=$((OFFSET + 10000))  # its Cassandra, below the ephemeral range too (bench/lib.sh)
SETTINGS=(GATEWAY_HOME="$WORK/gateway" GATEWAY_NO_BUILD=1 GATEWAY_PROFILE=cluster GATEWAY_PORT_OFFSET="$OFFSET"
  GATEWAY_WEBADMIN_PORT=$((OFFSET + 800)) GATEWAY_BIND_ADDRESS=127.0.0.1 GATEWAY_DNS_SERVERS=127.0.0.1:9
  GATEWAY_SPAM_ENABLED=false GATEWAY_START_TIMEOUT=300 $(cassandra_ports "$CASSANDRA_BASE"))
ports_free $((OFFSET + 993)) $((OFFSET + 800)) $((CASSANDRA_BASE + 942))
trap 'env "${SETTINGS[@]}" "$TREE/bin/gateway" stop >/dev/null 2>&1 || true' EXIT
log "starting the gateway of $TREE (cluster profile, scratch $WORK)"
env "${SETTINGS[@]}" "$TREE/bin/gateway" start --domain bench.test >"$WORK/start.log" 2>&1 || { cat "$WORK/start.log" >&2; exit 1; }
printf '{"password":"bench"}' | curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @- \
  "http://127.0.0.1:$((OFFSET + 800))/users/user0@bench.test" >/dev/null
curl -fsS -X PUT "http://127.0.0.1:$((OFFSET + 800))/users/user0@bench.test/mailboxes/INBOX" >/dev/null
log "filling the INBOX with $MESSAGES messages"
java -cp "$CP" dev.gateway.bench.MailLoad fill --port $((OFFSET + 993)) --users 1 --messages "$MESSAGES" >&2
java -Dlogback.configurationFile="$REPO/bench/logback.xml" -cp "$CP" dev.gateway.bench.ImapStatementCounts --port $((OFFSET + 993)) --cassandra 127.0.0.1:$((CASSANDRA_BASE + 942)) \
  --repeat "$REPEAT"
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
