"""The sweep as a learner reads it: per curve, each point's throughput beside its bound, the
ratio, the latencies and the apparatus, then the knee and what ran out there."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lab.exercise.verdict import fmt

HEADER = (
    "users",
    "req/s",
    "bound",
    "ratio",
    "follows",
    "p50 ms",
    "p99 ms",
    "errors",
    "answers",
    "time",
)


def _time(p: Mapping[str, Any]) -> str:
    return f"{p['duration_s']:.1f} s" + (" (cap)" if p["capped"] else "")


def _row(p: Mapping[str, Any]) -> tuple[str, ...]:
    def num(v: float | None) -> str:
        return "-" if v is None else fmt(v)

    return (
        str(p["users"]),
        num(p["throughput_rps"]),
        num(p["bound_rps"]),
        f"{p['ratio']:.2f}",
        f"{p['following']:.2f}",
        num(p["p50_ms"]),
        num(p["p99_ms"]),
        str(p["errors"]),
        str(p["requests"]),
        _time(p),
    )


def server_line(name: str, server: Mapping[str, Any]) -> str:
    limit, workers, threads = server["limit"], server["workers"], server["threads"]
    held = (
        f"at most workers × threads = {workers} × {threads} = {limit} requests at a time"
        if limit is not None
        else "no limit on requests at a time"
    )
    kind = server["implementation"]
    if server["worker_class"] != kind:
        kind += f" ({server['worker_class']} workers)"
    return f"{name}: {kind}, {workers} workers; {held}; {server['path']}; {server['placement']}"


def curve_lines(curve: Mapping[str, Any]) -> list[str]:
    points = curve["points"]
    measured = [p for p in points if p["status"] == "measured"]
    rows = [HEADER, *map(_row, measured)]
    widths = [max(len(r[c]) for r in rows) for c in range(len(HEADER))]
    knee = curve["knee"]
    out = [f"{curve['server']} at D = {curve['delay_ms']} ms"]
    for i, r in enumerate(rows):
        line = "  " + "  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True))
        if i > 0:
            p = measured[i - 1]
            if knee is not None and p["users"] == knee["users"]:
                line += "  ← knee"
            notes = [*p["apparatus"]["warnings"]]
            if p["past_knee"]:
                notes.insert(0, "; ".join(p["past_knee"]))
            if notes:
                line += "  " + "; ".join(notes)
        out.append(line.rstrip())
    skipped = [p["users"] for p in points if p["status"] == "skipped"]
    if skipped:
        why = next(p["why"] for p in points if p["status"] == "skipped")
        out.append(f"  skipped C={','.join(map(str, skipped))}: {why}")
    if knee is None:
        last = measured[-1]["users"] if measured else "-"
        out.append(f"  no knee up to C={last}")
    else:
        after = knee["last_following_users"]
        where = f"between C={after} and C={knee['users']}" if after else f"at C={knee['users']}"
        sure = "" if knee["confirmed"] else " (the last point: not confirmed by another)"
        out.append(
            f"  the knee: {where}{sure}; {knee['cause']}: {knee['explanation']}; "
            f"served concurrency (best req/s × D) {fmt(knee['served_concurrency'])}"
        )
    return out


def text(doc: Mapping[str, Any]) -> str:
    lines = [server_line(name, s) for name, s in doc["servers"].items()]
    lines.append(f"bound: {doc['settings']['bound']}")
    for curve in doc["curves"]:
        lines += ["", *curve_lines(curve)]
    return "\n".join(lines)
