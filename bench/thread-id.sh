#!/usr/bin/env bash
# Benchmark: delivery rate into ONE mailbox as it grows, with the thread-id algorithm Gateway binds (naive) and the
# one James's memory module binds (search: a search of the recipient's mailboxes on every delivery). Both variants
# run one after the other in this one run, on the same machine, with the same load, and are printed side by side.
#
#   bench/thread-id.sh [MESSAGES] [SESSIONS]      defaults: 2000 messages of 2 KB over 10 SMTP sessions
#
# The load generator is Postfix's smtp-source; the count of what arrived is read from WebAdmin, so the rate is of
# messages delivered into the mailbox, not merely accepted.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MESSAGES=${1:-2000}
SESSIONS=${2:-10}
BUCKETS=4
VARIANTS=(naive search)

if ! command -v smtp-source >/dev/null && [[ ! -x /usr/sbin/smtp-source ]]; then
  # smtp-source ships with postfix; "No configuration" keeps the package from starting a mail server.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null
fi
SMTP_SOURCE=$(command -v smtp-source || echo /usr/sbin/smtp-source)

(cd "$REPO" && mvn -q -B -DskipTests package -pl bench -am)

now_ms() { date +%s%3N; }

run_variant() { # variant -> prints "t_1 t_2 ... t_BUCKETS total_ms"
  local variant=$1 home; home=$(mktemp -d)
  # Measured on the memory profile, as when the results were recorded; the launcher defaults to cluster.
  export GATEWAY_PROFILE=memory GATEWAY_HOME=$home GATEWAY_NO_BUILD=1 GATEWAY_PORT_OFFSET=20000 GATEWAY_WEBADMIN_PORT=28000
  # Loopback only: SPF, DKIM and DMARC lookups go to a port where nothing answers (temperror), never to the machine's resolver.
  export GATEWAY_BIND_ADDRESS=127.0.0.1 GATEWAY_DNS_SERVERS=${GATEWAY_DNS_SERVERS:-127.0.0.1:9} GATEWAY_SPAM_ENABLED=false GATEWAY_SMTP_CONNECTION_LIMIT_PER_IP=100
  export GATEWAY_MAIN_CLASS=dev.gateway.bench.ThreadIdVariantServer GATEWAY_MAIN_ARGS=$variant
  export GATEWAY_EXTRA_CLASSPATH=$REPO/bench/target/gateway-bench.jar
  "$REPO/bin/gateway" start --domain bench.test --user inbox@bench.test --password bench >/dev/null
  local count_url=http://127.0.0.1:28000/users/inbox@bench.test/mailboxes/INBOX/messageCount
  local start; start=$(now_ms)
  "$SMTP_SOURCE" -s "$SESSIONS" -l 2048 -m "$MESSAGES" -f sender@remote.example -t inbox@bench.test \
    "127.0.0.1:$((25 + 20000))" &
  local source_pid=$! bucket=1 marks=() count=0 deadline=$((SECONDS + 1800))
  while (( bucket <= BUCKETS && SECONDS < deadline )); do
    count=$(curl -fsS "$count_url" 2>/dev/null || echo 0)
    while (( bucket <= BUCKETS && count >= MESSAGES * bucket / BUCKETS )); do
      marks+=($(( $(now_ms) - start )))
      bucket=$((bucket + 1))
    done
    sleep 0.2
  done
  wait "$source_pid" || true
  "$REPO/bin/gateway" stop >/dev/null
  rm -rf "$home"
  (( ${#marks[@]} == BUCKETS )) || { echo "gave up: $count of $MESSAGES delivered" >&2; return 1; }
  echo "${marks[*]}"
}

declare -A results
for variant in "${VARIANTS[@]}"; do
  echo "running $variant: $MESSAGES messages of 2 KB, $SESSIONS sessions..." >&2
  results[$variant]=$(run_variant "$variant")
done

echo
echo "Delivered msgs/s into one mailbox, by mailbox size ($MESSAGES x 2 KB, $SESSIONS SMTP sessions)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
printf '%-22s' "mailbox size"; for variant in "${VARIANTS[@]}"; do printf '%14s' "$variant"; done; printf '%14s\n' "naive/search"
for ((b = 0; b < BUCKETS; b++)); do
  from=$((MESSAGES * b / BUCKETS)); to=$((MESSAGES * (b + 1) / BUCKETS))
  printf '%-22s' "$from - $to"
  rates=()
  for variant in "${VARIANTS[@]}"; do
    read -ra marks <<< "${results[$variant]}"
    previous=$(( b == 0 ? 0 : marks[b - 1] ))
    rate=$(awk -v n=$((to - from)) -v ms=$((marks[b] - previous)) 'BEGIN {printf "%.1f", n * 1000 / (ms > 0 ? ms : 1)}')
    rates+=("$rate"); printf '%14s' "$rate"
  done
  awk -v a="${rates[0]}" -v b="${rates[1]}" 'BEGIN {printf "%13.2fx\n", a / b}'
done
printf '%-22s' "all $MESSAGES"
totals=()
for variant in "${VARIANTS[@]}"; do
  read -ra marks <<< "${results[$variant]}"
  rate=$(awk -v n="$MESSAGES" -v ms="${marks[BUCKETS - 1]}" 'BEGIN {printf "%.1f", n * 1000 / ms}')
  totals+=("$rate"); printf '%14s' "$rate"
done
awk -v a="${totals[0]}" -v b="${totals[1]}" 'BEGIN {printf "%13.2fx\n", a / b}'
