"""The charts of one exercise's results, as inline SVG made by matplotlib.

Each chart draws its series and the bounds it is judged against, and marks both with ids
(`<chart>-series-<name>`, `<chart>-bound-<name>`) so a test, or a reader's browser, can find
them. The SVG is deterministic: no date, and ids hashed with a salt of the chart's own id,
which also keeps them apart from the other charts' on the same page. Text stays text
(`svg.fonttype` none), drawn in the browser's own sans-serif: nothing is fetched.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import matplotlib

matplotlib.use("Agg")  # no display: the figures are only ever written as SVG

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from lab.exercise.verdict import SYMBOL, fmt
from lab.report.runs import Exercise

# Okabe-Ito: told apart with the common kinds of colour blindness.
BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, YELLOW, BLACK = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#F0E442",
    "#000000",
)
BOUND = VERMILLION
SERIES = (BLUE, ORANGE, GREEN, PURPLE, SKY, BLACK)
STYLE: Any = {  # rcParams (typed by their names in matplotlib: Any here)
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
SIZE = (7.2, 3.4)  # inches, at the SVG's 72 dpi: about the width of the page's column


@dataclass(frozen=True)
class Chart:
    id: str  # unique on the page: "<exercise>-<kind>"
    kind: str  # throughput, knee, latency, bystander, browser, loop-lag, threads-rss
    title: str  # the finding, in words
    svg: str
    series: tuple[str, ...]  # the ids of the series drawn
    bounds: tuple[str, ...]  # the ids of the bounds drawn
    # What the chart shows, by "<phase> <quantity>": what two runs' ratios are taken of.
    values: Mapping[str, float] = field(default_factory=dict)


AUTO_ID = re.compile(r'id="([A-Za-z][\w.]*_\d+)"')


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def charts(ex: Exercise, scale: Sequence[Exercise] = ()) -> list[Chart]:
    """Every chart the exercise has data for, in page order. `scale`: the same exercise in
    the other runs of the page, whose values the axes also fit, so side by side they
    compare at a glance."""
    out = []
    with matplotlib.rc_context(STYLE):  # the style is read as each figure is made
        for build in BUILDERS:
            chart = build(ex, [ex, *scale])
            if chart is not None:
                out.append(chart)
    return out


# ---- what the results hold -------------------------------------------------------------


def phases(ex: Exercise) -> list[Mapping[str, Any]]:
    return list(ex.get("phases") or [])


def value(phase: Mapping[str, Any], quantity: str) -> float | None:
    v = (phase.get("values") or {}).get(quantity)
    return float(v) if isinstance(v, int | float) else None


def measured(ex: Exercise, quantities: Iterable[str], skip: Iterable[str] = ()) -> list[str]:
    """The phases (by name) that measured any of the quantities."""
    wanted, skipped = tuple(quantities), set(skip)
    return [
        p["name"]
        for p in phases(ex)
        if p["name"] not in skipped and any(value(p, q) is not None for q in wanted)
    ]


def of(phases: Mapping[str, Mapping[str, Any]], quantity: str) -> Callable[[str], float | None]:
    """The quantity of a phase, by the phase's name."""
    return lambda name: value(phases[name], quantity)


def by_name(ex: Exercise) -> dict[str, Mapping[str, Any]]:
    return {p["name"]: p for p in phases(ex)}


def rule_bounds(ex: Exercise, quantities: Iterable[str]) -> list[Mapping[str, Any]]:
    wanted = set(quantities)
    return [
        v
        for v in ex.get("verdicts") or []
        if v.get("measure") in wanted and isinstance(v.get("bound"), int | float)
    ]


def knee_phases(ex: Exercise) -> set[str]:
    return {p["phase"] for k in ex.get("knees") or [] for p in k.get("points") or []}


def top(scale: Sequence[Exercise], quantities: Iterable[str]) -> float:
    """The largest of these quantities (and of their bounds) in any of the runs."""
    wanted = tuple(quantities)
    found = [v for ex in scale for p in phases(ex) for q in wanted if (v := value(p, q))]
    found += [float(v["bound"]) for ex in scale for v in rule_bounds(ex, wanted)]
    return max(found, default=1.0)


# ---- drawing ---------------------------------------------------------------------------


def figure(ncols: int = 1) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=SIZE, layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def svg(fig: Figure, chart_id: str) -> str:
    with matplotlib.rc_context({"svg.hashsalt": chart_id}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    # Inline in HTML: no XML prolog, no DOCTYPE (it names a URL), no RDF metadata block.
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    # matplotlib numbers its groups the same in every figure (figure_1, axes_1...): the
    # chart's id before them keeps the page's ids unique. (Its hashed ids are salted apart.)
    return AUTO_ID.sub(lambda m: f'id="{chart_id}-{m[1]}"', text)


def bars(
    ax: Axes,
    chart_id: str,
    names: Sequence[str],
    groups: Sequence[tuple[str, str, Callable[[str], float | None]]],
) -> tuple[list[str], dict[str, float]]:
    """Grouped bars: one group per phase, one bar per (label, colour, value of a phase);
    returns the series' ids and the values drawn."""
    width = 0.8 / len(groups)
    ids, values = [], {}
    for i, (label, colour, get) in enumerate(groups):
        xs, ys = [], []
        for x, name in enumerate(names):
            v = get(name)
            if v is not None:
                xs.append(x - 0.4 + width * (i + 0.5))
                ys.append(v)
                values[f"{name} {label}"] = v
        if not xs:
            continue
        container = ax.bar(xs, ys, width * 0.95, color=colour, label=label)
        # One id per bar (ids are unique): the series is every id with this prefix.
        gid = f"{chart_id}-series-{slug(label)}"
        for n, patch in enumerate(container.patches):
            patch.set_gid(f"{gid}-{n}")
        ids.append(gid)
    ax.set_xticks(range(len(names)), names, rotation=0 if len(names) < 6 else 20)
    return ids, values


def bound_marks(
    ax: Axes,
    chart_id: str,
    names: Sequence[str],
    verdicts: Sequence[Mapping[str, Any]],
    where: Callable[[Mapping[str, Any]], tuple[float, float]] | None = None,
) -> list[str]:
    """Each rule's bound as a short dashed line over its phase's group of bars, with its
    sign (≤, ≥): the figure the rule judges the bar against."""
    ys, x0s, x1s = [], [], []
    for v in verdicts:
        if v["phase"] not in names:
            continue
        x = names.index(v["phase"])
        lo, hi = where(v) if where else (x - 0.45, x + 0.45)
        ys.append(float(v["bound"]))
        x0s.append(lo)
        x1s.append(hi)
        sign = SYMBOL.get(v.get("op", ""), "")
        ax.annotate(
            f"{sign} {fmt(float(v['bound']))}",
            (hi, float(v["bound"])),
            xytext=(2, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=BOUND,
            # Legible over a bar of any colour.
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85},
        )
    if not ys:
        return []
    lines = ax.hlines(ys, x0s, x1s, colors=BOUND, linestyles="dashed", linewidth=2)
    lines.set_label("rule's bound")
    gid = f"{chart_id}-bound-rules"
    lines.set_gid(gid)
    return [gid]


def finish(ax: Axes, title: str, ylabel: str) -> None:
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    # Beside the plot, where it hides no bar and no bound.
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if ax.get_xscale() == "log":  # 100, not 10²
        ax.xaxis.set_major_formatter(FuncFormatter(plain))
    if ax.get_yscale() == "log":  # 200, not 2×10²; a minor tick too, within a decade
        ax.yaxis.set_major_formatter(FuncFormatter(plain))
        ax.yaxis.set_minor_formatter(FuncFormatter(minor(ax)))


def plain(v: float, _: object = None) -> str:
    return f"{v:g}"


def minor(ax: Axes) -> Callable[[float, object], str]:
    """Minor ticks labelled 2 and 5 (20, 50, 200...) where the axis spans at most two
    decades; beyond, the decades alone stay readable."""

    def label(v: float, _: object = None) -> str:
        lo, hi = ax.get_ylim()
        if lo <= 0 or hi / lo > 100 or v <= 0:
            return ""
        mantissa = v / 10 ** math.floor(math.log10(v) + 1e-9)
        return plain(v) if round(mantissa) in (2, 5) else ""

    return label


def make(
    fig: Figure,
    chart_id: str,
    kind: str,
    title: str,
    series: Sequence[str],
    bounds: Sequence[str],
    values: Mapping[str, float],
) -> Chart:
    return Chart(chart_id, kind, title, svg(fig, chart_id), tuple(series), tuple(bounds), values)


def extreme(ex: Exercise, names: Sequence[str], quantity: str) -> tuple[str, float, str, float]:
    """The phases with the highest and lowest value of the quantity, with those values."""
    got = [(n, v) for n in names if (v := value(by_name(ex)[n], quantity)) is not None]
    hi = max(got, key=lambda nv: nv[1])
    lo = min(got, key=lambda nv: nv[1])
    return hi[0], hi[1], lo[0], lo[1]


def times(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b > 0 else "∞×"


# ---- the charts ------------------------------------------------------------------------


def throughput(ex: Exercise, scale: Sequence[Exercise]) -> Chart | None:
    """Throughput per phase against the rules' bounds (the phases of a knee series have a
    chart of their own, against concurrency)."""
    names = measured(ex, ["throughput"], skip=knee_phases(ex))
    if not names:
        return None
    chart_id = f"{slug(ex['name'])}-throughput"
    fig, (ax,) = figure()
    phase = by_name(ex)
    series, values = bars(ax, chart_id, names, [("throughput", BLUE, of(phase, "throughput"))])
    verdicts = [v for v in rule_bounds(ex, ["throughput"]) if v["phase"] in names]
    bounds = bound_marks(ax, chart_id, names, verdicts)
    ax.set_ylim(0, top(scale, ["throughput"]) * 1.15)
    hi, hv, lo, lv = extreme(ex, names, "throughput")
    if hi == lo:
        title = f"{hi} serves {fmt(hv)} req/s"
    else:
        title = f"{hi} serves {fmt(hv)} req/s, {times(hv, lv)} {lo}'s {fmt(lv)}"
    finish(ax, title, "throughput (requests/s)")
    return make(fig, chart_id, "throughput", title, series, bounds, values)


def knee(ex: Exercise, scale: Sequence[Exercise]) -> Chart | None:
    """Each knee series: throughput against concurrency, its Little's-law bound as a dashed
    line of the same colour, and the knee marked where the throughput leaves it."""
    knees = [k for k in ex.get("knees") or [] if k.get("points")]
    if not knees:
        return None
    chart_id = f"{slug(ex['name'])}-knee"
    fig, (ax,) = figure()
    series, bounds, values, findings = [], [], {}, []
    for i, k in enumerate(knees):
        colour, name = SERIES[i % len(SERIES)], k["name"]
        points = k["points"]
        by_users = all(isinstance(p.get("users"), int) for p in points)
        xs = [p["users"] if by_users else j + 1 for j, p in enumerate(points)]
        (bound,) = ax.plot(
            xs,
            [p["bound"] for p in points],
            linestyle="--",
            color=colour,
            alpha=0.8,
            label=f"{name}: Little's-law bound",
        )
        gid = f"{chart_id}-bound-{slug(name)}"
        bound.set_gid(gid)
        bounds.append(gid)
        got = [(x, p) for x, p in zip(xs, points, strict=True) if p.get("measured") is not None]
        (line,) = ax.plot(
            [x for x, _ in got],
            [p["measured"] for _, p in got],
            marker="o",
            color=colour,
            label=f"{name}: measured",
        )
        gid = f"{chart_id}-series-{slug(name)}"
        line.set_gid(gid)
        series.append(gid)
        for _, p in got:
            values[f"{p['phase']} {k.get('measure', 'throughput')}"] = float(p["measured"])
        at = next(((x, p) for x, p in got if p["phase"] == k.get("knee")), None)
        if at is None:
            findings.append(f"{name}: no knee up to C={xs[-1]}" if by_users else f"{name}: no knee")
            continue
        x, p = at
        (mark,) = ax.plot(
            [x], [p["measured"]], marker="X", markersize=11, color=BOUND, linestyle="none"
        )
        mark.set_gid(f"{chart_id}-knee-{slug(name)}")
        ax.annotate(
            f"knee {p['phase']}: {fmt(p['measured'])} of {fmt(p['bound'])}",
            (x, p["measured"]),
            xytext=(-10, -16),
            ha="right",
            textcoords="offset points",
            fontsize=8,
            color=BOUND,
        )
        findings.append(f"{name}: knee at C={x}" if by_users else f"{name}: knee at {p['phase']}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("concurrency C (closed-loop users)")
    title = "; ".join(findings)
    finish(ax, title, "throughput (requests/s)")
    return make(fig, chart_id, "knee", title, series, bounds, values)


LATENCY = ("p50", "p90", "p99")


@dataclass
class LogBars:
    """A chart of grouped bars on a log axis, one group per phase, with the rules' bounds over
    the bar of the quantity each judges; what the builder needs to title and finish it."""

    fig: Figure
    ax: Axes
    chart_id: str
    names: list[str]
    series: list[str]
    bounds: list[str]
    values: dict[str, float]


def log_bars(
    ex: Exercise,
    scale: Sequence[Exercise],
    kind: str,
    groups: Sequence[tuple[str, str, str]],  # label, colour, quantity
    phases_of: Sequence[str] | None = None,  # the quantities that select the phases
) -> LogBars | None:
    quantities = [q for _, _, q in groups]
    names = measured(ex, phases_of or quantities)
    if not names:
        return None
    chart_id = f"{slug(ex['name'])}-{kind}"
    fig, (ax,) = figure()
    phase = by_name(ex)
    ax.set_yscale("log")
    series, values = bars(ax, chart_id, names, [(lb, c, of(phase, q)) for lb, c, q in groups])
    width = 0.8 / len(groups)

    def over(v: Mapping[str, Any]) -> tuple[float, float]:
        x = names.index(v["phase"]) - 0.4 + width * (quantities.index(v["measure"]) + 0.5)
        return x - width / 2, x + width / 2

    verdicts = [v for v in rule_bounds(ex, quantities) if v["phase"] in names]
    bounds = bound_marks(ax, chart_id, names, verdicts, over)
    ax.set_ylim(top=top(scale, quantities) * 2)
    return LogBars(fig, ax, chart_id, names, series, bounds, values)


def latency(ex: Exercise, scale: Sequence[Exercise]) -> Chart | None:
    """The main load's percentiles per phase (HdrHistogram), against the rules' bounds."""
    colours = (SKY, BLUE, PURPLE)
    got = log_bars(ex, scale, "latency", [(q, c, q) for q, c in zip(LATENCY, colours, strict=True)])
    if got is None:
        return None
    ax, chart_id, names = got.ax, got.chart_id, got.names
    hi, hv, lo, lv = extreme(ex, names, "p99")
    title = (
        f"p99 {fmt(hv)} ms in {hi}"
        if hi == lo
        else f"p99 from {fmt(lv)} ms ({lo}) to {fmt(hv)} ms ({hi}), {times(hv, lv)}"
    )
    finish(ax, title, "latency (ms, log scale)")
    return make(got.fig, chart_id, "latency", title, got.series, got.bounds, got.values)


def probe_path(phase: Mapping[str, Any]) -> str:
    url = (phase.get("probe") or {}).get("url") or ""
    return urlsplit(url).path or "bystander"


def bystander(ex: Exercise, scale: Sequence[Exercise]) -> Chart | None:
    """The bystander's latency (a cheap request at a low fixed rate) beside the main load's,
    in each phase that had one: what a neighbour of the main load waits."""
    names = measured(ex, ("probe_p50", "probe_p99"))
    if not names:
        return None
    path = probe_path(by_name(ex)[names[0]])
    groups = [
        ("main load p50", SKY, "p50"),
        ("main load p99", BLUE, "p99"),
        (f"bystander {path} p50", YELLOW, "probe_p50"),
        (f"bystander {path} p99", ORANGE, "probe_p99"),
    ]
    got = log_bars(ex, scale, "bystander", groups, phases_of=("probe_p50", "probe_p99"))
    if got is None:
        return None
    ax, chart_id = got.ax, got.chart_id
    hi, hv, lo, lv = extreme(ex, names, "probe_p99")
    title = (
        f"bystander {path} p99: {fmt(hv)} ms beside {hi}"
        if hi == lo
        else f"bystander {path} p99: {fmt(hv)} ms beside {hi}, {fmt(lv)} ms beside {lo}"
    )
    finish(ax, title, "latency (ms, log scale)")
    return make(got.fig, chart_id, "bystander", title, got.series, got.bounds, got.values)


def loop_lag(ex: Exercise, scale: Sequence[Exercise]) -> Chart | None:
    """The event loop's lag p99 (its histogram's bucket bound) in each ASGI phase."""
    got = log_bars(ex, scale, "loop-lag", [("loop lag p99", GREEN, "loop_lag_p99")])
    if got is None:
        return None
    hi, hv, lo, lv = extreme(ex, got.names, "loop_lag_p99")
    title = (
        f"event-loop lag p99 ≤ {fmt(hv)} ms in {hi}"
        if hi == lo
        else f"event-loop lag p99 ≤ {fmt(hv)} ms in {hi}, ≤ {fmt(lv)} ms in {lo}"
    )
    finish(got.ax, title, "lag p99 (ms, log scale)")
    return make(got.fig, got.chart_id, "loop-lag", title, got.series, got.bounds, got.values)


def threads_rss(ex: Exercise, scale: Sequence[Exercise]) -> Chart | None:
    """The server's most OS threads and its workers' resident memory in each phase."""
    names = measured(ex, ("threads", "rss_mb"))
    if not names:
        return None
    chart_id = f"{slug(ex['name'])}-threads-rss"
    fig, axes = figure(2)
    phase = by_name(ex)
    series, bounds, values, findings = [], [], {}, []
    panels = (("threads", "OS threads (most)", BLUE), ("rss_mb", "resident memory (MB)", ORANGE))
    for ax, (q, label, colour) in zip(axes, panels, strict=True):
        got, vals = bars(ax, chart_id, names, [(q, colour, of(phase, q))])
        series += got
        values.update(vals)
        bounds += bound_marks(ax, chart_id + "-" + slug(q), names, rule_bounds(ex, [q]))
        ax.set_ylim(0, top(scale, [q]) * 1.15)
        ax.set_ylabel(label)
        ax.tick_params(axis="x", labelrotation=30)
        if vals:
            hi, hv, _, _ = extreme(ex, [n for n in names if value(phase[n], q) is not None], q)
            findings.append(
                f"most {'threads' if q == 'threads' else 'memory'}: {fmt(hv)}"
                f"{'' if q == 'threads' else ' MB'} in {hi}"
            )
    title = "; ".join(findings)
    fig.suptitle(title)
    return make(fig, chart_id, "threads-rss", title, series, bounds, values)


BROWSER = ("ttfb_p50", "ttfb_p95", "lcp_p50", "lcp_p95")


def browser(ex: Exercise, scale: Sequence[Exercise]) -> Chart | None:
    """What a person waits for, measured in Chromium beside the phase's load: time to the
    first byte and to the Largest Contentful Paint, p50 and p95, against the rules' bounds."""
    labels = ("TTFB p50", "TTFB p95", "LCP p50", "LCP p95")
    colours = (SKY, BLUE, YELLOW, ORANGE)
    groups = list(zip(labels, colours, BROWSER, strict=True))
    got = log_bars(ex, scale, "browser", groups)
    if got is None:
        return None
    ax, chart_id, names = got.ax, got.chart_id, got.names
    hi, hv, lo, lv = extreme(ex, names, "lcp_p50")
    title = (
        f"LCP p50 {fmt(hv)} ms in {hi}"
        if hi == lo
        else f"LCP p50 {fmt(hv)} ms in {hi}, {fmt(lv)} ms in {lo}: {times(hv, lv)}"
    )
    finish(ax, title, "time from navigation (ms, log scale)")
    return make(got.fig, chart_id, "browser", title, got.series, got.bounds, got.values)


BUILDERS: tuple[Callable[[Exercise, Sequence[Exercise]], Chart | None], ...] = (
    knee,
    throughput,
    latency,
    bystander,
    browser,
    loop_lag,
    threads_rss,
)
