"""`lab report RESULTS.json [OTHER.json] -o OUT.html`: exercise results as one HTML page that
opens offline in any browser; two files side by side, each chart with their ratio. A sweep's
file (`lab sweep -o`) gets a page of its own: its curves with their bounds and knees, and a
heatmap of throughput ÷ bound per server.

Exit status: 0 written; 2 a results file that cannot be read (another format or version,
truncated, missing) or an output path that cannot be written, said in one line. The page is
written whole or not at all.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from contracts.settings import LabSettings

# Imported lazily: matplotlib is heavy, and `lab` also runs in the server images.
if TYPE_CHECKING:
    from lab.report.runs import Run


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="exercise results (lab exercise run --json) as one self-contained HTML page",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("results", nargs="+", metavar="RESULTS.json", help="one run, or two to compare")
    p.add_argument("-o", "--output", required=True, metavar="OUT.html", help="the page to write")


def main(args: argparse.Namespace, settings: LabSettings) -> int:
    from lab.exercise.results import ResultsError
    from lab.report import runs

    if len(args.results) > 2:
        print("lab report: give one results file, or two to compare", file=sys.stderr)
        return 2
    try:
        if is_sweep(Path(args.results[0])):
            return write_sweep([Path(p) for p in args.results], settings, Path(args.output))
        loaded = runs.load([Path(p) for p in args.results])
    except ResultsError as e:
        print(f"lab report: {e}", file=sys.stderr)
        return 2
    return write(loaded, settings, Path(args.output))


def is_sweep(path: Path) -> bool:
    """Is this a `lab sweep -o` file? (`ResultsError` when it is no JSON document at all.)"""
    from lab.exercise.results import load_json
    from lab.sweep.results import FORMAT

    doc = load_json(path)
    return isinstance(doc, dict) and doc.get("format") == FORMAT


def write_sweep(paths: Sequence[Path], settings: LabSettings, out: Path) -> int:
    """A sweep's page (one sweep per page); 0, or 2 with one line."""
    from lab.exercise.results import ResultsError
    from lab.sweep import results

    if len(paths) > 1:
        raise ResultsError(f"{paths[0]} is a sweep: report it alone")
    doc = results.read(paths[0])

    def render(grafana: str) -> tuple[str, list[str]]:
        from lab.report import sweep_page

        return sweep_page.render(doc, paths[0].name, grafana), sweep_page.links(doc, grafana)

    return _write_page(out, settings, render)


def write(loaded: Sequence[Run], settings: LabSettings, out: Path) -> int:
    """Render and write the page; 0, or 2 with one line when it cannot be written."""

    def render(grafana: str) -> tuple[str, list[str]]:
        from lab.report import page

        return page.render(loaded, grafana), page.links(loaded, grafana)

    return _write_page(out, settings, render)


def _write_page(
    out: Path, settings: LabSettings, render: Callable[[str], tuple[str, list[str]]]
) -> int:
    """Check the output path, render (the page and the links it may hold to Grafana), check
    it fetches nothing, write it whole; 0, or 2 with one line when it cannot be written."""
    from lab.report import output

    try:
        output.check(out)  # before matplotlib is loaded and the charts drawn: seconds
    except output.OutputError as e:
        print(f"lab report: {e}", file=sys.stderr)
        return 2
    from contracts.topology import GRAFANA
    from lab.report import offline

    text, links = render(GRAFANA.url(settings))
    # A page that would fetch something is a bug of the page, never written.
    outside = offline.problems(text, links)
    if outside:
        raise RuntimeError(f"the report would load {outside[0]}: not written")
    try:
        output.write(out, text)
    except output.OutputError as e:
        print(f"lab report: {e}", file=sys.stderr)
        return 2
    print(f"lab report: wrote {out} ({len(text.encode()) / 1024:.0f} KB)")
    return 0
