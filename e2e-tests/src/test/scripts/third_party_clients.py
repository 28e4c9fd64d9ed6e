#!/usr/bin/env python3
"""Gateway's send-and-read-back flow driven by Python's own smtplib, imaplib and poplib, none of which we wrote.

A user submits with AUTH over STARTTLS, a stranger delivers on the MX port, and the recipient reads both messages
back over IMAP (STARTTLS), IMAPS, POP3 (STLS) and POP3S. The server stores its trace headers followed by exactly the
bytes it was sent, so every copy read back must end with those bytes.

Environment: GATEWAY_{SMTP,SUBMISSION,IMAP,IMAPS,POP3,POP3S}_PORT as bin/gateway uses them; GATEWAY_TEST_CA, the
server's certificate; GATEWAY_TEST_{SENDER,RECIPIENT}[_PASSWORD], two existing users. Prints one "ok - " or
"not ok - " line per check and exits 1 if any check failed.
"""
import imaplib
import os
import poplib
import smtplib
import ssl
import sys
import time
import uuid

# The certificate names 127.0.0.1 as well as localhost; an IP avoids ::1 when the server listens on IPv4 only.
HOST = "127.0.0.1"
TIMEOUT = 20
env = os.environ
port = {name: int(env[f"GATEWAY_{name}_PORT"]) for name in ("SMTP", "SUBMISSION", "IMAP", "IMAPS", "POP3", "POP3S")}
SENDER, SENDER_PASSWORD = env["GATEWAY_TEST_SENDER"], env["GATEWAY_TEST_SENDER_PASSWORD"]
RECIPIENT, RECIPIENT_PASSWORD = env["GATEWAY_TEST_RECIPIENT"], env["GATEWAY_TEST_RECIPIENT_PASSWORD"]
STRANGER = "carol@remote.example"
# Only the gateway's own certificate is trusted, and host names are checked as usual.
TLS = ssl.create_default_context(cafile=env["GATEWAY_TEST_CA"])

failures = 0


def check(name, action):
    global failures
    try:
        action()
        print(f"ok - {name}", flush=True)
    except Exception as error:  # a failed check must not stop the ones after it
        failures += 1
        print(f"not ok - {name}: {type(error).__name__}: {error}", flush=True)


def expect(condition, message):
    # Not `assert`: python -O would silently drop it.
    if not condition:
        raise AssertionError(message)


def expect_raises(kind, action, *, containing=None):
    try:
        action()
    except kind as error:
        expect(containing is None or containing in str(error), f"expected {containing!r} in {error!r}")
        return error
    raise AssertionError(f"expected {kind.__name__}, got success")


def message(sender, subject):
    """Fixed CRLF bytes: a line starting with a dot (SMTP dot-stuffing must undo itself), raw UTF-8 sent as 8BITMIME,
    and a unique id so that no two runs or messages look alike."""
    unique = uuid.uuid4()
    return "\r\n".join([
        f"From: {sender}",
        f"To: {RECIPIENT}",
        f"Subject: {subject}",
        f"Message-ID: <{unique}@client.example>",
        "Date: Mon, 23 Nov 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        f"X-Gateway-Test: {unique}",
        "",
        "Hello from Python's smtplib.",
        ".a line starting with a dot",
        "Café crème brûlée",
        "",
        "-- ",
        "the end",
        "",
    ]).encode("utf-8")


SUBMITTED = message(SENDER, "Submitted by smtplib with AUTH over STARTTLS")
DELIVERED = message(STRANGER, "Delivered by smtplib to the MX port")


def no_auth_before_starttls():
    with smtplib.SMTP(HOST, port["SUBMISSION"], local_hostname="client.example", timeout=TIMEOUT) as smtp:
        smtp.ehlo()
        expect("starttls" in smtp.esmtp_features, f"STARTTLS not offered: {smtp.esmtp_features}")
        expect("auth" not in smtp.esmtp_features, f"AUTH offered in the clear: {smtp.esmtp_features}")


def submission_refuses_wrong_password():
    with smtplib.SMTP(HOST, port["SUBMISSION"], local_hostname="client.example", timeout=TIMEOUT) as smtp:
        smtp.starttls(context=TLS)
        error = expect_raises(smtplib.SMTPAuthenticationError, lambda: smtp.login(SENDER, "not the password"))
        expect(error.smtp_code == 535, f"expected 535, got {error.smtp_code} {error.smtp_error!r}")


def submit():
    with smtplib.SMTP(HOST, port["SUBMISSION"], local_hostname="client.example", timeout=TIMEOUT) as smtp:
        smtp.starttls(context=TLS)
        smtp.login(SENDER, SENDER_PASSWORD)
        refused = smtp.sendmail(SENDER, [RECIPIENT], SUBMITTED, mail_options=["BODY=8BITMIME"])
        expect(refused == {}, f"refused: {refused}")


def deliver_to_mx():
    with smtplib.SMTP(HOST, port["SMTP"], local_hostname="mx.remote.example", timeout=TIMEOUT) as smtp:
        smtp.ehlo()
        expect("auth" not in smtp.esmtp_features, f"the MX port offers AUTH: {smtp.esmtp_features}")
        refused = smtp.sendmail(STRANGER, [RECIPIENT], DELIVERED, mail_options=["BODY=8BITMIME"])
        expect(refused == {}, f"refused: {refused}")


def imap_messages(imap):
    imap.login(RECIPIENT, RECIPIENT_PASSWORD)
    imap.select("INBOX", readonly=True)
    _, (numbers,) = imap.search(None, "ALL")
    messages = []
    for number in numbers.split():
        _, data = imap.fetch(number, "(BODY.PEEK[])")
        messages.append(data[0][1])
    imap.logout()
    return messages


def read_imap():
    imap = imaplib.IMAP4(HOST, port["IMAP"], timeout=TIMEOUT)
    imap.starttls(ssl_context=TLS)
    return imap_messages(imap)


def read_imaps():
    return imap_messages(imaplib.IMAP4_SSL(HOST, port["IMAPS"], ssl_context=TLS, timeout=TIMEOUT))


def pop3_messages(pop):
    pop.user(RECIPIENT)
    pop.pass_(RECIPIENT_PASSWORD)
    count, _ = pop.stat()
    # poplib hands back lines without their CRLF; the messages sent contain CRLF line ends only.
    messages = [b"\r\n".join(pop.retr(number)[1]) + b"\r\n" for number in range(1, count + 1)]
    pop.quit()
    return messages


def read_pop3():
    pop = poplib.POP3(HOST, port["POP3"], timeout=TIMEOUT)
    pop.stls(context=TLS)
    return pop3_messages(pop)


def read_pop3s():
    return pop3_messages(poplib.POP3_SSL(HOST, port["POP3S"], context=TLS, timeout=TIMEOUT))


def wait_for_both(deadline_seconds=60):
    deadline = time.monotonic() + deadline_seconds
    while True:
        count = len(read_imaps())
        if count >= 2 or time.monotonic() > deadline:
            expect(count == 2, f"{count} messages in the INBOX after {deadline_seconds} s, expected 2")
            return
        time.sleep(0.5)


def reads_back_intact(read):
    def action():
        messages = read()
        expect(len(messages) == 2, f"expected 2 messages, got {len(messages)}")
        for sent in (SUBMITTED, DELIVERED):
            expect(any(raw.endswith(sent) for raw in messages),
                   f"no message ends with the bytes sent:\n{sent!r}\nread back:\n" +
                   "\n".join(repr(raw) for raw in messages))
    return action


def trace_headers_name_the_envelope():
    for sent, envelope_sender in ((SUBMITTED, SENDER), (DELIVERED, STRANGER)):
        raw = next((raw for raw in read_imaps() if raw.endswith(sent)), None)
        expect(raw is not None, f"no message ends with the bytes sent:\n{sent!r}")
        added = raw[:-len(sent)].decode("utf-8")
        for header in (f"Return-Path: <{envelope_sender}>", f"Delivered-To: {RECIPIENT}", "Received: from "):
            expect(header in added, f"{header!r} missing from the headers the server added:\n{added}")


def imap_login_disabled_before_starttls():
    imap = imaplib.IMAP4(HOST, port["IMAP"], timeout=TIMEOUT)
    try:
        expect("LOGINDISABLED" in imap.capabilities, f"capabilities: {imap.capabilities}")
        expect_raises(imaplib.IMAP4.error, lambda: imap.login(RECIPIENT, RECIPIENT_PASSWORD))
    finally:
        imap.shutdown()


def imaps_refuses_wrong_password():
    imap = imaplib.IMAP4_SSL(HOST, port["IMAPS"], ssl_context=TLS, timeout=TIMEOUT)
    try:
        expect_raises(imaplib.IMAP4.error, lambda: imap.login(RECIPIENT, "not the password"))
    finally:
        imap.shutdown()


def imaps_untrusted_without_gateway_certificate():
    # Proves the checks above really verify the certificate: without it, the handshake must fail.
    expect_raises(ssl.SSLCertVerificationError,
                  lambda: imaplib.IMAP4_SSL(HOST, port["IMAPS"], ssl_context=ssl.create_default_context(),
                                            timeout=TIMEOUT))


check("submission offers STARTTLS and no AUTH before it", no_auth_before_starttls)
check("submission refuses a wrong password with 535", submission_refuses_wrong_password)
check("submission accepts the message after STARTTLS and AUTH", submit)
check("the MX port accepts a message for a local user without AUTH", deliver_to_mx)
check("both messages arrive in the recipient's INBOX", wait_for_both)
check("IMAP with STARTTLS reads both messages back byte for byte", reads_back_intact(read_imap))
check("IMAPS reads both messages back byte for byte", reads_back_intact(read_imaps))
check("POP3 with STLS reads both messages back byte for byte", reads_back_intact(read_pop3))
check("POP3S reads both messages back byte for byte", reads_back_intact(read_pop3s))
check("the server adds Return-Path, Delivered-To and Received", trace_headers_name_the_envelope)
check("IMAP advertises LOGINDISABLED and refuses LOGIN before STARTTLS", imap_login_disabled_before_starttls)
check("IMAPS refuses a wrong password", imaps_refuses_wrong_password)
check("IMAPS is not trusted without the gateway's certificate", imaps_untrusted_without_gateway_certificate)
sys.exit(1 if failures else 0)
