"""One line of progress on stderr: exercise, phase, time left. Redrawn in place on a
terminal; elsewhere (CI logs, a test's pipe) one line per phase."""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self._last_phase = ""
        self._shown = False

    def update(self, exercise: str, index: int, count: int, phase: str, left_s: float) -> None:
        text = f"[{exercise}] phase {index}/{count} {phase}: {max(0.0, left_s):.0f} s left"
        if self.tty:
            self.stream.write("\r\x1b[K" + text)
            self._shown = True
        elif f"{exercise}/{phase}" != self._last_phase:
            self.stream.write(text + "\n")
        self._last_phase = f"{exercise}/{phase}"
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        self._last_phase = ""
        self._shown = False
