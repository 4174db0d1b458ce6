"""The sweep's progress on stderr: a bar and the time left, redrawn in place on a terminal;
elsewhere (CI logs, a test's pipe) one line per point. The time left is what the points
still to run should take if each follows its bound (capped), so it shrinks by leaps when a
knee skips the rest of a curve."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 24


def clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Bar:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self._shown = False

    def text(self, what: str, left_s: float) -> str:
        spent = time.monotonic() - self.started
        done = spent / (spent + left_s) if spent + left_s > 0 else 1.0
        filled = round(done * WIDTH)
        bar = "#" * filled + "." * (WIDTH - filled)
        return f"[sweep] [{bar}] {done:4.0%} {what}; ~{clock(left_s)} left"

    def update(self, what: str, left_s: float) -> None:
        line = self.text(what, left_s)
        if self.tty:
            self.stream.write("\r\x1b[K" + line)
            self._shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        self._shown = False
