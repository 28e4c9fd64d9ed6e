#!/usr/bin/env bash
# Benchmark: what the routing table costs. Delivered msgs/s into one local mailbox with no routing table, and with
# a table of RULES rules where every message is tested against all of them (RULES-1 that do not match: recipient
# regexes, header patterns, sender domains; the last one delivers with a header change, so every message is also
# copied once for its header). Both variants run one after the other in this one run, same machine, same load.
#
#   bench/routing.sh [MESSAGES] [SESSIONS] [RULES]      defaults: 2000 messages of 2 KB, 10 SMTP sessions, 100 rules
#
# Load: Postfix's smtp-source; what arrived is counted through WebAdmin (delivered, not merely accepted).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MESSAGES=${1:-2000}
SESSIONS=${2:-10}
RULES=${3:-100}

SMTP_SOURCE=$(command -v smtp-source || echo /usr/sbin/smtp-source)
[[ -x $SMTP_SOURCE ]] || { echo "smtp-source missing: bin/install-deps installs postfix" >&2; exit 1; }

(cd "$REPO" && mvn -q -B -DskipTests package -pl app -am)

now_ms() { date +%s%3N; }

write_table() { # file rules
  local file=$1 rules=$2 i
  {
    echo "rules:"
    for ((i = 1; i < rules; i++)); do
      case $((i % 3)) in
        0) printf '  - {name: r%d, when: {recipient-regex: "^nobody-%d@"}, action: quarantine}\n' "$i" "$i";;
        1) printf '  - {name: r%d, when: {header: {X-Bench-%d: "never"}}, action: quarantine}\n' "$i" "$i";;
        2) printf '  - {name: r%d, when: {sender-domain: [d%d.example]}, action: stop}\n' "$i" "$i";;
      esac
    done
    printf '  - {name: last, when: {recipient-domain: [bench.test]}, action: deliver, add-headers: {X-Bench: routed}}\n'
  } > "$file"
}

run_variant() { # variant -> prints elapsed ms until all MESSAGES are in the INBOX
  local variant=$1 home; home=$(mktemp -d)
  export GATEWAY_HOME=$home GATEWAY_NO_BUILD=1 GATEWAY_PORT_OFFSET=20000 GATEWAY_WEBADMIN_PORT=28000
  # Loopback only: SPF, DKIM and DMARC lookups go to a port where nothing answers (temperror), never to the machine's resolver.
  export GATEWAY_BIND_ADDRESS=127.0.0.1 GATEWAY_DNS_SERVERS=${GATEWAY_DNS_SERVERS:-127.0.0.1:9} GATEWAY_SPAM_ENABLED=false GATEWAY_SMTP_CONNECTION_LIMIT_PER_IP=100
  export GATEWAY_ROUTING_TABLE=$home/routing.yaml
  [[ $variant == empty ]] || write_table "$GATEWAY_ROUTING_TABLE" "$RULES"
  "$REPO/bin/gateway" start --domain bench.test --user inbox@bench.test --password bench >/dev/null
  local count_url=http://127.0.0.1:28000/users/inbox@bench.test/mailboxes/INBOX/messageCount
  local start count=0 deadline=$((SECONDS + 1800)); start=$(now_ms)
  "$SMTP_SOURCE" -s "$SESSIONS" -l 2048 -m "$MESSAGES" -f sender@remote.example -t inbox@bench.test \
    "127.0.0.1:$((25 + 20000))" &
  local source_pid=$!
  while (( count < MESSAGES && SECONDS < deadline )); do
    count=$(curl -fsS "$count_url" 2>/dev/null || echo 0)
    sleep 0.2
  done
  local elapsed=$(( $(now_ms) - start ))
  wait "$source_pid" || true
  "$REPO/bin/gateway" stop >/dev/null
  rm -rf "$home"
  (( count >= MESSAGES )) || { echo "gave up: $count of $MESSAGES delivered" >&2; return 1; }
  echo "$elapsed"
}

echo "running without a routing table: $MESSAGES messages of 2 KB, $SESSIONS sessions..." >&2
empty_ms=$(run_variant empty)
echo "running with $RULES rules..." >&2
rules_ms=$(run_variant rules)

rate() { awk -v n="$MESSAGES" -v ms="$1" 'BEGIN {printf "%.1f", n * 1000 / ms}'; }
cat <<REPORT

What the routing table costs: delivered msgs/s into one mailbox ($MESSAGES x 2 KB, $SESSIONS SMTP sessions)
on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)
  no table          $(rate "$empty_ms") msgs/s   ($empty_ms ms)
  $RULES rules         $(rate "$rules_ms") msgs/s   ($rules_ms ms)
REPORT
