#!/usr/bin/python3
"""An authoritative DNS server for the end-to-end tests, on loopback only (UDP and TCP, one port).

usage: zone_server.py ADDRESS PORT ZONE_FILE QUERY_LOG

ZONE_FILE is JSON, read again at every query so that a test can change it while the server runs:
  {"records": [{"name": "example.org", "type": "TXT", "ttl": 300, "value": "v=spf1 -all"}, ...],
   "servfail": ["broken.example"], "silent": ["slow.example"]}
Names are matched case-insensitively, without the final dot. TXT values longer than 255 characters are split into
several strings. A name under "servfail" answers SERVFAIL; one under "silent" gets no answer at all (a timeout).
Every query is appended to QUERY_LOG as "NAME TYPE" lines. "ready PORT" is printed once both sockets listen.
"""
import json
import sys
import time

from dnslib import QTYPE, RCODE, RR, A, AAAA, MX, TXT, CNAME, PTR, DNSLabel
from dnslib.server import BaseResolver, DNSServer, DNSLogger

ADDRESS, PORT, ZONE_FILE, QUERY_LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def norm(name):
    return str(name).rstrip('.').lower()


def rdata(kind, value):
    if kind == 'TXT':
        return TXT([value[i:i + 255].encode() for i in range(0, len(value), 255)] or [b''])
    if kind == 'A':
        return A(value)
    if kind == 'AAAA':
        return AAAA(value)
    if kind == 'MX':
        preference, host = value.split()
        return MX(host, int(preference))
    if kind == 'CNAME':
        return CNAME(value)
    if kind == 'PTR':
        return PTR(value)
    raise ValueError('unsupported type ' + kind)


class ZoneResolver(BaseResolver):
    def resolve(self, request, handler):
        qname = norm(request.q.qname)
        qtype = QTYPE[request.q.qtype]
        with open(QUERY_LOG, 'a') as log:
            log.write('%s %s\n' % (qname, qtype))
        with open(ZONE_FILE) as f:
            zone = json.load(f)
        reply = request.reply()
        reply.header.aa = 1
        if qname in [norm(n) for n in zone.get('silent', [])]:
            return None
        if qname in [norm(n) for n in zone.get('servfail', [])]:
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        records = zone.get('records', [])
        known = False
        for record in records:
            if norm(record['name']) != qname:
                continue
            known = True
            if record['type'] == qtype or record['type'] == 'CNAME':
                reply.add_answer(RR(DNSLabel(request.q.qname), getattr(QTYPE, record['type']),
                                    ttl=int(record.get('ttl', 300)), rdata=rdata(record['type'], record['value'])))
        if not known and not any(norm(r['name']).endswith('.' + qname) for r in records):
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class Quiet(DNSLogger):
    def __init__(self):
        super().__init__(log='-request,-reply,-truncated,-data,-recv,-send', prefix=False)


resolver = ZoneResolver()
servers = [DNSServer(resolver, port=PORT, address=ADDRESS, logger=Quiet()),
           DNSServer(resolver, port=PORT, address=ADDRESS, tcp=True, logger=Quiet())]
for server in servers:
    server.start_thread()
print('ready %d' % PORT, flush=True)
try:
    while all(server.isAlive() for server in servers):
        time.sleep(0.5)
finally:
    for server in servers:
        server.stop()
