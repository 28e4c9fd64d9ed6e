#!/usr/bin/env bash
# Gateway's send-and-read-back flow with swaks on the SMTP side and curl reading back: a user submits with AUTH over
# STARTTLS, a stranger delivers on the MX port, and the recipient's copies over IMAP (STARTTLS), IMAPS, POP3 (STLS)
# and POP3S must end with exactly the bytes sent (the server only prepends its trace headers).
#
# Environment: GATEWAY_{SMTP,SUBMISSION,IMAP,IMAPS,POP3,POP3S}_PORT as bin/gateway uses them; GATEWAY_TEST_CA, the
# server's certificate; GATEWAY_TEST_{SENDER,RECIPIENT}[_PASSWORD], two existing users. Prints one "ok - " or
# "not ok - " line per check (a failure is followed by what the clients printed) and exits 1 if any check failed.
set -uo pipefail

for tool in swaks curl; do
  command -v "$tool" >/dev/null || { echo "not ok - $tool is not installed (bin/install-deps installs it)"; exit 1; }
done

# The certificate names 127.0.0.1 as well as localhost; an IP avoids ::1 when the server listens on IPv4 only.
HOST=127.0.0.1
CA=$GATEWAY_TEST_CA
SENDER=$GATEWAY_TEST_SENDER SENDER_PASSWORD=$GATEWAY_TEST_SENDER_PASSWORD
RECIPIENT=$GATEWAY_TEST_RECIPIENT RECIPIENT_PASSWORD=$GATEWAY_TEST_RECIPIENT_PASSWORD
STRANGER=carol@remote.example

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

check() { # name command...: ok when the command succeeds; otherwise its output explains why
  local name=$1 output; shift
  if output=$("$@" 2>&1); then
    echo "ok - $name"
  else
    echo "not ok - $name"
    sed 's/^/    /' <<<"$output"
    failures=$((failures + 1))
  fi
}

# Fixed CRLF bytes: a line starting with a dot (dot-stuffing must undo itself), raw UTF-8, a unique id.
message() { # from subject
  local id; id=$(cat /proc/sys/kernel/random/uuid)
  printf '%s\r\n' "From: $1" "To: $RECIPIENT" "Subject: $2" "Message-ID: <$id@client.example>" \
    "Date: Mon, 23 Nov 2026 10:00:00 +0000" "MIME-Version: 1.0" "Content-Type: text/plain; charset=UTF-8" \
    "Content-Transfer-Encoding: 8bit" "X-Gateway-Test: $id" "" "Hello from swaks." ".a line starting with a dot" \
    "Café crème brûlée" "" "-- " "the end"
}
message "$SENDER" "Submitted by swaks with AUTH over STARTTLS" >"$work/submitted"
message "$STRANGER" "Delivered by swaks to the MX port" >"$work/delivered"

# swaks ends DATA with CRLF "." itself, so a message already ending in CRLF would gain an empty line; with its own
# closing dot (which swaks removes before adding its own) it goes on the wire unchanged.
with_closing_dot() { cat "$1"; printf '.\r\n'; }

swaks_to() { # port swaks-args...: runs swaks, keeps and prints the transcript, returns swaks's exit code
  local port=$1 rc; shift
  swaks --server "$HOST" --port "$port" --helo client.example --timeout 20 "$@" >"$work/transcript" 2>&1
  rc=$?
  cat "$work/transcript"
  echo "(swaks exited $rc)"
  return $rc
}

# swaks (20201014, the Debian 12 one) checks the certificate chain against --tls-ca-path but not the host name; curl below checks both.
SUBMISSION=(--tls --tls-verify --tls-ca-path "$CA" --auth PLAIN --auth-user "$SENDER")

reply_to_final_dot() { grep -A1 -E '^ [~-]> \.$' "$work/transcript" | tail -n1; }

submit() {
  swaks_to "$GATEWAY_SUBMISSION_PORT" "${SUBMISSION[@]}" --auth-password "$SENDER_PASSWORD" \
    --from "$SENDER" --to "$RECIPIENT" --data - < <(with_closing_dot "$work/submitted") &&
    [[ $(reply_to_final_dot) == '<~  250 '* ]]
}

deliver_to_mx() {
  swaks_to "$GATEWAY_SMTP_PORT" --from "$STRANGER" --to "$RECIPIENT" --data - < <(with_closing_dot "$work/delivered") &&
    [[ $(reply_to_final_dot) == '<-  250 '* ]]
}

wrong_password_refused() { # swaks exits 28 when AUTH fails
  swaks_to "$GATEWAY_SUBMISSION_PORT" "${SUBMISSION[@]}" --auth-password 'not the password' --quit-after AUTH
  (( $? == 28 )) && grep -q '^<~\* 535 ' "$work/transcript"
}

no_auth_before_starttls() {
  swaks_to "$GATEWAY_SUBMISSION_PORT" --auth PLAIN --auth-user "$SENDER" --auth-password "$SENDER_PASSWORD" \
    --quit-after AUTH
  (( $? == 28 )) && grep -q '^<-  250 STARTTLS' "$work/transcript" && ! grep -qi '^<-  250.AUTH' "$work/transcript"
}

unknown_recipient_refused() { # swaks exits 24 when no recipient is accepted
  swaks_to "$GATEWAY_SMTP_PORT" --from "$STRANGER" --to "nobody-$RANDOM@${RECIPIENT#*@}" --quit-after RCPT
  (( $? == 24 )) && grep -q '^<\*\* 550 5\.1\.1 ' "$work/transcript"
}

untrusted_without_gateway_certificate() { # swaks exits 29 when TLS fails: proves --tls-verify is in force
  swaks_to "$GATEWAY_SUBMISSION_PORT" --tls --tls-verify --quit-after TLS
  (( $? == 29 ))
}

fetch() { curl -sS --max-time 20 --ssl-reqd --cacert "$CA" -u "$RECIPIENT:$RECIPIENT_PASSWORD" "$@"; }

both_arrive() { # bounded: the spooler delivers asynchronously
  local count=0 deadline=$((SECONDS + 60))
  while (( SECONDS < deadline )); do
    count=$(fetch "pop3s://$HOST:$GATEWAY_POP3S_PORT/" | grep -c .) && (( count >= 2 )) && break
    sleep 0.5
  done
  echo "$count messages in the INBOX, expected 2"
  (( count == 2 ))
}

reads_back_intact() { # url-of-message-number-prefix
  local n sent
  for n in 1 2; do fetch "$1$n" >"$work/read-$n" || return 1; done
  for sent in "$work/submitted" "$work/delivered"; do
    for n in 1 2; do
      tail -c "$(stat -c %s "$sent")" "$work/read-$n" | cmp -s - "$sent" && continue 2
    done
    echo "no message read back ends with the bytes sent:"; cat -A "$sent"
    for n in 1 2; do echo "--- message $n:"; cat -A "$work/read-$n"; done
    return 1
  done
}

check "submission refuses a wrong password with 535" wrong_password_refused
check "submission offers no AUTH before STARTTLS" no_auth_before_starttls
check "swaks --tls-verify refuses the server without its certificate" untrusted_without_gateway_certificate
check "submission accepts the message with 250 after STARTTLS and AUTH" submit
check "the MX port accepts a message for a local user with 250, no AUTH" deliver_to_mx
check "the MX port refuses an unknown local user with 550 5.1.1" unknown_recipient_refused
check "both messages arrive in the recipient's INBOX" both_arrive
check "IMAP with STARTTLS reads both messages back byte for byte" reads_back_intact "imap://$HOST:$GATEWAY_IMAP_PORT/INBOX/;MAILINDEX="
check "IMAPS reads both messages back byte for byte" reads_back_intact "imaps://$HOST:$GATEWAY_IMAPS_PORT/INBOX/;MAILINDEX="
check "POP3 with STLS reads both messages back byte for byte" reads_back_intact "pop3://$HOST:$GATEWAY_POP3_PORT/"
check "POP3S reads both messages back byte for byte" reads_back_intact "pop3s://$HOST:$GATEWAY_POP3S_PORT/"
(( failures == 0 ))
