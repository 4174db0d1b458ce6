"""Write a report whole or not at all: into a temporary file beside the target, then renamed
over it, so a reader (or a failed write) never finds half a page."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


class OutputError(OSError):
    """The report cannot be written there: one line naming the path and why."""


def check(path: Path) -> None:
    """Fail early, before minutes of measuring, when the report could never be written."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"{path}: is a directory")
    existing = next((p for p in (parent, *parent.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise OutputError(f"{path}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot write in {existing}")


def write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{path}: cannot create its directory ({e.strerror})") from None
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        # Created as any new file is (the umask applies), not private as mkstemp's.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError(f"{path}: cannot write ({e.strerror or e})") from None
