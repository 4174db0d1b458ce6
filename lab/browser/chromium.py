"""Headless Chromium through Playwright: Debian's `chromium`, never a browser Playwright
downloads. One fresh browser context per sample (no cache, no cookies, no connection kept
from the sample before), an init script that observes LCP from before navigation, and the
figures read after the load event and one more frame.

Speculative connections: Chromium may open a socket it sends nothing on (preconnect, DNS
prefetch, the loading predictor). Two such sockets freeze gunicorn's two sync workers until
their timeout (docs/reliability.md). The flags below turn prediction off; the results also say
whether the pages were loaded through nginx, which takes idle sockets itself.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

CANDIDATES = ("chromium", "chromium-browser")
INSTALL = "apt-get install chromium"
# No sandbox: the lab may run as root (CI); prediction, prefetch and prerender off: no socket
# opened ahead of a request; no first-run, extensions or background networking.
FLAGS = (
    "--no-sandbox",
    "--dns-prefetch-disable",
    "--disable-features=LoadingPredictorUseLocalPredictions,Prerender2,PreconnectToSearch,"
    "NetworkPrediction",
    "--disable-background-networking",
    "--disable-extensions",
    "--no-first-run",
)
PAGE_TIMEOUT_MS = 40_000
PAINT_WAIT_MS = 5_000  # above the longest page the lab allows (30 s) and a queue

# Registered before the page's own code: `buffered` also delivers entries from before it ran.
# The last entry is the LCP (a later, larger paint replaces an earlier one).
LCP_OBSERVER = """
window.__labLcp = null;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) { window.__labLcp = entry.startTime; }
}).observe({type: 'largest-contentful-paint', buffered: true});
"""
# After the load event and one more frame; then, since Chromium reports a paint only once the
# frame is presented (later on busy cores), wait for FCP and LCP to be reported, up to a bound.
READ_FIGURES = """
async () => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  await frame();
  const fcpOf = () => performance.getEntriesByName('first-contentful-paint')[0];
  const until = performance.now() + PAINT_WAIT_MS;
  while ((!fcpOf() || window.__labLcp === null) && performance.now() < until) {
    await new Promise((done) => setTimeout(done, 10));
  }
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = fcpOf();
  return {
    ttfb: nav ? nav.responseStart : null,
    fcp: fcp ? fcp.startTime : null,
    lcp: window.__labLcp,
    server_timing: nav ? nav.serverTiming.map((t) => [t.name, t.duration]) : [],
  };
}
""".replace("PAINT_WAIT_MS", str(PAINT_WAIT_MS))


def find() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


@dataclass(frozen=True)
class Sample:
    """One page load, in ms from the navigation's start; None: the browser gave no figure."""

    status: int | None
    ttfb_ms: float | None
    fcp_ms: float | None
    lcp_ms: float | None
    server_timing: dict[str, float]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200


class Browser:
    """A launched Chromium; `load` takes one sample in a context of its own."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.version: str = browser.version

    def load(self, url: str) -> Sample:
        from playwright.sync_api import Error as PlaywrightError

        context = self._browser.new_context()
        try:
            context.add_init_script(LCP_OBSERVER)
            page = context.new_page()
            response = page.goto(url, wait_until="load", timeout=PAGE_TIMEOUT_MS)
            figures = page.evaluate(READ_FIGURES)
        except PlaywrightError as e:
            return Sample(None, None, None, None, {}, error=str(e).splitlines()[0])
        finally:
            context.close()
        return Sample(
            status=response.status if response is not None else None,
            ttfb_ms=figures["ttfb"],
            fcp_ms=figures["fcp"],
            lcp_ms=figures["lcp"],
            server_timing={name: float(ms) for name, ms in figures["server_timing"]},
        )


@contextmanager
def launched(executable: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=list(FLAGS), headless=True)
        try:
            yield Browser(browser)
        finally:
            browser.close()
