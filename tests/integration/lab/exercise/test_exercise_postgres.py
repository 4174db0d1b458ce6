"""`db_connections` on PostgreSQL, on a throwaway cluster the test starts: counted from
pg_stat_activity by the server's application_name, so another client of the same database
(here one that even names itself as a lab server on another port) is never counted, and the
async-orm exercise gets its verdicts there as on SQLite."""

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import throwaway_postgres
from lab_processes import started_from

from contracts.database import application_name
from contracts.paths import REPO
from exercises.async_orm import EXERCISE
from lab.exercise.db_connections import POSTGRES, WATCHER, Count, PgActivity

pytestmark = pytest.mark.integration

OTHERS = 30  # the other client's connections
LAB_EXERCISE_RUN = [sys.executable, "-m", "lab", "exercise", "run"]


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with throwaway_postgres.cluster() as url:
        yield url


async def _connect(url: str, name: str) -> psycopg.AsyncConnection[tuple[object, ...]]:
    return await psycopg.AsyncConnection.connect(url, application_name=name, autocommit=True)


async def _until_active(watch: PgActivity, active: int) -> Count | None:
    count = None
    for _ in range(100):
        count = await watch.count([])
        if count is not None and count.active == active:
            break
        await asyncio.sleep(0.05)
    return count


def test_pg_stat_activity_gives_one_servers_connections_and_those_in_a_query(
    postgres: str,
) -> None:
    server, neighbour = application_name("wsgi", 40001), application_name("wsgi", 40002)

    async def counts() -> tuple[Count | None, Count | None]:
        mine = [await _connect(postgres, server) for _ in range(3)]
        others = [await _connect(postgres, neighbour) for _ in range(2)]
        busy = asyncio.create_task(mine[0].execute("SELECT pg_sleep(30)"))
        others.append(await _connect(postgres, neighbour))
        other_busy = asyncio.create_task(others[-1].execute("SELECT pg_sleep(30)"))
        watch, itself = PgActivity(postgres, server), PgActivity(postgres, WATCHER)
        await watch.open()
        try:
            counted = await _until_active(watch, 1)
        finally:
            await watch.close()
        await itself.open()  # alone under that name now: its own connection is left out
        try:
            own = await itself.count([])
        finally:
            await itself.close()
        for conn, task in ((mine[0], busy), (others[-1], other_busy)):
            await conn.cancel_safe()
            with pytest.raises(psycopg.errors.QueryCanceled):
                await task
        for conn in (*mine, *others):
            await conn.close()
        return counted, own

    counted, own = asyncio.run(counts())
    assert counted == Count(open=3, active=1)
    assert own == Count(open=0, active=0)


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "django_app.settings"}
    argv = [sys.executable, "-m", "django", "migrate", "--noinput", "--skip-checks", "-v", "0"]
    subprocess.run(argv, env=env, cwd=REPO, check=True, timeout=60)


@pytest.mark.timeout(240)
def test_async_orm_counts_its_servers_connections_on_postgres(
    postgres: str, tmp_path: Path
) -> None:
    _migrate(postgres)
    var, out = tmp_path / "var", tmp_path / "results.json"
    # A pool as large as the most users of a phase: the rules are about the connections the
    # queries in flight hold, not the pool's cap (with the default 20, row 4 is a surprise).
    most_users = max(p.load.users or 0 for p in EXERCISE.phases)
    env = {
        **os.environ,
        "LAB_VAR_DIR": str(var),
        "DATABASE_URL": postgres,
        "DJANGO_DB_POOL_SIZE": str(most_users),
    }
    # Another client of the same database, named as the lab's default ASGI server would be.
    neighbour = application_name("asgi", 8002)

    async def others() -> list[psycopg.AsyncConnection[tuple[object, ...]]]:
        return [await _connect(postgres, neighbour) for _ in range(OTHERS)]

    loop = asyncio.new_event_loop()
    held = loop.run_until_complete(others())
    try:
        done = subprocess.run(
            [*LAB_EXERCISE_RUN, EXERCISE.name, "--short", "--own-servers", "--json", str(out)],
            capture_output=True,
            text=True,
            timeout=200,
            cwd=REPO,
            env=env,
        )
    finally:
        for conn in held:
            loop.run_until_complete(conn.close())
        loop.close()

    assert done.returncode == 0, done.stdout + done.stderr
    (exercise,) = json.loads(out.read_text())["exercises"]
    assert exercise["outcome"] == "as expected"
    assert [p["verdict"] for p in exercise["phases"]] == ["Holds"] * 4 + ["Frees"]
    assert min(p.load.users or 0 for p in EXERCISE.phases) + 1 < OTHERS
    for phase, declared in zip(exercise["phases"], EXERCISE.phases, strict=True):
        side, users = phase["server_side"], declared.load.users
        assert users is not None
        assert side["db_connections_source"] == POSTGRES, phase["name"]
        assert side["db_connections_error"] is None, phase["name"]
        connections = phase["values"]["db_connections"]
        # Its own: at most one per user and one the pool opens ahead; the other client's
        # would lift the phases with fewer users than OTHERS above that.
        assert connections <= users + 1, (phase["name"], connections)
        if declared.load.path.startswith("/db/"):
            assert 1 <= side["db_connections_active_max"] <= connections, phase["name"]
        else:  # no query: the ASGI server never opened its pool
            assert connections == 0, phase["name"]
    assert started_from(var) == []
