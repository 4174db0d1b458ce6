"""A phase's browser (`Phase.browser`): pages loaded in headless Chromium in a thread of its
own while the main load runs, one after another until the load ends, each in a fresh context.
Its figures are the rules' `ttfb_*` and `lcp_*` quantities."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from exercises.spec import Browser
from lab.browser import chromium, stats


class Pages:
    def __init__(self, url: str, spec: Browser, executable: str) -> None:
        self.url, self.spec, self.executable = url + spec.path, spec, executable
        self.samples: list[chromium.Sample] = []
        self.error: str | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="phase-browser", daemon=True)

    def _run(self) -> None:
        try:
            with chromium.launched(self.executable) as browser:
                browser.load(self.url)  # warm: not a sample
                self._ready.set()
                while not self._stop.is_set():
                    self.samples.append(browser.load(self.url))
                    self._stop.wait(self.spec.pause_s)
        except Exception as e:  # said in the results: a row without figures, not a crash
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self._ready.set()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(timeout=60)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=chromium.PAGE_TIMEOUT_MS / 1000 + 10)

    def values(self) -> dict[str, float]:
        figures = stats.summary(self.samples)
        out = {
            f"{name}_p{p}": figures[f"{name}_ms_p{p}"]
            for name in ("ttfb", "lcp")
            for p in (50, 95)
            if f"{name}_ms_p{p}" in figures
        }
        out["browser_failed"] = sum(not s.ok for s in self.samples) + (self.error is not None)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "samples": [asdict(s) for s in self.samples],
            "error": self.error,
            "connections": "Chromium's network prediction off",
        }


@contextlib.contextmanager
def browsing(url: str, spec: Browser | None, executable: str | None) -> Iterator[Pages | None]:
    """Load `spec.path` in Chromium while the block runs; None when the phase has no browser."""
    if spec is None:
        yield None
        return
    assert executable is not None
    pages = Pages(url, spec, executable)
    pages.start()
    try:
        yield pages
    finally:
        pages.stop()
