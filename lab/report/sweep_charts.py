"""The sweep's charts: per upstream delay, throughput against concurrency with one line per
server, each with its Little's-law bound (dashed) and its knee (✕); and per server, a
heatmap of throughput ÷ bound over concurrency × delay.

Ids as the exercise charts have them (`<chart>-series-<name>`, `<chart>-bound-<name>`,
`<chart>-knee-<name>`), so a test, or a reader's browser, finds each one in the SVG."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import numpy

from lab.exercise.verdict import fmt
from lab.report.charts import BLUE, ORANGE, SERIES, STYLE, Chart, figure, finish, make, slug

Curve = Mapping[str, Any]
COLOURS = {"wsgi": ORANGE, "asgi": BLUE}  # the dashboards' colours for the two servers


def measured(curve: Curve) -> list[Mapping[str, Any]]:
    return [p for p in curve.get("points") or [] if p.get("status") == "measured"]


def delays(doc: Mapping[str, Any]) -> list[float]:
    return sorted({float(c["delay_ms"]) for c in doc["curves"]})


def servers(doc: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(c["server"] for c in doc["curves"]))


def colour(server: str, index: int) -> str:
    return COLOURS.get(server, SERIES[index % len(SERIES)])


def throughput(doc: Mapping[str, Any], delay_ms: float) -> Chart | None:
    """Every server's curve at one delay, against concurrency, with its bound and knee."""
    curves = [c for c in doc["curves"] if float(c["delay_ms"]) == delay_ms and measured(c)]
    if not curves:
        return None
    chart_id = f"sweep-d{fmt(delay_ms)}-throughput"
    with matplotlib.rc_context(STYLE):
        fig, (ax,) = figure()
        series, bounds, values, findings = [], [], {}, []
        for i, curve in enumerate(curves):
            server, points = curve["server"], measured(curve)
            users = [p["users"] for p in points]
            rps = [p["throughput_rps"] for p in points]
            c = colour(server, i)
            (line,) = ax.plot(users, rps, marker="o", color=c, label=f"{server} measured")
            series.append(f"{chart_id}-series-{slug(server)}")
            line.set_gid(series[-1])
            (bound,) = ax.plot(
                users,
                [p["bound_rps"] for p in points],
                linestyle="dashed",
                color=c,
                alpha=0.7,
                label=f"{server} bound min(C, N)÷D",
            )
            bounds.append(f"{chart_id}-bound-{slug(server)}")
            bound.set_gid(bounds[-1])
            values.update(
                {f"{server} C={u} throughput": r for u, r in zip(users, rps, strict=True)}
            )
            knee = curve.get("knee")
            at = [p for p in points if knee and p["users"] == knee.get("users")]
            if at:
                (mark,) = ax.plot(
                    [at[0]["users"]],
                    [at[0]["throughput_rps"]],
                    marker="X",
                    markersize=12,
                    linestyle="none",
                    color=c,
                    markeredgecolor="black",
                    label=f"{server} knee",
                )
                mark.set_gid(f"{chart_id}-knee-{slug(server)}")
                findings.append(f"{server} knee at C={knee['users']} ({knee.get('cause')})")
            else:
                findings.append(f"{server}: no knee up to C={users[-1]}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("concurrent users C (closed loop, log scale)")
        title = f"D = {fmt(delay_ms)} ms: " + "; ".join(findings)
        finish(ax, title, "throughput (req/s, log scale)")
        return make(fig, chart_id, "sweep-throughput", title, series, bounds, values)


def heatmap(doc: Mapping[str, Any], server: str) -> Chart | None:
    """Throughput ÷ bound for one server over concurrency × delay; blank where not run."""
    curves = [c for c in doc["curves"] if c["server"] == server and measured(c)]
    if not curves:
        return None
    # Every server's grid the same: a point past this server's knee shows as a blank cell.
    users = sorted({p["users"] for c in doc["curves"] for p in c.get("points") or []})
    ds = sorted({float(c["delay_ms"]) for c in curves})
    grid: list[list[float]] = [[float("nan")] * len(users) for _ in ds]
    values = {}
    for c in curves:
        for p in measured(c):
            row, col = ds.index(float(c["delay_ms"])), users.index(p["users"])
            grid[row][col] = float(p["ratio"])
            values[f"D={fmt(float(c['delay_ms']))} C={p['users']} ratio"] = float(p["ratio"])
    chart_id = f"sweep-{slug(server)}-heatmap"
    with matplotlib.rc_context(STYLE):
        fig, (ax,) = figure()
        # Vector cells (pcolormesh), not a raster (imshow embeds a PNG); unmeasured: blank.
        cells = numpy.ma.masked_invalid(numpy.array(grid))
        # Ten steps of a colour-blind-safe map: readable, and a small colour bar in vector.
        steps = matplotlib.colormaps["cividis"].resampled(10)
        image = ax.pcolormesh(cells, cmap=steps, vmin=0, vmax=1, edgecolors="white")
        gid = f"{chart_id}-series-ratio"
        image.set_gid(gid)
        for row, line in enumerate(grid):
            for col, v in enumerate(line):
                if v == v:  # not NaN: a measured point
                    ax.text(col + 0.5, row + 0.5, f"{v:.2f}", ha="center", va="center", fontsize=8,
                            color="white" if v < 0.6 else "black")  # fmt: skip
        ax.set_xticks([i + 0.5 for i in range(len(users))], [str(u) for u in users])
        ax.set_yticks([i + 0.5 for i in range(len(ds))], [fmt(d) for d in ds])
        ax.set_xlabel("concurrent users C")
        ax.grid(False)
        bar = fig.colorbar(image, ax=ax, label="throughput ÷ bound")
        if bar.solids is not None:
            bar.solids.set_rasterized(False)  # vector like the rest
        low = min(values.values())
        title = f"{server}: throughput ÷ bound, {low:.2f} at its lowest"
        ax.set_title(title)
        ax.set_ylabel("upstream delay D (ms)")
        return make(fig, chart_id, "sweep-heatmap", title, [gid], [], values)


def charts(doc: Mapping[str, Any]) -> list[Chart]:
    out: Sequence[Chart | None] = [throughput(doc, d) for d in delays(doc)] + [
        heatmap(doc, s) for s in servers(doc)
    ]
    return [c for c in out if c is not None]
