"""What a sweep runs: its servers, concurrencies, delays, requests per point and time cap;
the presets (`--quick`, the default), the parsing of each option into one line of error, and
how long a point should take, for the progress bar's time left."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from contracts.settings import LabSettings
from contracts.values import BadValue, parse_integer, parse_number

Slot = Literal["wsgi", "asgi"]
# The path each server slot is loaded on: its own flavour of the same upstream call.
PATHS = {"wsgi": "/io/sync", "asgi": "/io/async"}
# What --servers takes: a slot as the lab's settings run it (wsgi, asgi), or a configuration
# by name, which runs in its slot with these settings changed (the rest stay the lab's:
# WEB_WORKERS, WEB_THREADS for gthread and granian WSGI, GEVENT_GREENLETS...).
CONFIGURATIONS: dict[str, tuple[Slot, dict[str, str]]] = {
    "wsgi": ("wsgi", {}),
    "asgi": ("asgi", {}),
    "sync": ("wsgi", {"wsgi_server": "gunicorn", "wsgi_worker_class": "sync"}),
    "gthread": ("wsgi", {"wsgi_server": "gunicorn", "wsgi_worker_class": "gthread"}),
    "gevent": ("wsgi", {"wsgi_server": "gunicorn", "wsgi_worker_class": "gevent"}),
    "granian-wsgi": ("wsgi", {"wsgi_server": "granian", "wsgi_worker_class": "sync"}),
    "uvicorn": ("asgi", {"asgi_server": "uvicorn"}),
    "granian-asgi": ("asgi", {"asgi_server": "granian"}),
}
SERVERS: tuple[str, ...] = tuple(CONFIGURATIONS)


def slot(name: str) -> Slot:
    return CONFIGURATIONS[name][0]


def settings_for(name: str, settings: LabSettings) -> LabSettings:
    """The lab's settings with the configuration's own changed."""
    return replace(settings, **CONFIGURATIONS[name][1])  # type: ignore[arg-type]


MAX_USERS = 1000  # one connection each, from this one process
MAX_DELAY_MS = 10_000
MAX_REQUESTS = 100_000
MAX_POINT_S = 600.0
# Each user answers this often at least, so its rate spans whole requests.
ANSWERS_PER_USER = 3
# And a point lasts this long at least: CPU time is counted in ticks of 10 ms, so a point
# of a fifth of a second could not say who spent the CPU.
MIN_POINT_S = 1.0


class GridError(ValueError):
    """An option the sweep refuses; the message names it."""


@dataclass(frozen=True)
class Grid:
    servers: tuple[str, ...]
    users: tuple[int, ...]  # rising
    delays_ms: tuple[int, ...]  # rising
    min_requests: int
    point_cap_s: float

    def points(self) -> int:
        return len(self.servers) * len(self.users) * len(self.delays_ms)

    def as_dict(self) -> dict[str, object]:
        return {
            "servers": list(self.servers),
            "users": list(self.users),
            "delays_ms": list(self.delays_ms),
            "min_requests": self.min_requests,
            "answers_per_user": ANSWERS_PER_USER,
            "min_point_s": MIN_POINT_S,
            "point_cap_s": self.point_cap_s,
        }


QUICK = Grid(("wsgi", "asgi"), (1, 4, 16, 64, 256), (50, 200), 40, 6.0)
DEFAULT = Grid(("wsgi", "asgi"), (1, 5, 10, 50, 100, 200, 400), (50, 200, 1000), 200, 15.0)


def list_option[T](option: str, raw: str, parse: Callable[[str], T]) -> list[T]:
    """A comma-separated option's values, each parsed, none repeated (GridError otherwise).
    Shared with the benchmarks that take lists the way the sweep does."""
    items = raw.split(",")
    if not raw or any(not item.strip() for item in items):
        raise GridError(f"{option} {raw!r}: expected a comma-separated list such as 1,5,10")
    out = []
    for item in items:
        try:
            out.append(parse(item.strip()))
        except BadValue as e:
            raise GridError(f"{option}: {e}") from None
    if len(set(out)) != len(out):
        raise GridError(f"{option} {raw!r}: a value repeats")
    return out


def bounded(option: str, values: Sequence[int], low: int, high: int) -> tuple[int, ...]:
    """The values sorted, each within low-high (GridError naming the first that is not)."""
    for v in values:
        if not low <= v <= high:
            raise GridError(f"{option}: {v} is out of bounds; expected {low}-{high}")
    return tuple(sorted(values))


def servers(raw: str) -> tuple[str, ...]:
    names = list_option("--servers", raw, str)
    unknown = [n for n in names if n not in SERVERS]
    if unknown:
        raise GridError(
            f"--servers: unknown server {', '.join(unknown)}; choose from {', '.join(SERVERS)}"
        )
    return tuple(names)


def users(raw: str) -> tuple[int, ...]:
    return bounded("--users", list_option("--users", raw, parse_integer), 1, MAX_USERS)


def delays(raw: str) -> tuple[int, ...]:
    return bounded("--delay-ms", list_option("--delay-ms", raw, parse_integer), 1, MAX_DELAY_MS)


def min_requests(raw: str) -> int:
    try:
        n = parse_integer(raw)
    except BadValue as e:
        raise GridError(f"--min-requests: {e}") from None
    if not 1 <= n <= MAX_REQUESTS:
        raise GridError(f"--min-requests: {n} is out of bounds; expected 1-{MAX_REQUESTS}")
    return n


def point_cap(raw: str) -> float:
    try:
        s = parse_number(raw)
    except BadValue as e:
        raise GridError(f"--point-cap-s: {e}") from None
    if not MIN_POINT_S < s <= MAX_POINT_S:
        raise GridError(
            f"--point-cap-s: {s:g} is out of bounds; expected ({MIN_POINT_S:g}, {MAX_POINT_S:g}]"
        )
    return s


def build(
    *,
    quick: bool,
    servers_raw: str | None = None,
    users_raw: str | None = None,
    delays_raw: str | None = None,
    min_requests_raw: str | None = None,
    point_cap_raw: str | None = None,
) -> Grid:
    """The preset, with each option given replacing its value; `GridError` names the bad one."""
    grid = QUICK if quick else DEFAULT
    if servers_raw is not None:
        grid = replace(grid, servers=servers(servers_raw))
    if users_raw is not None:
        grid = replace(grid, users=users(users_raw))
    if delays_raw is not None:
        grid = replace(grid, delays_ms=delays(delays_raw))
    if min_requests_raw is not None:
        grid = replace(grid, min_requests=min_requests(min_requests_raw))
    if point_cap_raw is not None:
        grid = replace(grid, point_cap_s=point_cap(point_cap_raw))
    return grid


# Besides the load: scrapes before and after, and the queue drained after the stop.
POINT_OVERHEAD_S = 0.3


def expected_s(grid: Grid, users: int, delay_ms: int, limit: int | None) -> float:
    """About how long a point runs if the server follows its bound (for the time left)."""
    rate = min(users, limit or users) / (delay_ms / 1000)
    needed = max(grid.min_requests, ANSWERS_PER_USER * users)
    drain = users / rate  # the requests still out at the stop are waited for
    return min(grid.point_cap_s, max(MIN_POINT_S, needed / rate)) + drain + POINT_OVERHEAD_S
