"""One `lab browser` run: for each server and page, N samples in fresh browser contexts
(under background load if asked), the machine's CPU use meanwhile, and the results in the
exercises' format (`lab/exercise/results.py`): one "exercise", `browser`, one row per server
and page, no rules (it measures; the `page-load` exercise judges)."""

from __future__ import annotations

import importlib.metadata
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from contracts.settings import LabSettings
from lab import machine_cpu
from lab.browser import background, chromium, stats
from lab.browser.servers import SetupError, Target, targets
from lab.exercise import results

__all__ = ["SetupError", "all_loaded", "measure", "text"]

NAME = "browser"
QUESTION = (
    "What does a person wait for on each server: the first byte, the first paint and the "
    "largest paint of a page built from one slow upstream call?"
)
EXPLANATION = (
    "TTFB is the navigation's responseStart: the server's whole answer time plus the "
    "loopback hop, since the pages are sent in one piece. LCP - TTFB is what the browser "
    "adds (the rest of the body, parsing, layout, paint), on the same cores as the servers."
)


def _phase(
    target: Target,
    page: str,
    samples: Sequence[chromium.Sample],
    window: tuple[float, float],
    cpu: dict[str, Any],
    load: background.BackgroundLoad | None,
    options: Mapping[str, Any],
) -> dict[str, Any]:
    summary = stats.summary(samples)
    failed = [s for s in samples if not s.ok]
    errors: dict[str, int] = {}
    for s in failed:
        key = s.error or f"HTTP {s.status}"
        errors[key] = errors.get(key, 0) + 1
    settings = dict(target.facts.get("settings") or {})
    settings["proxy"] = target.proxy
    load_text = f"{len(samples)} page loads in Chromium"
    if load is not None:
        load_text += f", background {load.rate:g} req/s of the same page"
    connections = (
        f"through {target.proxy}" if target.proxy != "off" else "direct"
    ) + ", Chromium's network prediction off"
    return {
        "name": f"{target.server} /page/{page}",
        "server": target.server,
        "settings": settings,
        "upstream_config": {},
        "load": load_text,
        "duration_s": round(window[1] - window[0], 3),
        "window": {"start": results.iso(window[0]), "end": results.iso(window[1])},
        "client": {
            "url": f"{target.url}/page/{page}?"
            + urlencode({"delay_ms": options["delay_ms"], "cpu_ms": options["cpu_ms"]}),
            "samples": [asdict(s) for s in samples],
            "errors": errors,
            "background": None
            if load is None
            else {
                "rate": load.rate,
                "seconds": round(load.sent_s, 2),
                "settled_after_s": round(load.settled_s, 2),
                "error": load.error,
            },
        },
        "probe": None,
        "server_side": {},
        "values": {
            **summary,
            "samples": len(samples),
            "failed": len(failed),
            "load_rate": load.rate if load is not None else 0.0,
            "cores_busy": cpu["cores_busy"],
        },
        "apparatus": {
            "steal_fraction": cpu["steal_fraction"],
            "cores": cpu["cores"],
            "warnings": _warnings(cpu, load),
        },
        "placement": target.placement,
        "connections": connections,
        "verdict": "measured",
    }


# Of the machine's cores: above this, Chromium, the servers and the load wait for a core, and
# every figure includes that wait.
BUSY_LIMIT = 0.9


def _warnings(cpu: Mapping[str, Any], load: background.BackgroundLoad | None) -> list[str]:
    out = []
    busy, cores = cpu["cores_busy"], cpu["cores"]
    if busy is not None and busy > BUSY_LIMIT * cores:
        out.append(
            f"CPU saturated (over {BUSY_LIMIT:.0%} of the cores busy, column CPU cores): the "
            "figures include waiting for a core (Chromium shares them with the servers)"
        )
    if load is not None and load.error is not None:
        out.append(f"background load failed: {load.error}")
    return out


def measure(
    settings: LabSettings,
    env: Mapping[str, str],
    executable: str,
    *,
    reuse: bool,
    servers: Sequence[str],
    pages: Sequence[str],
    samples: int,
    rate: float | None,
    delay_ms: int,
    cpu_ms: int,
) -> dict[str, Any]:
    options = {"delay_ms": delay_ms, "cpu_ms": cpu_ms}
    query = urlencode(options)
    started = time.time()
    environment = results.environment()
    rows = []
    with (
        targets(settings, servers, reuse=reuse, env=env) as found,
        chromium.launched(executable) as browser,
    ):
        environment["chromium"] = browser.version
        environment["playwright"] = importlib.metadata.version("playwright")
        for target in found:
            for page in pages:
                url = f"{target.url}/page/{page}?{query}"
                browser.load(url)  # warm: the first load of a server pays its imports
                print(f"lab browser: {target.server} /page/{page}", end="", file=sys.stderr)
                with background.background(url, rate, target.url) as load:
                    before = machine_cpu.cpu_ticks()
                    begin = time.time()
                    taken = []
                    for _ in range(samples):
                        taken.append(browser.load(url))
                        print(".", end="", flush=True, file=sys.stderr)
                    end = time.time()
                    cpu = stats.cpu_use(before, machine_cpu.cpu_ticks())
                print(file=sys.stderr)
                rows.append(_phase(target, page, taken, (begin, end), cpu, load, options))
    exercise = {
        "name": NAME,
        "question": QUESTION,
        "outcome": "measured",
        "options": {**options, "samples": samples, "load_rate": rate},
        "phases": rows,
        "verdicts": [],
        "knees": [],
        "explanation": EXPLANATION,
    }
    return results.document(
        [exercise], short=samples < 10, started_at=started, finished_at=time.time(), env=environment
    )


def all_loaded(doc: Mapping[str, Any]) -> bool:
    return all(p["values"]["failed"] == 0 for ex in doc["exercises"] for p in ex["phases"])


HEADER = (
    "server", "page", "n", "TTFB p50", "p95", "FCP p50", "p95", "LCP p50", "p95",
    "LCP-TTFB p50", "CPU cores", "errors",
)  # fmt: skip


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def text(doc: Mapping[str, Any]) -> str:
    """The table a person reads: ms from the navigation's start, percentiles of the loads."""
    (exercise,) = doc["exercises"]
    rows = [HEADER]
    for p in exercise["phases"]:
        v = p["values"]
        cores = v.get("cores_busy")
        rows.append(
            (
                p["server"],
                p["name"].split(" ", 1)[1],
                str(v["samples"]),
                *(
                    _ms(v.get(f"{f}_p{q}"))
                    for f in ("ttfb_ms", "fcp_ms", "lcp_ms")
                    for q in (50, 95)
                ),
                _ms(v.get("lcp_minus_ttfb_ms_p50")),
                "-" if cores is None else f"{cores:.2f}/{p['apparatus']['cores']}",
                ", ".join(f"{k} x{n}" for k, n in p["client"]["errors"].items()) or "-",
            )
        )
    widths = [max(len(r[c]) for r in rows) for c in range(len(HEADER))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    options = exercise["options"]
    load = options["load_rate"]
    env = doc["environment"]
    connections = sorted({p["connections"] for p in exercise["phases"]})
    placements = sorted({p["placement"] for p in exercise["phases"]})
    return "\n".join(
        [
            f"lab browser: pages with delay_ms={options['delay_ms']} cpu_ms={options['cpu_ms']}, "
            + (f"background load {load:g} req/s" if load else "no background load")
            + f"; Chromium {env.get('chromium')}, headless, no throttling",
            "figures in ms from the navigation's start",
            "",
            *(line.rstrip() for line in lines),
            "",
            "connections: " + "; ".join(connections),
            "servers: " + "; ".join(placements),
            *sorted({f"⚠ {w}" for p in exercise["phases"] for w in p["apparatus"]["warnings"]}),
        ]
    )
