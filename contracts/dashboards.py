"""The Grafana dashboards by their fixed uid and title: the builder (grafana/) writes them, and
the pages for people (the servers' index pages, `lab compose up`) link to them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str

    @property
    def path(self) -> str:
        return f"/d/{self.uid}"


SYNC_VS_ASYNC = Dashboard("lab-sync-vs-async", "Sync vs Async")
LOAD_GENERATOR = Dashboard("lab-load-generator", "Load generator")
SLOW_UPSTREAM = Dashboard("lab-slow-upstream", "Slow upstream")
DASHBOARDS = (SYNC_VS_ASYNC, LOAD_GENERATOR, SLOW_UPSTREAM)
