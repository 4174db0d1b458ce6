"""A query string as the Django views read it, without Django: `contracts.params.parse` takes
anything with QueryDict's reading side, and its tests need no Django settings."""

from __future__ import annotations

from urllib.parse import parse_qsl


class Query(dict[str, list[str]]):
    """Every value of each name; `get` is the last one, as QueryDict's is."""

    @classmethod
    def parse(cls, text: str) -> Query:
        """Parsed as QueryDict parses it: urllib's parse_qsl, blank values kept."""
        query = cls()
        for name, value in parse_qsl(text, keep_blank_values=True):
            query.setdefault(name, []).append(value)
        return query

    def get(self, key: str, default: object = None) -> str | None:  # type: ignore[override]
        values = super().get(key)
        return values[-1] if values else None

    def getlist(self, key: str) -> list[str]:
        return list(super().get(key) or [])
