#!/usr/bin/env python3
"""How a closed cell's accept p99 compares with its mean cycle, per server and message size.

    python3 bench/p99-cycle.py [--sessions N] ROWS.csv...

In a closed cell (bench/compare.sh without --rate) each session sends its next message as soon as the last is
answered, so a message's cycle lasts on average sessions / accepted msgs/s. This prints, for each variant and size
over the rows given, the median ratio of latency_p99_ms to that mean cycle, its 10th and 90th percentiles, and the
accepted rate at which the median ratio would put the p99 at 50 ms. Only rows with --sessions sessions (default 10)
are read; rows of paced cells must be left out by the caller (their files' names say "paced" or "trickle" in
docs/benchmarks/), since their cycle is set by the rate, not by the server:

    python3 bench/p99-cycle.py $(ls docs/benchmarks/*.csv | grep -v -e paced -e trickle)

Files without the columns of compare.sh's results.csv are skipped; a row repeated in several files counts once.
"""
import csv
import statistics
import sys
from collections import defaultdict

TARGET_MS = 50.0


def quantile(values, q):
    values = sorted(values)
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def main(argv):
    sessions = 10
    if len(argv) >= 2 and argv[0] == "--sessions":
        sessions = int(argv[1])
        argv = argv[2:]
    if not argv:
        sys.exit(__doc__)
    seen = set()
    ratios = defaultdict(list)
    for path in argv:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            needed = {"variant", "size", "sessions", "accepted_per_s", "latency_p99_ms"}
            if not reader.fieldnames or not needed.issubset(reader.fieldnames):
                continue
            for row in reader:
                key = tuple(sorted(row.items()))
                if key in seen or int(row["sessions"]) != sessions:
                    continue
                seen.add(key)
                accepted = float(row["accepted_per_s"])
                p99 = float(row["latency_p99_ms"])
                if accepted <= 0 or p99 != p99:
                    continue
                cycle_ms = sessions * 1000 / accepted
                ratios[(row["variant"], int(row["size"]))].append(p99 / cycle_ms)
    print(f"{'variant':<24} {'size':>7} {'cells':>5} {'median':>7} {'p10':>6} {'p90':>6} {'msgs/s for 50 ms':>17}")
    for (variant, size), values in sorted(ratios.items()):
        median = statistics.median(values)
        needed_rate = sessions * 1000 * median / TARGET_MS
        print(f"{variant:<24} {size:>7} {len(values):>5} {median:>7.2f} {quantile(values, 0.1):>6.2f} "
              f"{quantile(values, 0.9):>6.2f} {needed_rate:>17.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
