"""Helpers of the load-generator integration tests: the lab they run against, and reading
Prometheus text from its /metrics endpoints."""

import re
import urllib.request
from dataclasses import dataclass

from contracts.settings import LabSettings


@dataclass(frozen=True)
class Lab:
    settings: LabSettings
    upstream: str
    asgi: str


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        text: str = r.read().decode()
        return text


def sample(text: str, metric: str, /, **labels: str) -> float:
    """Sum of the samples of `metric` whose labels include `labels` (0 if none)."""
    total = 0.0
    for m in re.finditer(rf"^{re.escape(metric)}(?:{{(.*?)}})? (\S+)$", text, re.MULTILINE):
        found = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(m.group(2))
    return total
