"""Evaluates every case of an RFC 7208 test suite file (openspf's YAML format) with pyspf and prints one line per
case: "<scenario description>\t<case id>\t<result>". pyspf sees only the scenario's zone data: spf.DNSLookup is
replaced as pyspf's own testspf.py does, so no query leaves the process.

Usage: /usr/bin/python3 pyspf_suite.py rfc7208-tests.yml.gz
"""
import gzip
import socket
import sys

import spf
import yaml

zonedata = {}


def dns_lookup(name, qtype, strict=True, timeout=None, level=0):
    """The zone data as pydns would answer it (testspf.py's DNSLookup): TIMEOUT entries raise TempError."""
    try:
        labels = []
        for label in name.split('.'):
            if label:
                if len(label) > 63:
                    raise spf.TempError('DNS label too long')
                labels.append(label)
        name = '.'.join(labels)
        no_data = True
        for entry in zonedata[name.lower()]:
            if entry == 'TIMEOUT':
                if no_data:
                    raise spf.TempError('DNS timeout')
                return
            rtype, value, owner = entry
            if rtype == qtype:
                no_data = False
            if value == 'TIMEOUT':
                if rtype == qtype:
                    raise spf.TempError('DNS timeout')
                continue
            if rtype == 'AAAA':
                value = bytes(socket.inet_pton(socket.AF_INET6, value))
            elif rtype in ('TXT', 'SPF'):
                value = tuple(s.encode('utf-8') for s in value)
            yield (owner, rtype), value
            if not level and rtype == 'CNAME':
                for answer in dns_lookup(value, qtype, strict, timeout, 1):
                    yield answer
    except KeyError:
        if name.startswith('error.'):
            raise spf.TempError('DNS timeout')


def records(entries, name):
    """A name's entries as (type, value, name) tuples; SPF-type records also served as TXT when there is no TXT."""
    generated = []
    has_txt = False
    for entry in entries:
        if not isinstance(entry, dict):
            yield entry
            continue
        for rtype, value in entry.items():
            if rtype in ('TXT', 'SPF') and isinstance(value, str):
                value = (value,)
            if rtype == 'TXT':
                has_txt = True
            elif rtype == 'SPF':
                generated.append(('TXT', value, name))
            if value != ('NONE',):
                yield rtype, value, name
    if not has_txt:
        for entry in generated:
            yield entry


def main(path):
    global zonedata
    spf.DNSLookup = dns_lookup
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as suite:
        for scenario in yaml.safe_load_all(suite):
            zonedata = {name.lower(): list(records(entries, name))
                        for name, entries in scenario.get('zonedata', {}).items()}
            for case_id, case in scenario['tests'].items():
                query = spf.query(i=case['host'], s=case.get('mailfrom', ''), h=case.get('helo', ''), strict=True)
                query.set_default_explanation('DEFAULT')
                result, _, explanation = query.check()
                result = {'unknown': 'permerror', 'error': 'temperror'}.get(result, result)
                print('%s\t%s\t%s\t%s' % (scenario['description'], case_id, result, explanation))


if __name__ == '__main__':
    main(sys.argv[1])
