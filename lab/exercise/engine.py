"""Run an exercise: start the upstream and each phase's server on free ports, warm up,
load it while a bystander probes and /metrics is scraped, then stop everything.

Whatever a phase sets on the upstream (PUT /config) is undone (DELETE /config) when the
phase ends, on failure and Ctrl-C too; the servers stop with their `running` blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from contracts.servers import shape
from contracts.settings import LabSettings, SettingsError
from exercises.spec import SERVER_HISTORY, Exercise, Phase
from lab import machine_cpu
from lab.browser import chromium
from lab.exercise import apparatus, browsing, db_connections, phase_gauge, running_lab
from lab.exercise.bench import Bench, opened
from lab.exercise.bench import SetupError as SetupError  # raised from here too
from lab.exercise.measure import ServerWatch, client_values
from loadgen import closedloop, idle
from loadgen.closedloop import ClosedResult
from loadgen.idle import IdleResult
from loadgen.openmodel import Result, Stage, run_async

# Per-request timeout: far above any request of a phase, so a timeout means a real stall.
TIMEOUT_S = 30.0

Tick = Callable[[str, float], None]  # phase name, seconds left in it


@dataclass
class PhaseRun:
    name: str
    server: str
    settings: dict[str, Any]
    upstream_config: dict[str, Any]
    load: str
    duration_s: float
    started_at: float = 0.0  # Unix time of the measured window
    ended_at: float = 0.0
    client: dict[str, Any] = field(default_factory=dict)
    probe: dict[str, Any] | None = None
    server_side: dict[str, Any] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)  # what rules can name
    apparatus: dict[str, Any] = field(default_factory=dict)  # steal, generator, upstream
    # Where it ran when a lab was running (its server, or why not), or on a server kept from
    # an earlier phase with the same settings.
    placement: str = ""


# Every phase reads its server's /metrics (ServerWatch): without the instrumentation its
# rules would be judged on nothing, so a run refuses instead.
UNINSTRUMENTED = (
    "LAB_INSTRUMENTATION=off: the exercises measure the servers' own metrics, which it "
    "turns off; set it on"
)


def duration(phase: Phase, short: bool) -> float:
    return phase.short_duration_s if short else phase.duration_s


def warmup(phase: Phase, short: bool) -> float:
    """Seconds of warm-up load before the window; 0: none."""
    return min(phase.warmup_s, 0.5) if short else phase.warmup_s


def run(
    exercise: Exercise,
    settings: LabSettings,
    *,
    short: bool = False,
    env: Mapping[str, str] | None = None,
    tick: Tick | None = None,
    reuse: bool = True,
    on: Bench | None = None,
) -> list[PhaseRun]:
    """Run every phase of `exercise`: on the running lab's servers where they run as the
    phase needs (`reuse`), on servers of its own otherwise; returns what each measured.
    `on`: the bench of a run of several exercises (see `bench`), else one of its own."""
    if on is not None:
        return [_phase(exercise, phase, on, short, tick) for phase in exercise.phases]
    with bench(settings, env, reuse=reuse) as own:
        return run(exercise, settings, short=short, env=env, tick=tick, on=own)


@contextlib.contextmanager
def bench(
    settings: LabSettings, env: Mapping[str, str] | None = None, *, reuse: bool = True
) -> Iterator[Bench]:
    """What the exercises of one run share (the upstream, a server kept between phases)."""
    lab = running_lab.find(settings) if reuse else running_lab.NOTHING
    if lab and running_lab.locust_running(settings):
        raise SetupError(
            "Locust is sending load to the running lab, which would be measured with the "
            "exercise's: stop it (Stop in its web UI) or run with --own-servers"
        )
    with opened(settings, env, lab) as b:
        yield b


def _phase(exercise: Exercise, phase: Phase, on: Bench, short: bool, tick: Tick | None) -> PhaseRun:
    upstream, env = on.upstream, on.env
    try:
        settings = dataclasses.replace(on.settings, **phase.settings)  # type: ignore[arg-type]
        settings.validate()
    except (SettingsError, TypeError) as e:
        raise SetupError(f"phase {phase.name}: {e}") from None
    if not settings.instrumented:
        raise SetupError(f"phase {phase.name}: {UNINSTRUMENTED}")
    seconds = duration(phase, short)
    record = PhaseRun(
        name=phase.name,
        server=phase.server,
        settings=server_settings(settings, phase.server),
        upstream_config=dict(phase.upstream),
        load=phase.describe_load(),
        duration_s=seconds,
    )
    extra_middleware = extra_middleware_of(env)
    placement = running_lab.place(exercise, phase, settings, extra_middleware, on.lab)
    record.placement = placement.note
    with (
        upstream_config(upstream, phase.upstream),
        _server(exercise, phase, settings, placement, on, record) as url,
    ):
        if tick:
            tick(phase.name, seconds + warmup(phase, short))
        watch = ServerWatch(
            url + "/metrics",
            upstream_url=upstream + "/metrics",
            local=placement.local,
            # Only the connections of servers the exercise started are counted.
            db=_database(settings, env, phase.server) if placement.url is None else None,
        )
        asyncio.run(_idle(watch))
        if warmup(phase, short) > 0:
            asyncio.run(_load(url, phase, warmup(phase, short), None, None))
        cpu_before, generator_before = machine_cpu.cpu_ticks(), time.process_time()
        record.started_at = time.time()
        with (
            phase_gauge.measuring(exercise.name, phase.name),
            browsing.browsing(url, phase.browser, _chromium(phase)) as pages,
        ):
            main, probe = asyncio.run(_load(url, phase, seconds, tick, watch))
        record.ended_at = time.time()
        checks = apparatus.Apparatus(
            steal_fraction=apparatus.steal_fraction(cpu_before, machine_cpu.cpu_ticks()),
            generator_cores=(time.process_time() - generator_before)
            / max(record.ended_at - record.started_at, 1e-9),
            upstream_overshoot_p99_ms=apparatus.overshoot_p99_ms(
                watch.upstream_first, watch.upstream_last
            ),
            other_cores=apparatus.other_cores(watch.cpu_shares()),
            generator_behind=behind_schedule(main, probe),
        )
    record.client = main.as_dict()
    record.probe = probe.as_dict() if probe else None
    record.values = client_values(main, probe)
    record.server_side = watch.summary()
    record.values.update(watch.values(answered_by_clients=main.ok))
    record.apparatus = checks.as_dict()
    if pages is not None:
        record.client["browser"] = pages.as_dict()
        record.values.update(pages.values())
    return record


def behind_schedule(
    main: ClosedResult | Result | IdleResult, probe: Result | None
) -> tuple[str, ...]:
    """The open-model loads' own word that they fell behind their clock (closed-loop users
    and idle connections keep no clock)."""
    said = [f"main load: {w}" for w in main.behind_schedule()] if isinstance(main, Result) else []
    said += [f"probe: {w}" for w in probe.behind_schedule()] if probe is not None else []
    return tuple(said)


def _chromium(phase: Phase) -> str | None:
    """Chromium for a phase with a browser; SetupError (one line: how to install it) without."""
    if phase.browser is None:
        return None
    found = chromium.find()
    if found is None:
        raise SetupError(
            f"phase {phase.name} loads its page in Chromium, and there is none on PATH; "
            f"install Debian's: {chromium.INSTALL}"
        )
    return found


EXTRA_MIDDLEWARE = "DJANGO_EXTRA_MIDDLEWARE"


def extra_middleware_of(env: Mapping[str, str] | None) -> list[str]:
    """The middleware DJANGO_EXTRA_MIDDLEWARE adds: a running server must have the same."""
    raw = (os.environ if env is None else env).get(EXTRA_MIDDLEWARE, "")
    return [item.strip() for item in raw.split(",") if item.strip()]


@contextlib.contextmanager
def _server(
    exercise: Exercise,
    phase: Phase,
    settings: LabSettings,
    placement: running_lab.Placement,
    on: Bench,
    record: PhaseRun,
) -> Iterator[str]:
    if placement.url is not None:
        yield placement.url
        return
    fresh = exercise.reads(phase.name, SERVER_HISTORY)
    user = f"{exercise.name} {phase.name}"
    with on.server(phase, settings, fresh=fresh, user=user) as (url, started_for):
        if started_for != user:
            kept = f"on the server started for {started_for} (same settings)"
            record.placement = "; ".join(filter(None, [record.placement, kept]))
        yield url


def _database(
    settings: LabSettings, env: Mapping[str, str] | None, server: str
) -> db_connections.Counter | None:
    """What counts the phase's server's connections on the database the servers use."""
    url = (os.environ if env is None else env).get("DATABASE_URL")
    return db_connections.counter(url, settings, server)


async def _idle(watch: ServerWatch) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        await watch.idle(session)


def server_settings(s: LabSettings, server: str) -> dict[str, Any]:
    run = shape("wsgi" if server == "wsgi" else "asgi", s)
    out: dict[str, Any] = {"workers": run.workers, "threads": run.threads}
    out["implementation"], out["worker_class"] = run.implementation, run.worker_class
    if out["implementation"] == "gunicorn":
        out["worker_timeout_s"] = s.gunicorn_worker_timeout_s()
    out["proxy"] = s.lab_proxy  # off: the server itself; else what every request went through
    return out


async def _load(
    url: str,
    phase: Phase,
    seconds: float,
    tick: Tick | None,
    watch: ServerWatch | None,
) -> tuple[ClosedResult | Result | IdleResult, Result | None]:
    """The phase's load and probe, side by side, while /metrics is scraped now and then."""
    load = phase.load
    timeout_s = phase.client_timeout_s or TIMEOUT_S

    async def main() -> ClosedResult | Result | IdleResult:
        if load.idle is not None:
            return await idle.hold(url + load.path, load.idle, seconds, trickle=load.trickle)
        if load.users is not None:
            return await closedloop.run_async(
                url + load.path, load.users, seconds, timeout_s=timeout_s
            )
        assert load.rate is not None
        return await run_async(url + load.path, [Stage(load.rate, seconds)], timeout_s=timeout_s)

    async def probe() -> Result | None:
        if phase.probe is None:
            return None
        stages = [Stage(phase.probe.rate, seconds)]
        # A bystander is another user, on a connection of its own. A kept-alive one can be
        # closed by the server's keep-alive timer just as the next probe is sent on it (a
        # hub or loop the main load blocks fires that timer late): a reset that says
        # nothing about the bystander's wait.
        return await run_async(
            url + phase.probe.path, stages, timeout_s=TIMEOUT_S, fresh_connections=True
        )

    timeout = aiohttp.ClientTimeout(total=5)
    # The database counter's connection is opened once, for the phase's measured window.
    db = watch.counting() if watch is not None else contextlib.nullcontext()
    async with aiohttp.ClientSession(timeout=timeout) as session, db:
        background = []
        if watch is not None:
            await watch.upstream(session)
            await watch.scrape(session)
            background.append(asyncio.create_task(watch.every(session, phase.scrape_every_s)))
        if tick is not None:
            background.append(asyncio.create_task(_ticks(tick, phase.name, seconds)))
        try:
            main_result, probe_result = await asyncio.gather(main(), probe())
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
        if watch is not None:
            await watch.scrape(session)
            await watch.upstream(session)
    return main_result, probe_result


async def _ticks(tick: Tick, phase: str, seconds: float) -> None:
    end = time.monotonic() + seconds
    while True:
        tick(phase, end - time.monotonic())
        await asyncio.sleep(1.0)


@contextlib.contextmanager
def upstream_config(upstream: str, changes: Mapping[str, Any]) -> Iterator[None]:
    """PUT the changes on the upstream's /config; afterwards, whatever ends the block, put
    back what was there before: DELETE /config (the start-up defaults), then PUT the previous
    values if someone had changed them (a running lab's upstream, configured by its user)."""
    if not changes:
        yield
        return
    try:
        previous = _request("GET", upstream + "/config", None)
        _request("PUT", upstream + "/config", changes)
    except (OSError, ValueError) as e:
        raise SetupError(f"upstream refused PUT /config {dict(changes)}: {e}") from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            if _request("DELETE", upstream + "/config", None) != previous:
                _request("PUT", upstream + "/config", previous)


def _request(method: str, url: str, body: Mapping[str, Any] | None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        url, data=data, method=method, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())
