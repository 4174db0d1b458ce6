"""A report (`lab report`) in a real browser: headless Chromium, Debian's, opens the page
from disk; `check` holds it to its results JSON: no console error, no request but the page
itself, every chart drawn with each of its series and bounds, and the figures the rules
judged as the JSON has them."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, FloatRect, Page, Request, sync_playwright

from contracts.paths import REPO

SCREENSHOTS = REPO / "var"


@dataclass
class Opened:
    page: Page
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@contextmanager
def opened(path: Path, chromium: str) -> Iterator[Opened]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            seen = Opened(page)

            def console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    seen.console_errors.append(message.text)

            def failed(request: Request) -> None:
                seen.failed.append(f"{request.url}: {request.failure}")

            page.on("console", console)
            page.on("pageerror", lambda error: seen.console_errors.append(str(error)))
            page.on("requestfailed", failed)
            page.on("request", lambda request: seen.requests.append(request.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield seen
        finally:
            browser.close()


def drawn(page: Page, prefix: str) -> bool:
    """Some element whose id starts with the prefix takes room on the screen."""
    elements = page.locator(f'[id^="{prefix}"]')
    for i in range(elements.count()):
        box = elements.nth(i).bounding_box()
        if box is not None and (box["width"] > 0 or box["height"] > 0):
            return True
    return False


def check(seen: Opened, path: Path, *docs: Mapping[str, Any]) -> None:
    """The page of one run's results, or of two side by side (in that order)."""
    page = seen.page
    assert seen.console_errors == []
    assert seen.failed == []
    assert seen.requests == [path.resolve().as_uri()]  # the page itself, and nothing else

    # Every chart, each of its series and bounds drawn.
    figures = page.locator("figure.chart")
    assert figures.count() > 0
    for i in range(figures.count()):
        figure = figures.nth(i)
        svg = figure.locator("svg").bounding_box()
        assert svg is not None
        assert svg["width"] > 300
        for attribute in ("data-series", "data-bounds"):
            for gid in (figure.get_attribute(attribute) or "").split():
                assert drawn(page, gid), f"{gid} is not drawn"

    # What the JSON holds, the page draws: each knee series with its Little's-law bound, and
    # a rule's bound on the chart of the quantity it judges.
    for i, doc in enumerate(docs):
        for ex in doc["exercises"]:
            drawn_for(page, ex, ex["name"] if len(docs) == 1 else f"{ex['name']}-run{i + 1}")

    # The figures the rules judged, as the page shows them, are the JSON's (to the digits
    # shown); two rules on one quantity of a phase show in the order of the rules, and two
    # runs' figures in the order of the runs.
    expected: dict[str, list[float]] = {}
    for doc in docs:
        for ex in doc["exercises"]:
            for v in ex["verdicts"]:
                key = f"{ex['name']}/{v['phase']}/{v['measure']}"
                expected.setdefault(key, []).append(v["measured"])
                expected.setdefault(key + "/bound", []).append(v["bound"])
    for key, values in expected.items():
        shown = page.locator(f'span.num[data-key="{key}"]').all_inner_texts()
        assert len(shown) == len(values), key
        for text, value in zip(shown, values, strict=True):
            decimals = len(text.partition(".")[2])
            assert abs(float(text) - value) <= 0.5 * 10**-decimals + 1e-9, (key, text, value)


def drawn_for(page: Page, ex: Mapping[str, Any], name: str) -> None:
    """What one exercise's JSON holds, its charts (ids starting with `name`) draw."""
    for k in ex["knees"]:
        slug = k["name"].replace(" ", "-")
        assert drawn(page, f"{name}-knee-series-{slug}")
        assert drawn(page, f"{name}-knee-bound-{slug}")
    knee_phases = {p["phase"] for k in ex["knees"] for p in k["points"]}
    if any(v["measure"] == "throughput" and v["phase"] not in knee_phases for v in ex["verdicts"]):
        assert drawn(page, f"{name}-throughput-bound-rules")
    if any(v["measure"].startswith("probe_") for v in ex["verdicts"]):
        assert drawn(page, f"{name}-bystander-series-bystander")
        assert drawn(page, f"{name}-bystander-bound-rules")


def screenshots(page: Page, name: str) -> None:
    """In var/ (git-ignored) for a developer: the whole page, its top and the first chart of
    each kind (`report-knee.png`)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    width = page.viewport_size["width"] if page.viewport_size else 1280
    top: FloatRect = {"x": 0, "y": 0, "width": width, "height": 1800}
    page.screenshot(path=SCREENSHOTS / f"{name}-top.png", full_page=True, clip=top)
    figures = page.locator("figure.chart")
    kinds = dict.fromkeys(figures.nth(i).get_attribute("data-kind") for i in range(figures.count()))
    for kind in kinds:
        chart = page.locator(f'figure.chart[data-kind="{kind}"]').first
        chart.screenshot(path=SCREENSHOTS / f"{name}-{kind}.png")
