#!/usr/bin/env bash
# Benchmark: Gateway against Postfix and vanilla Apache James 3.8.1, side by side, in one run on one machine.
#
#   bench/compare.sh [--quick] [--messages N] [--warmup N] [--sizes "2048 102400"] [--concurrency "1 10 50"]
#                    [--variants "postfix james gateway ..."] [--rounds N] [--out DIR] [--profile] [--baseline DIR]
#                    [--rate R] [--body text|random]
#
# Every cell (message size x concurrent SMTP sessions) runs every variant in turn, the order rotating from cell to
# cell, so that background load on the machine hits all of them alike. Each variant is started fresh for each cell
# (empty mailboxes, a new process), warmed up with --warmup messages, then measured with --messages messages by
# bench's SmtpLoad: accepted and delivered msgs/s, accept latency p50/p99 (end of DATA to 250), CPU time and peak RSS
# of the server's processes. Prints a table with ratios against Postfix and vanilla James, and writes results.csv,
# table.txt, throughput.png (gnuplot) and machine.txt to --out (default docs/benchmarks/). docs/benchmarks.md
# explains the variants, the setup of each server and what the numbers mean. Each gateway cell's log is kept in the
# run's scratch directory (printed at the end), under cell-logs/.
#
# --profile: after the matrix, one more cell per message size (10 sessions) for the gateway variants in PROFILE_VARIANTS, with a Flight
# Recording of its measured phase, summarised by bench/jfr-top.py into profile-<variant>-<size>.txt (not in the table);
# for a variant with Cassandra, Cassandra's JVM is recorded too, into profile-<variant>-<size>-cassandra.txt.
# --baseline DIR: also run every selected gateway variant from DIR, a built copy of an earlier version of this tree
# (app/target and cassandra/target included), as '<variant>-before': before and after a change in one run.
# --rate R: the warm-up's and the measured phase's messages offered at R a second over the sessions (bench's SmtpLoad
# --rate), not as fast as each session is answered: below a server's capacity, p50/p99 are then its own latency, not
# a full queue's.
# --body random: message bodies of random base64 lines, which Cassandra's LZ4 cannot shorten (an attachment), instead of
# lines of prose, which it shortens about 30 times (bench's SmtpLoad --body).
# --quick: 500 messages, 2 KB only, 10 sessions (a few minutes). The default matrix takes about 40 minutes on a
# 2-core machine. Needs root (Postfix runs as its own user); installs postfix, gnuplot and spamassassin if missing.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"
MESSAGES=2000 WARMUP=300 SIZES="2048 102400" CONCURRENCY="1 10 50" ROUNDS=1 ONLY="" OUT=$REPO/docs/benchmarks
USERS=10 DOMAIN=bench.test PROFILE=0 BASELINE="" RATE=0 BODY=text
PROFILE_VARIANTS="gateway gateway-james-queue gateway-cassandra gateway-cluster gateway-rspamd"
while (( $# )); do
  case $1 in
    --quick) MESSAGES=500 WARMUP=100 SIZES=2048 CONCURRENCY=10; shift;;
    --messages) MESSAGES=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    --sizes) SIZES=$2; shift 2;;
    --concurrency) CONCURRENCY=$2; shift 2;;
    --variants) ONLY=$2; shift 2;;
    --rounds) ROUNDS=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --profile) PROFILE=1; shift;;
    --baseline) BASELINE=$(cd "$2" && pwd); shift 2;;
    --rate) RATE=$2; shift 2;;
    --body) BODY=$2; shift 2;;
    *) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 2;;
  esac
done

# The variants, in the order of the table. needs: what must be present (else the variant is skipped, saying why);
# messages: per-cell count when not --messages (spamd takes ~50-200 ms of CPU a scan, so 500 messages already keep a
# cell busy for minutes); settings: environment for bin/gateway (the gateway variants differ only there).
#   name               | needs             | messages | settings                                           | what it is
# BENCH_PORT_BASE moves the gateway's ports (default 25000) and its Cassandra's (20000 below), so that two runs can share a
# machine. Every port stays below the ephemeral range (bench/lib.sh, ports_free).
PORT_BASE=${BENCH_PORT_BASE:-25000}
DNS_PORT=$((PORT_BASE + 53))  # the sending domain's DNS server, for every gateway variant
CASSANDRA_PORTS=$(cassandra_ports $((PORT_BASE - 20000)))  # 5942 and so on
# gateway-rspamd: the rules rspamd compiles for Hyperscan on its first start (about a minute of CPU) are kept here
# for every later start, in this run and the next; rspamd's CPU before the measured phase is not counted anyway.
RSPAMD_CACHE=${GATEWAY_RSPAMD_CACHE:-/tmp/gateway-rspamd-cache}
VARIANTS=(
  "postfix             | postfix           |          |                                                    | Postfix $(/usr/sbin/postconf -dh mail_version 2>/dev/null || echo 3), smtpd to virtual(8) Maildir"
  "james               | james             |          |                                                    | vanilla Apache James 3.8.1 memory server, stock sample configuration"
  "gateway             | gateway           |          | GATEWAY_PROFILE=memory GATEWAY_SPAM_ENABLED=false  | Gateway, memory profile, MX port, every policy hook on, spam filter off"
  "gateway-spam        | gateway spamd     | 500      | GATEWAY_PROFILE=memory GATEWAY_START_SPAMD=1 GATEWAY_SPAMD_CHILDREN=4 | Gateway, memory profile, MX port, every policy hook on, spamd scanning every message"
  "gateway-rspamd      | gateway rspamd    |          | GATEWAY_PROFILE=memory GATEWAY_SPAM_ENGINE=rspamd GATEWAY_START_RSPAMD=1 GATEWAY_RSPAMD_CACHE=$RSPAMD_CACHE | Gateway as 'gateway-spam' (same thresholds), rspamd scanning every message (bin/rspamd, one normal worker per core)"
  "gateway-james-queue | gateway bench     |          | GATEWAY_PROFILE=memory GATEWAY_SPAM_ENABLED=false GATEWAY_MAIN_CLASS=dev.gateway.bench.JamesMemoryQueueServer GATEWAY_EXTRA_CLASSPATH=$REPO/bench/target/gateway-bench.jar | before the change: as 'gateway' on James's memory queue (three copies of each message per enqueue)"
  "gateway-cassandra   | gateway cassandra |          | GATEWAY_PROFILE=memory GATEWAY_SPAM_ENABLED=false GATEWAY_QUEUE=cassandra GATEWAY_START_CASSANDRA=1 $CASSANDRA_PORTS | Gateway as 'gateway', on the Cassandra mail queue (a local Cassandra started by bin/gateway; its CPU and memory count)"
  "gateway-auth        | gateway           |          | GATEWAY_PROFILE=memory GATEWAY_SPAM_ENABLED=false | Gateway as 'gateway', every message DKIM-signed by its sender's domain, whose SPF, DKIM key and DMARC (p=reject) come from an authoritative DNS server on loopback: SPF, DKIM and DMARC all pass"
  "gateway-cluster     | gateway cassandra |          | GATEWAY_PROFILE=cluster GATEWAY_SPAM_ENABLED=false GATEWAY_START_CASSANDRA=1 $CASSANDRA_PORTS | Gateway's shipped default (cluster profile: mailboxes, users and queues in Cassandra), spam filter off, a local Cassandra started by bin/gateway"
  "gateway-cluster-auth | gateway cassandra |         | GATEWAY_PROFILE=cluster GATEWAY_SPAM_ENABLED=false GATEWAY_START_CASSANDRA=1 $CASSANDRA_PORTS GATEWAY_RATE_MAX_MESSAGES=1000000000 GATEWAY_RATE_MAX_RECIPIENTS=1000000000 BENCH_SUBMISSION=1 | as 'gateway-cluster', but users submitting on 465 (implicit TLS, AUTH PLAIN once per session): SendingRateLimit counts every MAIL and RCPT in Cassandra, shared by the nodes (docs/smtp-hooks/shared-counters.md)"
  "gateway-cluster-auth-heap | gateway cassandra |    | GATEWAY_PROFILE=cluster GATEWAY_SPAM_ENABLED=false GATEWAY_START_CASSANDRA=1 $CASSANDRA_PORTS GATEWAY_RATE_MAX_MESSAGES=1000000000 GATEWAY_RATE_MAX_RECIPIENTS=1000000000 BENCH_SUBMISSION=1 GATEWAY_SHARED_COUNTERS=false | as 'gateway-cluster-auth' with the counters in the node's heap: the difference is the shared counters' cost"
)

WORK=$(mktemp -d /tmp/gateway-compare-XXXXXX)
chmod 755 "$WORK"
CSV=$WORK/results.csv
LOAD_JAR=$REPO/bench/target/gateway-bench.jar
# The load generator signs with the gateway's own DKIM code (gateway-auth), so it needs the gateway's libraries.
LOAD_CP="$LOAD_JAR:$REPO/app/target/lib/*"
CLOCK_TICKS=$(getconf CLK_TCK)
POSTFIX_PORT=23025 JAMES_OFFSET=24000 GATEWAY_OFFSET=$PORT_BASE
field() { local -a parts; IFS='|' read -ra parts <<< "$1"; echo "${parts[$2]:-}" | sed 's/^ *//; s/ *$//'; }

install_missing() {
  local packages=()
  [[ -x /usr/sbin/postfix ]] || packages+=(postfix)
  command -v gnuplot >/dev/null || packages+=(gnuplot-nox)
  command -v spamd >/dev/null || packages+=(spamassassin)
  /usr/bin/python3 -c 'import dnslib' 2>/dev/null || packages+=(python3-dnslib)  # the sending domain's DNS server
  (( ${#packages[@]} )) || return 0
  log "installing ${packages[*]}"
  # "No configuration" keeps the postfix package from setting up and starting a system mail server.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

needs_met() { # needs... -> 0, or prints why not
  local need
  for need in "$@"; do
    case $need in
      postfix) [[ -x /usr/sbin/postfix ]] || { echo "postfix is not installed"; return 1; };;
      spamd) command -v spamd >/dev/null || { echo "spamd is not installed"; return 1; };;
      rspamd) command -v rspamd >/dev/null || { echo "rspamd is not installed (bin/install-deps rspamd)"; return 1; };;
      cassandra) [[ -x $REPO/bin/cassandra ]] || { echo "bin/cassandra is missing"; return 1; };;
      gateway) /usr/bin/python3 -c 'import dnslib' 2>/dev/null || { echo "python3-dnslib is not installed (bin/install-deps)"; return 1; };;
      james|bench) ;;  # built or resolved by this script
    esac
  done
}

add_users() { # webadmin-url
  local u
  curl -fsS -X PUT "$1/domains/$DOMAIN" >/dev/null 2>&1 || true  # the gateway was started with it already
  for ((u = 0; u < USERS; u++)); do
    printf '{"password":"bench"}' | curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @- \
      "$1/users/user$u@$DOMAIN" >/dev/null || return 1
  done
}

# --- Postfix: a throwaway instance with a config_directory, queue and Maildir of its own; chroot off; smtpd on a
# high loopback port; virtual(8) delivers into Maildir/new. Limits raised so that 50 sessions from one address work.
start_postfix() {
  local dir=$WORK/postfix
  ports_free "$POSTFIX_PORT" || return 1
  rm -rf "$dir"; mkdir -p "$dir"/{conf,queue,data,mail}
  chown postfix "$dir/data"; chown postfix:postfix "$dir/mail"
  # A complete config dir of its own: the package installed with "No configuration" ships no /etc/postfix/main.cf,
  # and every Postfix command given no -c reads that file and fails. Our main.cf, the package's master.cf, dynamic
  # map list and postfix-files (meta_directory) are all here.
  cp -r /etc/postfix/. "$dir/conf/"
  rm -f "$dir/conf/main.cf"
  cat > "$dir/conf/main.cf" <<EOF
compatibility_level = 3.6
meta_directory = $dir/conf
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir
myhostname = bench-postfix.localdomain
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = hash:$dir/conf/vmailbox
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
smtpd_client_connection_count_limit = 0
default_process_limit = 200
EOF
  local u
  for ((u = 0; u < USERS; u++)); do echo "user$u@$DOMAIN $DOMAIN/user$u/"; done > "$dir/conf/vmailbox"
  /usr/sbin/postmap -c "$dir/conf" "$dir/conf/vmailbox"
  sed -i -E 's/^smtp(\s+)inet/#&/; s/^([a-z]+\s+(unix|inet|fifo|pass|unix-dgram)\s+\S+\s+\S+\s+)y(\s)/\1n\3/' \
    "$dir/conf/master.cf"
  echo "127.0.0.1:$POSTFIX_PORT inet n - n - - smtpd" >> "$dir/conf/master.cf"
  # postfix(1) reports errors on a terminal only; script(1) gives it one.
  script -qc "/usr/sbin/postfix -c $dir/conf start" /dev/null >"$dir/start.log" 2>&1 ||
    { cat "$dir/start.log" >&2; return 1; }
  wait_port "$POSTFIX_PORT" 30
  PIDS=$(tr -d ' ' < "$dir/queue/pid/master.pid")
  SMTP_PORT=$POSTFIX_PORT COUNT_ARGS="--maildir $dir/mail/$DOMAIN"
}
stop_postfix() { script -qc "/usr/sbin/postfix -c $WORK/postfix/conf stop" /dev/null >/dev/null 2>&1 || true; }

# --- Vanilla James 3.8.1: memory-app with its stock sample configuration (bench/vanilla-james/conf, copied from
# the james-project-3.8.1 tag). Changed, only so that it runs next to other servers: every listener binds
# 127.0.0.1 on a high port, WebAdmin/JMX/JMAP ports moved, logs under its own folder, and a keystore generated
# at conf/keystore with the sample's password (the sample expects one but ships none).
JAMES_CP=$WORK/james.classpath
prepare_james() {
  [[ -s $JAMES_CP ]] && return
  mvn -q -B -ntp -f "$REPO/bench/vanilla-james/pom.xml" dependency:build-classpath -Dmdep.outputFile="$JAMES_CP"
}
start_james() {
  local home=$WORK/james o=$JAMES_OFFSET
  rm -rf "$home"; mkdir -p "$home/logs"
  cp -r "$REPO/bench/vanilla-james/conf" "$home/conf"
  local port
  for port in 25 465 587; do sed -i "s#0\.0\.0\.0:$port<#127.0.0.1:$((o + port))<#" "$home/conf/smtpserver.xml"; done
  for port in 143 993; do sed -i "s#0\.0\.0\.0:$port<#127.0.0.1:$((o + port))<#" "$home/conf/imapserver.xml"; done
  sed -i -E "s#^port=8000#port=$((o + 800))#" "$home/conf/webadmin.properties"
  sed -i -E "s#^jmx.port=9999#jmx.port=$((o + 999))#" "$home/conf/jmx.properties"
  echo "jmap.port=$((o + 80))" >> "$home/conf/jmap.properties"
  sed -i "s#/logs/#$home/logs/#g" "$home/conf/logback.xml"
  keytool -genkeypair -alias james -keyalg RSA -keysize 2048 -storetype PKCS12 -keystore "$home/conf/keystore" \
    -storepass james72laBalle -dname CN=localhost -validity 30 >/dev/null 2>&1
  ports_free $((o + 25)) $((o + 800)) || return 1
  # exec: the pid recorded is Java's own, the one to stop.
  (cd "$home" && exec java -Xms64m -Xmx1g -Dworking.directory=. -Dlogback.configurationFile=conf/logback.xml \
      -Djdk.tls.ephemeralDHKeySize=2048 -cp "$(cat "$JAMES_CP")" org.apache.james.MemoryJamesServerMain \
      >"$home/logs/stdout.log" 2>&1 </dev/null) &
  PIDS=$!
  echo "$PIDS" > "$home/james.pid"
  local webadmin=http://127.0.0.1:$((o + 800)) deadline=$((SECONDS + 180))
  until curl -fsS -o /dev/null "$webadmin/domains" 2>/dev/null && wait_port $((o + 25)) 1; do
    kill -0 "$PIDS" 2>/dev/null && (( SECONDS < deadline )) || { tail -20 "$home/logs/stdout.log" >&2; return 1; }
    sleep 0.5
  done
  add_users "$webadmin"
  SMTP_PORT=$((o + 25)) COUNT_ARGS="--webadmin $webadmin"
}
stop_james() { stop_pid "$(cat "$WORK/james/james.pid")"; }

# --- Gateway through bin/gateway. Mail comes in on the MX port from a peer outside GATEWAY_TRUSTED_NETWORKS (as
# from the internet) to local recipients, so every MX hook runs: AuthPolicy, SizeLimitReply, MaxRcpt,
# RefuseHostileAddresses, RelayControl, SpamFilter, AcceptPostmaster, ValidRcpt. SPF, DKIM and DMARC look the
# sending domain up on an authoritative DNS server on loopback (AuthenticationZone), never on the machine's resolver:
# SPF passes, and DMARC passes through SPF's alignment (DKIM too, in gateway-auth, whose messages are signed), as
# for a real sender, with answers cached for their TTL.
GATEWAY_SETTINGS="" GATEWAY_REPO=$REPO
start_gateway() {
  local home=$WORK/gateway o=$GATEWAY_OFFSET
  ports_free $((o + 25)) $((o + 800)) || return 1
  rm -rf "$home"
  # shellcheck disable=SC2086
  env GATEWAY_HOME="$home" GATEWAY_NO_BUILD=1 GATEWAY_PORT_OFFSET=$o GATEWAY_WEBADMIN_PORT=$((o + 800)) \
    GATEWAY_BIND_ADDRESS=127.0.0.1 GATEWAY_TRUSTED_NETWORKS=192.0.2.0/24 GATEWAY_SMTP_CONNECTION_LIMIT_PER_IP=200 \
    GATEWAY_DNS_SERVERS=${GATEWAY_DNS_SERVERS:-127.0.0.1:$DNS_PORT} \
    GATEWAY_SPAMD_PORT=$((o + 783)) GATEWAY_SMTP_ALT_PORT=$((o + 525)) GATEWAY_SPAMD_DIR="$home/var/spamd" \
    GATEWAY_RSPAMD_PORT=$((o + 831)) GATEWAY_RSPAMD_CONTROLLER_PORT=$((o + 832)) GATEWAY_RSPAMD_DIR="$home/var/rspamd" $GATEWAY_SETTINGS \
    "$GATEWAY_REPO/bin/gateway" start --domain "$DOMAIN" >"$WORK/gateway-start.log" 2>&1 ||
    { cat "$WORK/gateway-start.log" >&2; return 1; }
  PIDS=$(cat "$home/var/run/gateway.pid")
  [[ -f $home/var/spamd/spamd.pid ]] && PIDS+=,$(cat "$home/var/spamd/spamd.pid")
  [[ -f $home/var/rspamd/rspamd.pid ]] && PIDS+=,$(cat "$home/var/rspamd/rspamd.pid")
  [[ -f $home/var/cassandra/cassandra.pid ]] && PIDS+=,$(cat "$home/var/cassandra/cassandra.pid")
  add_users "http://127.0.0.1:$((o + 800))"
  SMTP_PORT=$((o + 25)) COUNT_ARGS="--webadmin http://127.0.0.1:$((o + 800))"
  # Submission variants: the users themselves send, logged in, on the implicit-TLS port (add_users' password).
  if [[ " $GATEWAY_SETTINGS " == *" BENCH_SUBMISSION=1 "* ]]; then
    SMTP_PORT=$((o + 465)) COUNT_ARGS+=" --auth bench"
  fi
}
stop_gateway() {
  # shellcheck disable=SC2086
  env GATEWAY_HOME="$WORK/gateway" GATEWAY_SPAMD_DIR="$WORK/gateway/var/spamd" GATEWAY_RSPAMD_DIR="$WORK/gateway/var/rspamd" $GATEWAY_SETTINGS \
    "$GATEWAY_REPO/bin/gateway" stop >/dev/null 2>&1 || true
}

run_cell() { # round variant-entry size sessions [jfr-file]
  local round=$1 entry=$2 size=$3 sessions=$4 jfr=${5:-} name kind
  name=$(field "$entry" 0); kind=${name%%-*}
  GATEWAY_SETTINGS=$(field "$entry" 3)
  GATEWAY_REPO=$(field "$entry" 5); GATEWAY_REPO=${GATEWAY_REPO:-$REPO}
  local messages; messages=$(field "$entry" 2); messages=${messages:-$MESSAGES}
  (( messages <= MESSAGES )) || messages=$MESSAGES
  local warmup=$(( WARMUP < messages / 4 ? WARMUP : messages / 4 ))
  log "$name: ${size} B x $messages, $sessions sessions (round $round)"
  if ! "start_$kind"; then
    log "$name did not start; cell skipped"; "stop_$kind"; return 0
  fi
  local line signing=()
  [[ $name == gateway-auth* ]] && signing=(--dkim-keys "$WORK/auth/keys")
  # shellcheck disable=SC2086
  if line=$(java -cp "$LOAD_CP" dev.gateway.bench.SmtpLoad --port "$SMTP_PORT" --messages "$messages" \
      --warmup "$warmup" --sessions "$sessions" --size "$size" --users "$USERS" --domain "$DOMAIN" \
      --pids "$PIDS" --clock-ticks "$CLOCK_TICKS" --rate "$RATE" --body "$BODY" $COUNT_ARGS ${jfr:+--jfr "$jfr"} "${signing[@]}"); then
    log "  $line"
    if [[ -n $jfr ]]; then
      echo "$name $size B, $sessions sessions: $line" > "$jfr.txt"
    else
      echo "$round,$name,$size,$sessions,$(echo "$line" | sed -E 's/[a-z_0-9]+=//g; s/ /,/g')" >> "$CSV"
    fi
  else
    log "  load failed; cell skipped"
  fi
  "stop_$kind"
  # The next cell starts a fresh home over this one: keep its log, to read what a cell short of delivered mail saw.
  if [[ $kind == gateway && -f $WORK/gateway/var/log/gateway.log ]]; then
    mkdir -p "$WORK/cell-logs"
    cp "$WORK/gateway/var/log/gateway.log" "$WORK/cell-logs/$round-$name-$size-$sessions.log"
  fi
}

install_missing
[[ -f $LOAD_JAR && -d $REPO/app/target/lib ]] && [[ -z $(find "$REPO"/*/src \
  -newer "$LOAD_JAR" -type f -print -quit 2>/dev/null) ]] || (cd "$REPO" && mvn -q -B -ntp -DskipTests package -pl bench -am)
prepare_james

selected=()
for entry in "${VARIANTS[@]}"; do
  name=$(field "$entry" 0)
  [[ -z $ONLY || " $ONLY " == *" $name "* ]] || continue
  # shellcheck disable=SC2046
  if why=$(needs_met $(field "$entry" 1)); then selected+=("$entry"); else log "skipping $name: $why"; continue; fi
  # The same settings, run from the baseline tree (field 5: the tree whose bin/gateway starts it).
  [[ -n $BASELINE && $name == gateway* ]] &&
    selected+=("$name-before | $(field "$entry" 1) | $(field "$entry" 2) | $(field "$entry" 3) | $(field "$entry" 4), built from $BASELINE | $BASELINE")
done
(( ${#selected[@]} )) || { log "no variant to run"; exit 1; }

# The sending domain's key and records (AuthenticationZone), served by the tests' DNS server to every gateway variant.
if [[ " ${selected[*]} " == *" gateway"* ]]; then
  mkdir -p "$WORK/auth"
  java -cp "$LOAD_CP" dev.gateway.bench.AuthenticationZone "$WORK/auth"
  ports_free "$DNS_PORT" || exit 1
  /usr/bin/python3 "$REPO/e2e-tests/src/test/scripts/zone_server.py" 127.0.0.1 "$DNS_PORT" "$WORK/auth/zone.json" \
    "$WORK/auth/queries.log" > "$WORK/auth/zone-server.log" 2>&1 &
  DNS_PID=$!
  trap 'stop_pid "$DNS_PID"' EXIT
  until grep -q '^ready' "$WORK/auth/zone-server.log"; do
    kill -0 "$DNS_PID" 2>/dev/null || { cat "$WORK/auth/zone-server.log" >&2; exit 1; }
    sleep 0.2
  done
fi

echo "round,variant,size,sessions,messages,accepted,refused,delivered,accepted_per_s,delivered_per_s,latency_p50_ms,latency_p99_ms,latency_max_ms,cpu_s,cpu_ms_per_msg,peak_rss_mb,jit_ms_per_msg" > "$CSV"
started=$SECONDS cell=0
for ((round = 1; round <= ROUNDS; round++)); do
  for size in $SIZES; do
    for sessions in $CONCURRENCY; do
      n=${#selected[@]}
      for ((i = 0; i < n; i++)); do run_cell "$round" "${selected[(i + cell) % n]}" "$size" "$sessions"; done
      cell=$((cell + 1))
    done
  done
done
minutes=$(( (SECONDS - started + 59) / 60 ))

mkdir -p "$OUT"
if (( PROFILE )); then
  for size in $SIZES; do
    for entry in "${selected[@]}"; do
      name=$(field "$entry" 0)
      [[ " $PROFILE_VARIANTS " == *" $name "* ]] || continue
      run_cell profile "$entry" "$size" 10 "$WORK/profile-$name-$size.jfr"
      [[ -f $WORK/profile-$name-$size.jfr ]] || continue
      { cat "$WORK/profile-$name-$size.jfr.txt"; python3 "$REPO/bench/jfr-top.py" "$WORK/profile-$name-$size.jfr" "$(awk -F'messages=' '{split($2, a, " "); print a[1]}' "$WORK/profile-$name-$size.jfr.txt")"; } \
        > "$OUT/profile-$name-$size.txt"
      # The Cassandra JVM's recording of the same phase (SmtpLoad names it <file>-1.jfr).
      if [[ -f $WORK/profile-$name-$size-1.jfr ]]; then
        python3 "$REPO/bench/jfr-top.py" "$WORK/profile-$name-$size-1.jfr" --cassandra > "$OUT/profile-$name-$size-cassandra.txt"
      fi
    done
  done
fi
cp "$CSV" "$OUT/results.csv"
{
  echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine:   $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)"
  echo "java:      $(java -version 2>&1 | head -1)"
  echo "postfix:   $(/usr/sbin/postconf -dh mail_version 2>/dev/null)"
  echo "load:      $MESSAGES messages per cell after $WARMUP warm-up$([[ $RATE == 0 ]] || echo ", offered at $RATE msgs/s"), $BODY bodies, sizes $SIZES B, sessions $CONCURRENCY, $ROUNDS round(s), $USERS recipient mailboxes (a variant's own count in the table's delivered column)"
  echo "duration:  $minutes minutes"
  echo "variants:"
  for entry in "${selected[@]}"; do printf '  %-20s %s\n' "$(field "$entry" 0)" "$(field "$entry" 4)"; done
} > "$OUT/machine.txt"
python3 "$REPO/bench/report.py" "$OUT/results.csv" "$OUT" | tee "$OUT/table.txt"
cat "$OUT/machine.txt"
log "raw logs in $WORK; results in $OUT"
