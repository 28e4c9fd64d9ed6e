#!/usr/bin/env python3
"""Turns bench/compare.sh's results.csv into the comparison table (stdout) and throughput.png (gnuplot).

    python3 bench/report.py results.csv OUT_DIR

With several rounds, each figure is the median over the rounds. Ratios are delivered msgs/s against Postfix and
against vanilla James in the same cell.
"""
import csv
import statistics
import subprocess
import sys
from collections import OrderedDict, defaultdict

METRICS = ["accepted_per_s", "delivered_per_s", "latency_p50_ms", "latency_p99_ms", "cpu_ms_per_msg", "peak_rss_mb"]


def size_label(size):
    size = int(size)
    return f"{size // 1024} KB" if size >= 1024 else f"{size} B"


def load(path):
    cells = OrderedDict()
    delivered_all = defaultdict(lambda: [0, 0])
    with open(path) as f:
        for row in csv.DictReader(f):
            key = (int(row["size"]), int(row["sessions"]))
            cells.setdefault(key, OrderedDict()).setdefault(row["variant"], []).append(row)
            delivered_all[(key, row["variant"])][0] += int(row["delivered"])
            delivered_all[(key, row["variant"])][1] += int(row["messages"])
    return cells, delivered_all


def median(rows, metric):
    values = [float(r[metric]) for r in rows if r[metric] not in ("", "NaN")]
    return statistics.median(values) if values else float("nan")


def ratio(value, reference):
    return f"{value / reference:.2f}x" if reference and reference == reference and reference > 0 else "-"


def main(path, out):
    cells, delivered_all = load(path)
    variants = list(OrderedDict.fromkeys(v for cell in cells.values() for v in cell))
    header = (f"{'variant':<20}{'accepted/s':>11}{'delivered/s':>12}{'vs postfix':>11}{'vs james':>10}"
              f"{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/msg':>11}{'peak RSS MB':>12}{'delivered':>14}")
    print("Delivered msgs/s = messages that reached a mailbox / seconds from the first send to the last arrival.")
    for (size, sessions), by_variant in sorted(cells.items()):
        print(f"\n{size_label(size)} messages, {sessions} concurrent sessions")
        print(header)
        postfix = median(by_variant.get("postfix", []), "delivered_per_s") if "postfix" in by_variant else None
        james = median(by_variant.get("james", []), "delivered_per_s") if "james" in by_variant else None
        for variant in variants:
            rows = by_variant.get(variant)
            if not rows:
                continue
            m = {metric: median(rows, metric) for metric in METRICS}
            got, sent = delivered_all[((size, sessions), variant)]
            print(f"{variant:<20}{m['accepted_per_s']:>11.1f}{m['delivered_per_s']:>12.1f}"
                  f"{ratio(m['delivered_per_s'], postfix):>11}{ratio(m['delivered_per_s'], james):>10}"
                  f"{m['latency_p50_ms']:>9.1f}{m['latency_p99_ms']:>9.1f}{m['cpu_ms_per_msg']:>11.2f}"
                  f"{m['peak_rss_mb']:>12.0f}{f'{got}/{sent}':>14}")
    chart(cells, variants, out)


def chart(cells, variants, out):
    data = f"{out}/throughput.dat"
    with open(data, "w") as f:
        f.write("# cell " + " ".join(variants) + "\n")
        for (size, sessions), by_variant in sorted(cells.items()):
            values = [median(by_variant[v], "delivered_per_s") if v in by_variant else float("nan") for v in variants]
            f.write(f'"{size_label(size)}, {sessions} sess." ' + " ".join(f"{v:.1f}" for v in values) + "\n")
    columns = ", ".join(f"'{data}' using {i + 2}:xtic(1) title '{v}'" for i, v in enumerate(variants))
    script = f"""
set terminal pngcairo size 1100,560 font 'sans,10'
set output '{out}/throughput.png'
set title 'Delivered msgs/s (messages in the mailbox per second), higher is better'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key top right
set grid ytics
set yrange [0:*]
set ylabel 'delivered msgs/s'
set datafile missing 'nan'
plot {columns}
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"(no chart: gnuplot failed: {e})", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
