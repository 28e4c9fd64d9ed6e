#!/usr/bin/python3
"""Draws a Grafana dashboard's time-series panels from a real Prometheus into one PNG, in the dashboard's own layout.

    /usr/bin/python3 bench/dashboard-render.py --dashboard docs/grafana-dashboard.json \
        --prometheus http://127.0.0.1:9090 --start 1764567000 --end 1764567300 --out docs/dashboard.png \
        [--step 5] [--rate-interval 1m] [--note TEXT] [--width 1400]

Grafana cannot be installed where this project is built, so this is our own rendering of the dashboard JSON, not
Grafana's: every panel, title, query, legend format, unit, stacking mode and grid position is read from the JSON,
every value comes from Prometheus's HTTP API (/api/v1/query_range over [start, end] at --step seconds). What it
does not do as Grafana does is said on the picture itself: Grafana's $__rate_interval (which depends on the scrape
interval and the panel's width) is replaced by the fixed --rate-interval, $__interval by the step; times are UTC
(the dashboard says "browser"); only "timeseries" and "row" panels are drawn, any other type gets a box saying so.
Any other $variable in a query stops the rendering rather than drawing something else than the dashboard asks.

Prints one line per panel on stdout: its series, and whether they hold data ("data", "all zero", "no data").
Needs Debian's python3-matplotlib (bin/install-deps dashboard).
"""
import argparse
import datetime
import io
import json
import math
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402  (Debian's python3-pil, a dependency of python3-matplotlib)

# Grafana's dark theme and its classic palette, in the order Grafana gives series their colours.
BACKGROUND, PANEL, BORDER, TEXT, DIM, GRID = "#111217", "#181b1f", "#2c3235", "#ccccdc", "#8e8e8e", "#2c3235"
PALETTE = ["#73BF69", "#F2CC0C", "#8AB8FF", "#FF780A", "#F2495C", "#5794F2", "#B877D9", "#705DA0", "#37872D",
           "#FADE2A", "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477"]
GRID_COLUMNS = 24
UNIT_HEIGHT = 36  # px per gridPos height unit: Grafana's 30 px row plus its 8 px margin, rounded
HEADER_HEIGHT = 76


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dashboard", required=True)
    p.add_argument("--prometheus", required=True, help="base URL, e.g. http://127.0.0.1:9090")
    p.add_argument("--start", type=float, required=True, help="Unix seconds")
    p.add_argument("--end", type=float, required=True, help="Unix seconds")
    p.add_argument("--step", type=float, default=5, help="seconds between points (default 5)")
    p.add_argument("--rate-interval", default="1m", help="replaces $__rate_interval (default 1m)")
    p.add_argument("--note", default="", help="a line under the title: what run this is")
    p.add_argument("--width", type=int, default=1400, help="picture width in px (default 1400)")
    p.add_argument("--out", required=True)
    return p.parse_args()


def expression(expr, args):
    """The query as sent: Grafana's interval variables replaced by fixed windows, any other variable refused."""
    expr = expr.replace("$__rate_interval", args.rate_interval).replace("${__rate_interval}", args.rate_interval)
    step = f"{int(args.step)}s"
    expr = expr.replace("$__interval", step).replace("${__interval}", step)
    unknown = re.findall(r"\$\{?\w+", expr)
    if unknown:
        sys.exit(f"dashboard-render: query uses {', '.join(unknown)}, which this renderer does not replace: {expr}")
    return expr


def query_range(args, expr):
    url = args.prometheus.rstrip("/") + "/api/v1/query_range?" + urllib.parse.urlencode(
        {"query": expr, "start": args.start, "end": args.end, "step": args.step})
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = json.load(response)
    except urllib.error.HTTPError as e:
        sys.exit(f"dashboard-render: Prometheus refused {expr}: {e.code} {e.read().decode(errors='replace')}")
    if body.get("status") != "success":
        sys.exit(f"dashboard-render: Prometheus answered {body} to {expr}")
    return body["data"]["result"]


def legend(target, metric):
    """Grafana's legend: legendFormat with {{label}} replaced (a missing label is empty), or the series's labels."""
    fmt = target.get("legendFormat") or ""
    if fmt and fmt != "__auto":
        return re.sub(r"\{\{\s*([\w.]+)\s*\}\}", lambda m: metric.get(m.group(1), ""), fmt).strip()
    labels = {k: v for k, v in metric.items() if k != "__name__"}
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return metric.get("__name__", "") + ("{" + inner + "}" if inner or "__name__" not in metric else "")


def number(value, decimals=None):
    if value == int(value) and decimals is None:
        return str(int(value))
    if decimals is None:
        magnitude = math.floor(math.log10(abs(value)))
        decimals = max(0, min(3, 2 - magnitude))
    return f"{value:.{decimals}f}"


def formatter(unit):
    """Grafana's value formats for the units the dashboard uses; others are printed as plain numbers with the unit."""
    def reqps(v):
        return f"{number(v)} req/s"

    def seconds(v):
        a = abs(v)
        if a == 0:
            return "0 s"
        if a < 1e-3:
            return f"{number(v * 1e6)} µs"
        if a < 1:
            return f"{number(v * 1e3)} ms"
        if a < 60:
            return f"{number(v)} s"
        if a < 3600:
            return f"{number(v / 60)} min"
        if a < 86400:
            return f"{number(v / 3600)} hour"
        return f"{number(v / 86400)} day"

    def short(v):
        a = abs(v)
        for size, suffix in ((1e12, " T"), (1e9, " B"), (1e6, " Mil"), (1e3, " K")):
            if a >= size:
                return number(v / size) + suffix
        return number(v)

    known = {"reqps": reqps, "s": seconds, "short": short, "none": short, None: short}
    return known.get(unit, lambda v: f"{number(v)} {unit}")


def series_of(panel, args):
    """Every series of every target, in target order: (label, [times], [values])."""
    out = []
    for target in panel.get("targets", []):
        if target.get("hide"):
            continue
        for result in query_range(args, expression(target["expr"], args)):
            times = [datetime.datetime.fromtimestamp(float(t), datetime.timezone.utc) for t, _ in result["values"]]
            values = [float(v) for _, v in result["values"]]
            out.append((legend(target, result["metric"]), times, values))
    return out


def stacked(series):
    """Grafana's "normal" stacking: each series drawn on top of the ones before it, absent points counting as 0."""
    totals, out = {}, []
    for label, times, values in series:
        tops = []
        for t, v in zip(times, values):
            base = totals.get(t, 0.0)
            top = base + (0.0 if math.isnan(v) else v)
            totals[t] = top
            tops.append(top)
        out.append((label, times, tops))
    return out


def last_not_null(values):
    for v in reversed(values):
        if not math.isnan(v):
            return v
    return None


def px_box(fig, left, top, width, height):
    """Figure-fraction rectangle [left, bottom, width, height] from pixel coordinates measured from the top left."""
    fw, fh = fig.get_size_inches() * fig.dpi
    return [left / fw, 1 - (top + height) / fh, width / fw, height / fh]


def draw_panel(fig, panel, box, args):
    left, top, width, height = box
    fig.add_artist(Rectangle(px_box(fig, *box)[:2], width / (fig.get_size_inches()[0] * fig.dpi),
                             height / (fig.get_size_inches()[1] * fig.dpi), transform=fig.transFigure,
                             facecolor=PANEL, edgecolor=BORDER, linewidth=1, zorder=-1))  # under the plot
    tx, ty = px_box(fig, left + 10, top + 8, 0, 0)[:2]
    fig.text(tx, ty, panel.get("title", ""), color=TEXT, fontsize=10, fontweight="bold", va="top", ha="left")
    if panel.get("type") != "timeseries":
        cx, cy = px_box(fig, left + width / 2, top + height / 2, 0, 0)[:2]
        fig.text(cx, cy, f"panel type \"{panel.get('type')}\" is not drawn by bench/dashboard-render.py",
                 color=DIM, fontsize=10, ha="center", va="center")
        return panel.get("title", ""), "not drawn", 0

    defaults = panel.get("fieldConfig", {}).get("defaults", {})
    fmt = formatter(defaults.get("unit"))
    stacking = defaults.get("custom", {}).get("stacking", {}).get("mode", "none")
    legend_options = panel.get("options", {}).get("legend", {})
    show_legend = legend_options.get("showLegend", True) and legend_options.get("displayMode") != "hidden"
    legend_right = show_legend and legend_options.get("placement", "bottom") == "right"
    with_last = "lastNotNull" in legend_options.get("calcs", []) or "last" in legend_options.get("calcs", [])

    series = series_of(panel, args)
    legend_width = int(width * 0.38) if legend_right else 0
    plot = fig.add_axes(px_box(fig, left + 62, top + 32, width - 62 - 12 - legend_width, height - 32 - 26))
    plot.set_facecolor(PANEL)
    for side in plot.spines.values():
        side.set_visible(False)
    plot.tick_params(colors=DIM, labelsize=8, length=0)
    plot.grid(True, color=GRID, linewidth=0.6)
    plot.set_xlim(datetime.datetime.fromtimestamp(args.start, datetime.timezone.utc),
                  datetime.datetime.fromtimestamp(args.end, datetime.timezone.utc))
    plot.xaxis.set_major_locator(mdates.MinuteLocator(interval=max(1, int((args.end - args.start) / 60 / 6))))
    plot.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=datetime.timezone.utc))
    plot.yaxis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3))
    plot.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))

    drawn = stacked(series) if stacking == "normal" else series
    peak = 0.0
    rows = []
    for i, ((label, times, values), (_, _, own)) in enumerate(zip(drawn, series)):
        colour = PALETTE[i % len(PALETTE)]
        plot.plot(times, values, color=colour, linewidth=1.2)
        finite = [v for v in values if not math.isnan(v)]
        peak = max([peak] + [abs(v) for v in finite])
        rows.append((colour, label, last_not_null(own)))
    if not series:
        plot.set_ylim(0, 1)
        plot.text(0.5, 0.5, "No data", transform=plot.transAxes, color=DIM, fontsize=14, ha="center", va="center")
    else:
        plot.set_ylim(0, peak * 1.1 if peak > 0 else 1)

    if show_legend and rows:
        if legend_right:
            lx, ltop, lwidth = left + width - legend_width - 4, top + 32, legend_width - 8
        else:
            lx, ltop, lwidth = left + 62, top + height - 22, width - 74
        if with_last:
            hx, hy = px_box(fig, lx + lwidth, ltop, 0, 0)[:2]
            fig.text(hx, hy, "Last *", color=DIM, fontsize=8, ha="right", va="top")
            ltop += 14
        line = 13
        room = max(1, int((top + height - 8 - ltop) / line))
        shown = rows if len(rows) <= room else rows[:room - 1]
        for n, (colour, label, last) in enumerate(shown):
            y = ltop + n * line
            mx, my = px_box(fig, lx, y + 2, 0, 0)[:2]
            fig.text(mx, my, "\u2014", color=colour, fontsize=9, fontweight="bold", ha="left", va="top")
            nx, ny = px_box(fig, lx + 16, y + 1, 0, 0)[:2]
            room_chars = int((lwidth - 16 - (62 if with_last else 0)) / 5.2)  # about 5 px a character at 8 pt
            text = label if len(label) <= room_chars else label[:room_chars - 1] + "\u2026"
            fig.text(nx, ny, text, color=TEXT, fontsize=8, ha="left", va="top")
            if with_last:
                vx, vy = px_box(fig, lx + lwidth, y + 1, 0, 0)[:2]
                fig.text(vx, vy, fmt(last) if last is not None else "-", color=TEXT, fontsize=8, ha="right", va="top")
        if len(shown) < len(rows):
            ox, oy = px_box(fig, lx + 16, ltop + len(shown) * line + 1, 0, 0)[:2]
            fig.text(ox, oy, f"and {len(rows) - len(shown)} more series", color=DIM, fontsize=8, ha="left", va="top")

    if not series:
        state = "no data"
    elif peak == 0:
        state = "all zero"
    else:
        state = "data"
    return panel.get("title", ""), state, len(series)


def main():
    args = parse_args()
    with open(args.dashboard) as f:
        dashboard = json.load(f)
    # Grafana's layout: rows and panels at gridPos (24 columns); a collapsed row hides the panels it holds.
    items = []
    for panel in dashboard.get("panels", []):
        items.append(panel)
    bottom = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in items)
    width = args.width
    height = HEADER_HEIGHT + bottom * UNIT_HEIGHT + 8
    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor=BACKGROUND)
    column = (width - 16) / GRID_COLUMNS

    span = (f"{datetime.datetime.fromtimestamp(args.start, datetime.timezone.utc):%Y-%m-%d %H:%M:%S} to "
            f"{datetime.datetime.fromtimestamp(args.end, datetime.timezone.utc):%H:%M:%S} UTC")
    x, y = px_box(fig, 12, 10, 0, 0)[:2]
    fig.text(x, y, dashboard.get("title", ""), color=TEXT, fontsize=15, fontweight="bold", va="top")
    x, y = px_box(fig, 12, 34, 0, 0)[:2]
    fig.text(x, y, f"Not Grafana's rendering: bench/dashboard-render.py drawing {args.dashboard} from Prometheus "
             f"query_range, {span}, step {number(args.step)} s, $__rate_interval replaced by {args.rate_interval}.",
             color=DIM, fontsize=8.5, va="top")
    if args.note:
        x, y = px_box(fig, 12, 50, 0, 0)[:2]
        fig.text(x, y, args.note, color=DIM, fontsize=8.5, va="top")

    report = []
    for panel in items:
        g = panel["gridPos"]
        box = (8 + g["x"] * column + 4, HEADER_HEIGHT + g["y"] * UNIT_HEIGHT + 4, g["w"] * column - 8,
               g["h"] * UNIT_HEIGHT - 8)
        if panel.get("type") == "row":
            rx, ry = px_box(fig, box[0] + 2, box[1] + box[3] / 2, 0, 0)[:2]
            hidden = len(panel.get("panels", [])) if panel.get("collapsed") else 0
            title = panel.get("title", "") + (f"  (collapsed: {hidden} panels)" if hidden else "")
            fig.text(rx, ry, title, color=TEXT, fontsize=12, fontweight="bold", va="center", ha="left")
            continue
        report.append(draw_panel(fig, panel, box, args))

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor=BACKGROUND)
    plt.close(fig)
    buffer.seek(0)
    # A palette of 64 colours keeps the picture small enough for the repository; the lines use a few colours only.
    Image.open(buffer).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(
        args.out, optimize=True)

    for title, state, count in report:
        print(f"{state:9} {count:2} series  {title}")
    with_data = sum(1 for _, state, _ in report if state == "data")
    print(f"{with_data} of {len(report)} panels show data; picture: {args.out}")


if __name__ == "__main__":
    main()
