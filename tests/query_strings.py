"""A query string as the Django views read it, without Django: `contracts.params.parse` takes
anything with QueryDict's reading side, and its tests need no Django settings."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl


class Query:
    """Every value of each name; `get` is the last one, as QueryDict's is."""

    def __init__(self, values: dict[str, list[str]]) -> None:
        self.values = values

    @classmethod
    def parse(cls, text: str) -> Query:
        """Parsed as QueryDict parses it: urllib's parse_qsl, blank values kept."""
        values: dict[str, list[str]] = {}
        for name, value in parse_qsl(text, keep_blank_values=True):
            values.setdefault(name, []).append(value)
        return cls(values)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def get(self, key: str) -> str | None:
        values = self.values.get(key)
        return values[-1] if values else None

    def getlist(self, key: str) -> list[str]:
        return list(self.values.get(key, []))
