"""Where the lab's files are: the repository, found here once, and its runtime state."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def var_dir(lab_var_dir: str) -> Path:
    """LAB_VAR_DIR as a path: absolute as given, or relative to the repository (not to the
    current directory, so `lab` finds the same state from any folder)."""
    path = Path(lab_var_dir)
    return path if path.is_absolute() else REPO / path
