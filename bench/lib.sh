# Shared by the bench scripts (sourced): logging, waiting for a port, refusing to start on a taken one, stopping a pid.
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

wait_port() { # port seconds
  local deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}

# A server left over from an earlier run would answer in place of the one under test.
ports_free() {
  local port
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then log "port $port is taken: stop what listens there"; return 1; fi
  done
}

stop_pid() {
  kill -TERM "$1" 2>/dev/null || return 0
  local deadline=$((SECONDS + 30))
  while kill -0 "$1" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
  kill -KILL "$1" 2>/dev/null || true
}
