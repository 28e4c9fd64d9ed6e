#!/usr/bin/python3
"""dkimpy (Debian's python3-dkim) and pyspf (python3-spf) for the end-to-end tests: the independent implementations
Gateway's DKIM and SPF are checked against. DNS goes only to the tests' own server (--dns HOST:PORT).

  dkim_tool.py sign --key FILE --domain D --selector S [--algorithm rsa-sha256|ed25519-sha256|rsa-sha1]
                    [--canonicalize relaxed/simple] [--length] [--expired]      message on stdin, signed on stdout
  dkim_tool.py verify --dns HOST:PORT [--index N]        prints "pass" or "fail: reason" for signature N (0 = top)
  dkim_tool.py spf --dns HOST:PORT IP SENDER HELO        prints pyspf's result for the MAIL FROM identity
"""
import argparse
import sys
import time

import dkim
import dns.resolver
import dns.exception


def resolver(address):
    host, port = address.rsplit(':', 1)
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = [host]
    r.port = int(port)
    r.lifetime = 5
    return r


def sign(args):
    message = sys.stdin.buffer.read()
    key = open(args.key, 'rb').read()
    if args.expired:
        # dkimpy's sign() has no x=: sign as of two hours ago with x= one minute after that.
        real_time = time.time
        then = real_time() - 7200
        original = dkim.DKIM.gen_header

        def with_x(self, fields, *rest, **kwargs):
            fields.insert(-1, (b'x', str(int(then) + 60).encode()))
            return original(self, fields, *rest, **kwargs)
        dkim.DKIM.gen_header = with_x
        time.time = lambda: then
    header, body = args.canonicalize.split('/')
    signature = dkim.sign(message, args.selector.encode(), args.domain.encode(), key,
                          signature_algorithm=args.algorithm.encode(),
                          canonicalize=(header.encode(), body.encode()),
                          include_headers=[b'from', b'to', b'subject', b'date', b'message-id'],
                          length=args.length)
    sys.stdout.buffer.write(signature + message)


def verify(args):
    r = resolver(args.dns)

    def dnsfunc(name, timeout=5):
        try:
            answers = r.resolve(name.decode().rstrip('.'), 'TXT')
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        return b''.join(b''.join(rdata.strings) for rdata in answers)

    message = sys.stdin.buffer.read()
    d = dkim.DKIM(message)
    try:
        ok = d.verify(idx=args.index, dnsfunc=dnsfunc)
    except dkim.DKIMException as e:
        print('fail: %s' % e)
        return
    print('pass' if ok else 'fail: signature did not verify')


def spf(args):
    import spf as pyspf
    # pyspf asks dnspython's default resolver: make it the tests' server.
    dns.resolver.default_resolver = resolver(args.dns)
    result, explanation = pyspf.check2(i=args.ip, s=args.sender, h=args.helo)
    print(result)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='command', required=True)
    s = sub.add_parser('sign')
    s.add_argument('--key', required=True)
    s.add_argument('--domain', required=True)
    s.add_argument('--selector', required=True)
    s.add_argument('--algorithm', default='rsa-sha256')
    s.add_argument('--canonicalize', default='relaxed/relaxed')
    s.add_argument('--length', action='store_true')
    s.add_argument('--expired', action='store_true')
    v = sub.add_parser('verify')
    v.add_argument('--dns', required=True)
    v.add_argument('--index', type=int, default=0)
    p = sub.add_parser('spf')
    p.add_argument('--dns', required=True)
    p.add_argument('ip')
    p.add_argument('sender')
    p.add_argument('helo')
    args = parser.parse_args()
    {'sign': sign, 'verify': verify, 'spf': spf}[args.command](args)


if __name__ == '__main__':
    main()
