#!/usr/bin/env bash
# What the shipped default (cluster profile, with the Cassandra bin/gateway starts) costs while it has nothing to do.
#
#   bench/idle-cpu.sh [--seconds 60] [--samples 3] [--warmup 300] [--settle 30] [--rounds 1] [--jfr] [TREE...]
#
# For each tree (default: this one; each must be built, as bin/gateway builds it), one after the other in each
# round: start the gateway and its Cassandra, deliver --warmup messages of 2 KB over 10 sessions (so that the JVMs
# have compiled the paths a message takes), wait --settle seconds, then bench's IdleCost measures --samples windows
# of --seconds: CPU per second of each JVM (from /proc, by thread) and Cassandra's local reads and writes per second,
# table by table. --jfr then records one more window in both JVMs, summarised with bench/jfr-top.py. Output in
# $IDLE_OUT (default /tmp/gateway-idle-<time>/: idle-<tree>-<round>.txt). BENCH_PORT_BASE moves the ports (default 25000).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"

SECONDS_PER_SAMPLE=60 SAMPLES=3 WARMUP=300 SETTLE=30 ROUNDS=1 JFR=0 TREES=()
while (( $# )); do
  case $1 in
    --seconds) SECONDS_PER_SAMPLE=$2; shift 2;;
    --samples) SAMPLES=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    --settle) SETTLE=$2; shift 2;;
    --rounds) ROUNDS=$2; shift 2;;
    --jfr) JFR=1; shift;;
    -*) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2;;
    *) TREES+=("$(cd "$1" && pwd)"); shift;;
  esac
done
(( ${#TREES[@]} )) || TREES=("$REPO")

PORT_BASE=${BENCH_PORT_BASE:-25000} DOMAIN=bench.test USERS=10
CASSANDRA_BASE=$((PORT_BASE - 20000))  # its Cassandra below the ephemeral range (bench/lib.sh)
OUT=${IDLE_OUT:-/tmp/gateway-idle-$(date +%Y%m%d-%H%M%S)} WORK=$(mktemp -d /tmp/gateway-idle.XXXXXX)
mkdir -p "$OUT"
LOAD_JAR=$REPO/bench/target/gateway-bench.jar
[[ -f $LOAD_JAR ]] || (cd "$REPO" && mvn -q -B -ntp -DskipTests package -pl bench -am)
LOAD_CP="$LOAD_JAR:$REPO/app/target/lib/*"

gateway() { # tree command [args]
  env GATEWAY_HOME="$WORK/gateway" GATEWAY_NO_BUILD=1 GATEWAY_PORT_OFFSET="$PORT_BASE" \
    GATEWAY_WEBADMIN_PORT=$((PORT_BASE + 800)) GATEWAY_BIND_ADDRESS=127.0.0.1 GATEWAY_TRUSTED_NETWORKS=192.0.2.0/24 \
    GATEWAY_DNS_SERVERS=127.0.0.1:9 GATEWAY_SMTP_CONNECTION_LIMIT_PER_IP=200 GATEWAY_SMTP_ALT_PORT=$((PORT_BASE + 525)) \
    GATEWAY_PROFILE=cluster GATEWAY_SPAM_ENABLED=false GATEWAY_START_CASSANDRA=1 \
    $(cassandra_ports "$CASSANDRA_BASE") "$1/bin/gateway" "${@:2}"
}
stop() { gateway "$1" stop >/dev/null 2>&1 || true; }

measure() { # tree round
  local tree=$1 name; name=$(basename "$1")
  local file=$OUT/idle-$name-$2.txt webadmin=http://127.0.0.1:$((PORT_BASE + 800))
  ports_free $((PORT_BASE + 25)) $((PORT_BASE + 800)) $((CASSANDRA_BASE + 942)) || return 1
  rm -rf "$WORK/gateway"
  log "$name: starting (round $2)"
  trap 'stop "$tree"' EXIT
  gateway "$tree" start --domain "$DOMAIN" > "$WORK/start.log" 2>&1 || { cat "$WORK/start.log" >&2; stop "$tree"; return 1; }
  local gw cass u
  gw=$(cat "$WORK/gateway/var/run/gateway.pid") cass=$(cat "$WORK/gateway/var/cassandra/cassandra.pid")
  for ((u = 0; u < USERS; u++)); do
    printf '{"password":"bench"}' | curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @- \
      "$webadmin/users/user$u@$DOMAIN" >/dev/null
  done
  log "$name: warm-up, $WARMUP messages"
  java -cp "$LOAD_CP" dev.gateway.bench.SmtpLoad --port $((PORT_BASE + 25)) --messages "$WARMUP" --warmup 0 \
    --sessions 10 --size 2048 --users "$USERS" --domain "$DOMAIN" --pids "$gw,$cass" --clock-ticks "$(getconf CLK_TCK)" \
    --webadmin "$webadmin" > "$WORK/warmup.txt" 2>&1 || { log "warm-up failed"; cat "$WORK/warmup.txt" >&2; }
  log "$name: settling ${SETTLE}s, then $SAMPLES x ${SECONDS_PER_SAMPLE}s (gateway $gw, Cassandra $cass)"
  sleep "$SETTLE"
  { echo "tree $tree ($(git -C "$tree" rev-parse --short HEAD 2>/dev/null || echo copy)), round $2, load $(cut -d' ' -f1-3 /proc/loadavg)"
    java -Dlogback.configurationFile="$REPO/bench/logback.xml" -cp "$LOAD_CP" dev.gateway.bench.IdleCost --pids "$gw,$cass" --seconds "$SECONDS_PER_SAMPLE" \
      --samples "$SAMPLES" --cassandra 127.0.0.1:$((CASSANDRA_BASE + 942)) --label "$name" 2>/dev/null
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$file"
  if (( JFR )); then
    log "$name: recording ${SECONDS_PER_SAMPLE}s with JFR"
    jcmd "$gw" JFR.start name=idle settings=profile filename="$OUT/idle-$name-$2-gateway.jfr" >/dev/null
    jcmd "$cass" JFR.start name=idle settings=profile filename="$OUT/idle-$name-$2-cassandra.jfr" >/dev/null
    sleep "$SECONDS_PER_SAMPLE"
    jcmd "$gw" JFR.stop name=idle >/dev/null; jcmd "$cass" JFR.stop name=idle >/dev/null
    python3 "$REPO/bench/jfr-top.py" "$OUT/idle-$name-$2-gateway.jfr" > "$OUT/idle-$name-$2-gateway-jfr.txt" || true
    python3 "$REPO/bench/jfr-top.py" "$OUT/idle-$name-$2-cassandra.jfr" --cassandra > "$OUT/idle-$name-$2-cassandra-jfr.txt" || true
  fi
  stop "$tree"
  trap - EXIT
}

for ((round = 1; round <= ROUNDS; round++)); do
  for tree in "${TREES[@]}"; do measure "$tree" "$round" || log "$(basename "$tree") did not start; skipped"; done
done
rm -rf "$WORK"
log "results in $OUT"
