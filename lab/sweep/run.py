"""Run a sweep: the upstream once (the running lab's, or one of the sweep's own), then one
server at a time (on shared cores, two loaded at once would compete for CPU), and for each
upstream delay (PUT /config, undone afterwards, on failure and Ctrl-C too) climb the users
until the curve's knee is passed: the rest of that curve is skipped, and says why.

A running lab's server is measured where it runs with the sweep's settings (the lab's own,
from the environment and .env), as `lab exercise run` does; a server of the sweep's own,
on a free port, otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from contracts.settings import LabSettings, SettingsError
from exercises.spec import SERVER_START_S
from lab.exercise import bench, engine, knee, running_lab
from lab.exercise.bench import Bench, SetupError
from lab.exercise.engine import upstream_config
from lab.runner import ServiceFailed, proxy, running
from lab.sweep import curve, point
from lab.sweep.grid import CONFIGURATIONS, PATHS, Grid, expected_s, settings_for, slot
from loadgen import closedloop

Tick = Callable[[str, float], None]  # what runs now, seconds left in the whole sweep


@dataclasses.dataclass(frozen=True)
class Target:
    url: str
    local: bool  # its processes are this machine's: /proc may be read (CPU)
    placement: str  # where it ran, and why there


def run(
    grid: Grid,
    settings: LabSettings,
    *,
    env: Mapping[str, str] | None = None,
    reuse: bool = True,
    tick: Tick | None = None,
) -> dict[str, Any]:
    """Every curve of the grid, with its knee; and each server's settings and placement."""
    lab = running_lab.find(settings) if reuse else running_lab.NOTHING
    if lab and running_lab.locust_running(settings):
        raise SetupError(
            "Locust is sending load to the running lab, which would be measured with the "
            "sweep's: stop it (Stop in its web UI) or run with --own-servers"
        )
    # The exercises' bench: a directory of its own, free ports, the upstream.
    with bench.opened(settings, env, lab) as on:
        return _sweep(grid, settings, on, tick)


def _sweep(grid: Grid, settings: LabSettings, on: Bench, tick: Tick | None) -> dict[str, Any]:
    # What is left to run, in seconds if each point follows its bound: the time left.
    limits = {s: curve.limit(slot(s), settings_for(s, settings)) for s in grid.servers}
    left = {
        (s, d, u): expected_s(grid, u, d, limits[s])
        for s in grid.servers
        for d in grid.delays_ms
        for u in curve.expected_users(grid.users, limits[s])
    }
    starts_left = {s: SERVER_START_S for s in grid.servers}

    def remaining() -> float:
        return sum(left.values()) + sum(starts_left.values())

    servers: dict[str, Any] = {}
    curves = []
    extra = engine.extra_middleware_of(on.env)
    for name in grid.servers:
        if tick:
            tick(f"starting {name}", remaining())
        server, its = slot(name), settings_for(name, settings)
        try:
            its.validate()
        except SettingsError as e:
            raise SetupError(f"--servers {name}: {e}") from None
        with _server(server, its, on, extra, CONFIGURATIONS[name][1]) as target:
            starts_left[name] = 0.0
            servers[name] = {
                **engine.server_settings(its, server),
                "slot": server,
                "path": PATHS[server],
                "limit": limits[name],
                "placement": target.placement,
            }
            for i, delay in enumerate(grid.delays_ms):
                with upstream_config(on.upstream, {"delay_ms": delay, "jitter_ms": 0}):
                    if i == 0:
                        _warm_up(target.url + PATHS[server])
                    points = _climb(grid, its, name, delay, target, on.upstream, left, tick)
                knee_found = curve.knee_of(server, its, delay, points)
                curves.append({"server": name, "delay_ms": delay, "points": points})
                curves[-1]["knee"] = knee_found
    return {"servers": servers, "curves": curves}


def _climb(
    grid: Grid,
    settings: LabSettings,
    name: str,
    delay: int,
    target: Target,
    upstream: str,
    left: dict[tuple[str, int, int], float],
    tick: Tick | None,
) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = []
    for users in grid.users:
        flags = curve.flags(points)
        if knee.confirmed(flags, curve.CRITERIA.confirm):
            at = points[knee.first_past(flags, curve.CRITERIA.confirm) or 0]
            points.append(
                {
                    "users": users,
                    "status": "skipped",
                    "why": f"past the knee at C={at['users']} "
                    f"({'; '.join(at['past_knee'])}), which the next point confirmed",
                }
            )
            left.pop((name, delay, users), None)
            continue
        if tick:
            tick(f"{name} D={delay} ms C={users}", sum(left.values()))
        measured = point.measure(
            target.url,
            PATHS[slot(name)],
            users,
            delay,
            grid,
            curve.limit(slot(name), settings),
            upstream=upstream,
            local=target.local,
        )
        base = curve.baseline([*points, measured])
        measured["following"] = curve.following(measured, base)
        p50_first = curve.first_p50([*points, measured])
        measured["past_knee"] = curve.past_knee(measured, delay, base, p50_first) or []
        points.append(measured)
        left.pop((name, delay, users), None)
    return points


def _warm_up(url: str) -> None:
    """A few requests first, not measured: Django's first request loads the view's code."""
    asyncio.run(closedloop.run_until_async(url, 2, min_requests=4, max_s=5.0, answers_per_user=2))


@contextlib.contextmanager
def _server(
    name: str,
    settings: LabSettings,
    on: Bench,
    extra_middleware: list[str],
    changes: Mapping[str, str],
) -> Iterator[Target]:
    """The running lab's server when it runs with the sweep's settings; one of its own
    otherwise (behind the proxy when LAB_PROXY says so), saying why."""
    note = ""
    if on.lab:
        found = on.lab.servers.get(name)
        if found is None:
            note = f"own {name} server: the running lab has none"
        else:
            url, facts = found
            diffs = running_lab.differences(facts, settings, extra_middleware)
            if not diffs:
                local = running_lab.on_this_machine(facts)
                yield Target(url, local, f"on the running lab's {name} server ({url})")
                return
            note = f"own {name} server: the running lab's has {'; '.join(diffs)}"
    own = dataclasses.replace(on.settings, **changes)  # type: ignore[arg-type]
    try:
        with running(name, own, output=on.log, base_env=on.env) as url:
            if not own.proxy_on:
                yield Target(url, True, note or f"own {name} server")
                return
            with proxy(own, [name], output=on.log, base_env=on.env) as through:
                yield Target(through[name], True, note or f"own {name} server, through nginx")
    except ServiceFailed as e:
        raise SetupError(f"{e}{bench.tail(on.log_path)}") from None
