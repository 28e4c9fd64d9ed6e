# shellcheck shell=bash
# Shared by the launcher scripts (bin/gateway, bin/cassandra, bin/spamd, bin/rspamd, bin/rabbitmq), sourced, not run:
#   source "$REPO/bin/lib.sh" NAME
# NAME prefixes every message (`NAME: ...`), so each script keeps the words the tests and operators read.
# running_pid reads the sourcing script's PID_FILE.

LIB_NAME=${1:?bin/lib.sh is sourced with the name of the script}

die() { echo "$LIB_NAME: $*" >&2; exit 1; }
say() { echo "$LIB_NAME: $*"; }

# A live process, not a zombie: a server killed with -9 stays a zombie until its parent (often an init that never
# reaps, in containers) collects it. Alive while any of its threads is: a JVM's main thread shows Z as soon as it
# has ended, while the other threads are still exiting and its sockets still open, so a stop that looked at the main
# thread only said "stopped" with the server's ports still listened on (LauncherIT: Cassandra's JMX port, 2026-12-01).
# Pure bash: no process started per thread (a Cassandra has hundreds), and the first live thread ends the look.
# `read`, not `$(<file)`: under `set -e` a `$(<file)` whose file is gone (a thread that ended meanwhile) ends the
# whole script silently, whatever `||` follows it.
alive() {
  local stat line state
  for stat in /proc/"$1"/task/*/stat; do
    { read -r line <"$stat"; } 2>/dev/null || continue
    state=${line##*) }
    state=${state%% *}
    [[ $state != Z && $state != X ]] && return 0
  done
  return 1
}

# The pid in $PID_FILE when that process is alive; fails (prints nothing) otherwise.
running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid; pid=$(cat "$PID_FILE" 2>/dev/null) || return 1
  [[ -n $pid ]] && alive "$pid" || return 1
  echo "$pid"
}

# Whether something accepts TCP connections on PORT at HOST (default loopback).
listening() { # port [host]
  (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null
}

# The JVM option that has glibc give the free memory of its malloc arenas back to the system every MS milliseconds
# (-XX:TrimNativeHeapInterval: JDK 17 updates since 2024 accept it; those of late 2023 only as an experimental
# option), or nothing when MS is 0 or the java on PATH does not accept it, which it then says on stderr: a JVM refuses
# to start on an option it does not accept. MS is checked by the caller, before anything starts.
trim_native_heap_option() { # ms
  [[ $1 == 0 ]] && return 0
  if java -XX:TrimNativeHeapInterval="$1" -version >/dev/null 2>&1; then
    echo "-XX:TrimNativeHeapInterval=$1"
  else
    say "this java does not accept -XX:TrimNativeHeapInterval (a JDK 17 update of 2024 or later does):" \
      "its native heap is not trimmed" >&2
  fi
}
