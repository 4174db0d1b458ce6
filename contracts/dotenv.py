"""Read the repo's `.env` the way docker compose does, so `lab up` and compose see the same
knobs. Real environment variables win over the file."""

from __future__ import annotations

import os
from pathlib import Path


def read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:  # trailing comment, as compose reads it
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def environment_with_dotenv(path: Path) -> dict[str, str]:
    return {**read_dotenv(path), **os.environ}
