# Shared by the bench scripts (sourced): logging, waiting for a port, refusing to start on a taken one, stopping a pid.
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

wait_port() { # port seconds
  local deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}

# Linux's ephemeral range (32768-60999 by default): the local ports of outgoing connections, the load's and the
# servers' own, are taken from it, so a listener on a fixed port inside it can find its port in use.
ephemeral_low() { local low; read -r low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null && echo "$low" || echo 32768; }

# A server left over from an earlier run would answer in place of the one under test. A port in the ephemeral range
# is refused too: the gateway's WebAdmin failed to bind 45800 ("Address already in use") in two runs of five on
# 2026-12-06, its cells skipped; most likely an outgoing connection held that local port (Linux gives connect() even
# ports first).
ports_free() {
  local port low
  low=$(ephemeral_low)
  for port in "$@"; do
    if (( port >= low )); then log "port $port is in the ephemeral range (from $low): choose a lower base"; return 1; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then log "port $port is taken: stop what listens there"; return 1; fi
  done
}

stop_pid() {
  kill -TERM "$1" 2>/dev/null || return 0
  local deadline=$((SECONDS + 30))
  while kill -0 "$1" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
  kill -KILL "$1" 2>/dev/null || true
}

# bin/gateway's settings for a benchmark's own Cassandra: its CQL, storage and JMX ports at base + 942, 700 and 199.
# The base must leave them below the ephemeral range: compare-imap.sh's Cassandra once failed to bind 47942
# ("Address already in use") after the Dovecot cells' tens of thousands of sessions.
cassandra_ports() { # base
  (( $1 + 942 < $(ephemeral_low) )) || { log "Cassandra's port base $1 reaches the ephemeral range"; return 1; }
  echo "GATEWAY_CASSANDRA_PORT=$(($1 + 942)) GATEWAY_CASSANDRA_STORAGE_PORT=$(($1 + 700)) GATEWAY_CASSANDRA_JMX_PORT=$(($1 + 199))"
}
