#!/usr/bin/python3
"""Mixed mail traffic for bench/dashboard-picture: a few minutes of what a gateway sees, paced, so that the
dashboard's panels move. Real SMTP over loopback (Python's smtplib), one connection per message.

    /usr/bin/python3 bench/dashboard-traffic.py --mx PORT --submission PORT --domain D --user U --password P \
        --seconds 240 [--guesser-address 127.0.0.66]

Every second, in turn (the rates double in the middle third of the run, a burst):
  - ham from another server to the user on the MX port (scanned by spamd)                           ~1.5/s
  - mail to an unknown user of our domain (550 at RCPT, ValidRcptHandler)                           every 5 s
  - mail from outside to a foreign domain (relay refused at RCPT, RelayControl)                     every 7 s
  - GTUBE (refused at DATA, 550 5.7.1, spam verdict "rejected")                                     every 15 s
  - a lottery scam (spam score between the quarantine and reject thresholds the script sets)        every 20 s
  - a first mail from a new sender (greylisted: 451, sent again once the delay has passed)          every 10 s
  - the user's submission (AUTH after STARTTLS) to partner.test (relayed to a smarthost that works)  every 3 s
  - the user's submission to down.test (a smarthost where nothing listens: waits in its queue)      every 20 s
  - the user's submission to nowhere.test (no such domain in DNS: a bounce)                         every 30 s
  - a password guess from --guesser-address (535, then locked out after the lockout threshold)      every 6 s
Prints what was sent and what the server answered, by kind, when done.
"""
import argparse
import collections
import concurrent.futures
import smtplib
import ssl
import sys
import threading
import time
import uuid

GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
SCAM = ("<html><body><p>Dear Beneficiary,</p><p>CONGRATULATIONS!!! Your email address has WON the sum of "
        "$7,500,000.00 USD in our international lottery. 100% GUARANTEED and RISK FREE. Send your full name, bank "
        "account number and next of kin details to claim your winning funds now! Act now, this offer expires today: "
        "<a href=\"http://192.168.10.1/claim\">http://claim-your-prize.example/</a></p><p>Cheap meds without "
        "prescription, lose weight fast, earn extra cash from home, no credit check.</p></body></html>")


def message(sender, recipient, subject, body, html=False):
    kind = "text/html" if html else "text/plain"
    return (f"From: {sender}\r\nTo: {recipient}\r\nSubject: {subject}\r\nMessage-ID: <{uuid.uuid4()}@{sender.split('@')[1]}>\r\n"
            f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: {kind}; charset=us-ascii\r\n\r\n{body}\r\n")


def ham(n):
    return (f"Hi,\r\n\r\nshall we meet on Thursday to go through the quarterly figures (item {n})? I have booked the "
            f"small room on the second floor and will bring the printed copies.\r\n\r\nCarol\r\n")


class Traffic:
    def __init__(self, args):
        self.args = args
        self.outcomes = collections.Counter()
        self.lock = threading.Lock()
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE  # the gateway's self-signed certificate, on loopback
        self.greylisted = []  # (due time, sender) waiting for their second try

    def count(self, kind, outcome):
        with self.lock:
            self.outcomes[(kind, outcome)] += 1

    def mx(self, kind, sender, recipient, body, html=False, source="127.0.0.1"):
        """One message from another server to the MX port; returns the reply code that decided it."""
        try:
            with smtplib.SMTP("127.0.0.1", self.args.mx, local_hostname="mail.sender.example",
                              source_address=(source, 0), timeout=60) as smtp:
                smtp.sendmail(sender, [recipient], message(sender, recipient, kind, body, html))
            code = 250
        except smtplib.SMTPRecipientsRefused as e:
            code = list(e.recipients.values())[0][0]
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as e:
            code = e.smtp_code
        self.count(kind, code)
        return code

    def submit(self, kind, recipient, password=None, login=None, source="127.0.0.1"):
        login = login or self.args.user
        try:
            with smtplib.SMTP("127.0.0.1", self.args.submission, local_hostname="laptop.example",
                              source_address=(source, 0), timeout=60) as smtp:
                smtp.starttls(context=self.tls)
                smtp.login(login, password or self.args.password)
                smtp.sendmail(login, [recipient], message(login, recipient, kind, ham(kind)))
            code = 250
        except smtplib.SMTPAuthenticationError as e:
            code = e.smtp_code
        except smtplib.SMTPResponseException as e:
            code = e.smtp_code
        self.count(kind, code)
        return code

    def greylist_first_try(self, n):
        sender = f"newsletter{n}@fresh-sender.example"
        code = self.mx("greylisted first try", sender, self.args.user, ham(n))
        if 400 <= code < 500:
            with self.lock:
                self.greylisted.append((time.monotonic() + self.args.greylist_retry, sender, n))

    def greylist_retries(self):
        now = time.monotonic()
        with self.lock:
            due = [g for g in self.greylisted if g[0] <= now]
            self.greylisted = [g for g in self.greylisted if g[0] > now]
        for _, sender, n in due:
            self.mx("greylisted retry", sender, self.args.user, ham(n))

    def run(self):
        a = self.args
        domain = a.user.split("@")[1]
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            second = 0
            while time.monotonic() - start < a.seconds:
                burst = a.seconds / 3 <= second < 2 * a.seconds / 3
                hams = (3 if burst else 1) + (second % 2 if not burst else 0)  # 1.5/s, 3/s in the burst
                for i in range(hams):
                    pool.submit(self.mx, "ham", "carol@sender.example", a.user, ham(f"{second}.{i}"))
                if second % 5 == 0:
                    pool.submit(self.mx, "unknown user", "dave@sender.example", f"nobody{second}@{domain}", ham(second))
                if second % 7 == 3:
                    pool.submit(self.mx, "relay attempt", "eve@sender.example", f"victim{second}@elsewhere.example", ham(second))
                if second % 15 == 4:
                    pool.submit(self.mx, "GTUBE", "spammer@sender.example", a.user, GTUBE)
                if second % 20 == 9:
                    pool.submit(self.mx, "lottery scam", "mike.williams@lottery-winners.example", a.user, SCAM, True)
                if second % 10 == 2:
                    pool.submit(self.greylist_first_try, second)
                pool.submit(self.greylist_retries)
                if second % (2 if burst else 3) == 1:
                    pool.submit(self.submit, "submission to partner.test", f"bob{second % 7}@partner.test")
                if second % 20 == 6:
                    pool.submit(self.submit, "submission to down.test", f"ann{second}@down.test")
                if second % 30 == 12:
                    pool.submit(self.submit, "submission to nowhere.test", f"carl{second}@nowhere.test")
                if second % 6 == 5:
                    pool.submit(self.submit, "password guess", f"x@{domain}", "guess-%d" % second,
                                f"admin@{domain}", a.guesser_address)
                second += 1
                time.sleep(max(0.0, start + second - time.monotonic()))
        width = max(len(kind) for kind, _ in self.outcomes)
        for (kind, code), n in sorted(self.outcomes.items()):
            print(f"{kind:{width}}  {code}  {n}")
        print(f"total {sum(self.outcomes.values())} SMTP transactions in {time.monotonic() - start:.0f} s")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mx", type=int, required=True)
    p.add_argument("--submission", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--seconds", type=int, default=240)
    p.add_argument("--greylist-retry", type=float, default=6, help="seconds before a greylisted sender tries again")
    p.add_argument("--guesser-address", default="127.0.0.66")
    Traffic(p.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
