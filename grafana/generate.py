"""Which file each dashboard goes to, and `python -m grafana [--check]`, which writes them
(or checks that the committed ones are current)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from grafana import load_generator, slow_upstream, sync_vs_async
from grafana.panels import Json

DASHBOARD_DIR = Path(__file__).resolve().parent / "dashboards"

DASHBOARDS: dict[str, Callable[[], Json]] = {
    "sync-vs-async.json": sync_vs_async.build,
    "load-generator.json": load_generator.build,
    "slow-upstream.json": slow_upstream.build,
}


def render(d: Json) -> str:
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


def generated() -> Iterator[tuple[Path, str]]:
    for filename, build in DASHBOARDS.items():
        yield DASHBOARD_DIR / filename, render(build())


def main(argv: list[str]) -> int:
    """`python -m grafana [--check]`: write (or check) grafana/dashboards/*.json."""
    stale = []
    for path, text in generated():
        if argv == ["--check"]:
            if not path.is_file() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print(f"stale dashboards: {', '.join(stale)}; run `python -m grafana`")
        return 1
    return 0
