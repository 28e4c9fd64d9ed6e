#!/usr/bin/env bash
# Benchmark: IMAP and POP3 of the Gateway (memory and cluster profiles) against Dovecot, in one run on one machine.
#
#   bench/compare-imap.sh [--duration S] [--warmup S] [--clients "10 50"] [--messages N] [--servers "dovecot dovecot-perf gateway-memory gateway-cluster"]
#                         [--pop3-clients "10"] [--no-abuse] [--attacks "all"] [--out DIR] [--jfr]
#
# Each server is started fresh, its users' INBOXes are filled with the same --messages messages (APPEND over IMAPS,
# bench's MailLoad fill), then bench's MailLoad measures, for --duration seconds after --warmup seconds: IMAP at each
# --clients count, IMAP at the largest count under attack (bench's ImapAbuse: the attacks of ProtocolAbuseIT), and
# POP3 at each --pop3-clients count (--pop3-clients "": none). --attacks: which of ImapAbuse's attacks the abuse cell
# runs: all (the default), or hoard, nest, flood, comma-separated; several such sets, space-separated, give one abuse
# cell each (--attacks "hoard nest flood": each attack alone). CPU is the server's process tree from /proc (Dovecot's master and
# children; the gateway's JVM, plus Cassandra's for the cluster profile); peak RSS likewise. Writes imap-results.csv,
# imap-table.txt and imap-machine.txt to --out (default docs/benchmarks/); docs/benchmarks.md explains them.
# --jfr: a Flight Recording of the cluster gateway during its IMAP cell at the largest count, summarised by
# bench/jfr-top.py into imap-profile-cluster.txt. Needs root (installs dovecot-imapd and dovecot-pop3d if missing).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=60 WARMUP=10 CLIENTS="10 50" POP3_CLIENTS="10" MESSAGES=500 USERS=10 ABUSE=1 JFR=0
ATTACKS=all SERVERS="dovecot gateway-memory gateway-cluster" OUT=$REPO/docs/benchmarks DOMAIN=bench.test PASSWORD=bench
while (( $# )); do
  case $1 in
    --duration) DURATION=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    --clients) CLIENTS=$2; shift 2;;
    --pop3-clients) POP3_CLIENTS=$2; shift 2;;
    --messages) MESSAGES=$2; shift 2;;
    --servers) SERVERS=$2; shift 2;;
    --no-abuse) ABUSE=0; shift;;
    --attacks) ATTACKS=$2; shift 2;;
    --jfr) JFR=1; shift;;
    --out) OUT=$2; shift 2;;
    *) sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 2;;
  esac
done

WORK=$(mktemp -d /tmp/gateway-compare-imap-XXXXXX)
chmod 755 "$WORK"
CSV=$WORK/imap-results.csv
LOAD_JAR=$REPO/bench/target/gateway-bench.jar
DOVECOT_OFFSET=21000 GATEWAY_OFFSET=22000
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
load() { java -Xms64m -Xmx512m -cp "$LOAD_JAR" dev.gateway.bench.MailLoad "$@"; }

# --- Dovecot: a private instance (own config, base_dir, logs, Maildirs, passwd-file, self-signed certificate) on
# 127.0.0.1:21993 (IMAPS) and :21995 (POP3S); nothing under /etc/dovecot is read or changed. Defaults otherwise,
# except mail_max_userip_connections (10 by default; 50 clients on 10 users from one address need more).
# dovecot-perf (not in the default --servers): the same in Dovecot's "high-performance" login mode
# (service_count = 0: login processes serve many connections instead of one process per connection).
LOGIN_SERVICE_COUNT=1
start_dovecot() {
  local dir=$WORK/dovecot
  ports_free $((DOVECOT_OFFSET + 993)) $((DOVECOT_OFFSET + 995)) || return 1
  rm -rf "$dir"; mkdir -p "$dir"/{run,mail}
  chown nobody:nogroup "$dir/mail"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost -keyout "$dir/key.pem" -out "$dir/cert.pem" \
    >/dev/null 2>&1
  local u
  for ((u = 0; u < USERS; u++)); do
    echo "user$u@$DOMAIN:{PLAIN}$PASSWORD:65534:65534::$dir/mail/user$u::"
  done > "$dir/users"
  cat > "$dir/dovecot.conf" <<EOF
protocols = imap pop3
listen = 127.0.0.1
base_dir = $dir/run
instance_name = gateway-bench-dovecot
log_path = $dir/dovecot.log
ssl = required
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = $dir/users
}
userdb {
  driver = passwd-file
  args = $dir/users
}
service imap-login {
  service_count = $LOGIN_SERVICE_COUNT
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $((DOVECOT_OFFSET + 993))
    ssl = yes
  }
}
service pop3-login {
  service_count = $LOGIN_SERVICE_COUNT
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = $((DOVECOT_OFFSET + 995))
    ssl = yes
  }
}
protocol imap {
  mail_max_userip_connections = 200
}
protocol pop3 {
  mail_max_userip_connections = 200
}
EOF
  [[ -f /usr/share/dovecot/dh.pem ]] && echo "ssl_dh = </usr/share/dovecot/dh.pem" >> "$dir/dovecot.conf"
  /usr/sbin/dovecot -c "$dir/dovecot.conf" >"$dir/start.log" 2>&1 </dev/null || { tail -20 "$dir/dovecot.log" >&2; return 1; }
  wait_port $((DOVECOT_OFFSET + 993)) 30 || return 1
  PIDS=$(cat "$dir/run/master.pid") IMAPS_PORT=$((DOVECOT_OFFSET + 993)) POP3S_PORT=$((DOVECOT_OFFSET + 995))
}
stop_dovecot() { [[ -f $WORK/dovecot/dovecot.conf ]] && doveadm -c "$WORK/dovecot/dovecot.conf" stop >/dev/null 2>&1 || true; }

# --- Gateway through bin/gateway, ports + 22000, every user created through WebAdmin with its INBOX.
# GATEWAY_*_CONNECTION_LIMIT_PER_IP raised: the normal clients all come from 127.0.0.1 (the attackers from others).
GATEWAY_SETTINGS=""
start_gateway() {
  local home=$WORK/gateway o=$GATEWAY_OFFSET
  ports_free $((o + 993)) $((o + 800)) || return 1
  rm -rf "$home"
  # shellcheck disable=SC2086
  env GATEWAY_HOME="$home" GATEWAY_NO_BUILD=1 GATEWAY_PORT_OFFSET=$o GATEWAY_WEBADMIN_PORT=$((o + 800)) \
    GATEWAY_BIND_ADDRESS=127.0.0.1 GATEWAY_DNS_SERVERS=${GATEWAY_DNS_SERVERS:-127.0.0.1:9} GATEWAY_SPAM_ENABLED=false GATEWAY_START_TIMEOUT=300 \
    GATEWAY_IMAP_CONNECTION_LIMIT_PER_IP=200 GATEWAY_POP3_CONNECTION_LIMIT_PER_IP=200 $GATEWAY_SETTINGS \
    "$REPO/bin/gateway" start --domain "$DOMAIN" >"$WORK/gateway-start.log" 2>&1 ||
    { cat "$WORK/gateway-start.log" >&2; return 1; }
  PIDS=$(cat "$home/var/run/gateway.pid")
  [[ -f $home/var/cassandra/cassandra.pid ]] && PIDS+=,$(cat "$home/var/cassandra/cassandra.pid")
  local u webadmin=http://127.0.0.1:$((o + 800))
  for ((u = 0; u < USERS; u++)); do
    printf '{"password":"%s"}' "$PASSWORD" | curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @- \
      "$webadmin/users/user$u@$DOMAIN" >/dev/null
    curl -fsS -X PUT "$webadmin/users/user$u@$DOMAIN/mailboxes/INBOX" >/dev/null
  done
  IMAPS_PORT=$((o + 993)) POP3S_PORT=$((o + 995))
}
stop_gateway() {
  [[ -d $WORK/gateway ]] || return 0
  # shellcheck disable=SC2086
  env GATEWAY_HOME="$WORK/gateway" $GATEWAY_SETTINGS "$REPO/bin/gateway" stop >/dev/null 2>&1 || true
}

run_server() { # name
  local name=$1 kind=${1%%-*} clients top
  case $name in
    dovecot) LOGIN_SERVICE_COUNT=1;;
    dovecot-perf) LOGIN_SERVICE_COUNT=0;;
    gateway-memory) GATEWAY_SETTINGS="GATEWAY_PROFILE=memory";;
    gateway-cluster) GATEWAY_SETTINGS="GATEWAY_PROFILE=cluster $(cassandra_ports 27000)";;
  esac
  log "$name: starting"
  if ! "start_$kind"; then log "$name did not start; skipped"; "stop_$kind"; return 0; fi
  log "$name: filling $USERS INBOXes with $MESSAGES messages each"
  load fill --port "$IMAPS_PORT" --users "$USERS" --messages "$MESSAGES" --domain "$DOMAIN" --password "$PASSWORD" \
    | tail -1 >&2
  local common=(--users "$USERS" --messages "$MESSAGES" --domain "$DOMAIN" --password "$PASSWORD" --pids "$PIDS"
    --clock-ticks "$(getconf CLK_TCK)" --duration "$DURATION" --warmup "$WARMUP" --csv "$CSV")
  for clients in $CLIENTS; do
    log "$name: IMAP, $clients clients"
    load imap --port "$IMAPS_PORT" --clients "$clients" --cell "$name,imap,$clients,quiet" "${common[@]}" >&2 || true
  done
  top=${CLIENTS##* }
  local attacks
  for attacks in $ATTACKS; do
    (( ABUSE )) || break
    log "$name: IMAP, $top clients, under attack ($attacks)"
    load imap --port "$IMAPS_PORT" --clients "$top" --abuse "$attacks" --cell "$name,imap,$top,abuse" "${common[@]}" >&2 || true
  done
  if (( JFR )) && [[ $name == gateway-cluster ]]; then
    local gateway_pid=${PIDS%%,*}
    log "$name: IMAP, $top clients, with a Flight Recording"
    jcmd "$gateway_pid" JFR.start name=imap settings=profile filename="$WORK/imap-cluster.jfr" >/dev/null
    load imap --port "$IMAPS_PORT" --clients "$top" --cell "$name,imap,$top,jfr" "${common[@]}" --csv /dev/null >&2 || true
    jcmd "$gateway_pid" JFR.stop name=imap >/dev/null
    /usr/bin/python3 "$REPO/bench/jfr-top.py" "$WORK/imap-cluster.jfr" --imap > "$WORK/imap-profile-cluster.txt" 2>&1 || true
  fi
  for clients in $POP3_CLIENTS; do
    log "$name: POP3, $clients clients"
    load pop3 --port "$POP3S_PORT" --clients "$clients" --cell "$name,pop3,$clients,quiet" "${common[@]}" >&2 || true
  done
  "stop_$kind"
}

command -v /usr/sbin/dovecot >/dev/null && [[ -x /usr/lib/dovecot/imap && -x /usr/lib/dovecot/pop3 ]] || {
  log "installing dovecot-imapd dovecot-pop3d"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dovecot-imapd dovecot-pop3d >/dev/null
}
[[ -f $LOAD_JAR && -d $REPO/app/target/lib ]] && [[ -z $(find "$REPO"/{app,imap-processors,bench}/src \
  -newer "$LOAD_JAR" -type f -print -quit 2>/dev/null) ]] || (cd "$REPO" && mvn -q -B -ntp -DskipTests package -pl bench -am)

echo "server,mode,clients,load,kind,ops,ops_per_s,p50_ms,p99_ms,errors,sessions,sessions_per_s,session_p99_ms,cpu_s,cpu_ms_per_op,peak_rss_mb,abuse" > "$CSV"
started=$SECONDS
trap 'stop_dovecot; stop_gateway' EXIT
for server in $SERVERS; do run_server "$server"; done
minutes=$(( (SECONDS - started + 59) / 60 ))

mkdir -p "$OUT"
cp "$CSV" "$OUT/imap-results.csv"
[[ -f $WORK/imap-profile-cluster.txt ]] && cp "$WORK/imap-profile-cluster.txt" "$OUT/"
{
  echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine:   $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java:      $(java -version 2>&1 | head -1)"
  echo "dovecot:   $(/usr/sbin/dovecot --version 2>/dev/null)"
  echo "load:      $USERS users x $MESSAGES messages, IMAP clients $CLIENTS, POP3 clients $POP3_CLIENTS, ${WARMUP}s warm-up + ${DURATION}s per cell, abuse cell: $ABUSE ($ATTACKS)"
  echo "duration:  $minutes minutes"
} > "$OUT/imap-machine.txt"
java -cp "$LOAD_JAR" dev.gateway.bench.MailReport "$OUT/imap-results.csv" | tee "$OUT/imap-table.txt"
cat "$OUT/imap-machine.txt"
log "raw logs in $WORK; results in $OUT"
