#!/usr/bin/env python3
"""Counts the Cassandra requests in a gateway log written with bench/driver-request-log.conf, by statement.

    python3 bench/requests-by-statement.py GATEWAY.LOG FROM TO [MESSAGES]

FROM and TO (HH:MM:SS, TO excluded) bound the counted window, e.g. the "counted:" line of
bench/delivery-statements.sh and the line after its table; MESSAGES divides the counts.
"""
import collections
import re
import sys


def main(log, start, end, messages=None):
    counts = collections.Counter()
    with open(log, errors="replace") as lines:
        for line in lines:
            if "RequestLogger" not in line or not start <= line[11:19] < end:
                continue
            statement = re.search(r"values\] (.*)$", line)
            if statement:
                counts[re.sub(r"\s+", " ", statement.group(1))[:160]] += 1
    total = sum(counts.values())
    per = float(messages) if messages else None
    print(f"{total} requests" + (f", {total / per:.2f} per message" if per else ""))
    for statement, count in counts.most_common():
        print(f"{count:7d}" + (f" {count / per:6.2f}" if per else "") + f"  {statement}")


if __name__ == "__main__":
    main(*sys.argv[1:5])
