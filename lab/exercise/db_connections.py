"""The connections a phase's server holds on its database, counted at each scrape.

On the embedded SQLite database: the worker processes' file descriptors on its file (an
SQLite connection holds one for as long as it is open). On PostgreSQL: the rows of
`pg_stat_activity` that carry the server's `application_name` (each Django server sets its
own, `contracts.database`), so another client of the same database, a running lab's servers
included, is never counted; read over one connection of the engine's own per phase, itself
left out. A connection psycopg's pool keeps idle is open: it counts until the server stops.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString, Protocol

import psycopg

from contracts.database import APPLICATION, application_name, is_postgres
from contracts.settings import LabSettings
from contracts.topology import BY_NAME

SQLITE = "sqlite file handles"
POSTGRES = "pg_stat_activity"
# The engine's own connection, as pg_stat_activity shows it.
WATCHER = f"{APPLICATION}-exercise"
CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True)
class Count:
    open: int
    active: int | None = None  # in a query right now (PostgreSQL only)


class Counter(Protocol):
    source: str  # what counted them, for the phase's results
    error: str | None  # why counting failed, when it did

    async def open(self) -> None: ...

    async def count(self, pids: Iterable[int]) -> Count | None: ...

    async def close(self) -> None: ...


def open_on(pids: Iterable[int], path: Path, proc: str = "/proc") -> int:
    """How many file descriptors of these processes point at `path`: an SQLite connection
    holds one on its database file for as long as it is open."""
    target = os.path.realpath(path)
    count = 0
    for pid in pids:
        try:
            fds = os.listdir(f"{proc}/{pid}/fd")
        except OSError:  # gone, or not ours to read
            continue
        for fd in fds:
            with contextlib.suppress(OSError):
                count += os.readlink(f"{proc}/{pid}/fd/{fd}") == target
    return count


@dataclass
class SqliteFiles:
    """Connections open on the database file, from the workers' /proc entries."""

    path: Path
    source: str = SQLITE
    error: str | None = None

    async def open(self) -> None:
        pass

    async def count(self, pids: Iterable[int]) -> Count | None:
        return Count(open_on(pids, self.path))

    async def close(self) -> None:
        pass


def query(application: str) -> tuple[LiteralString, tuple[str]]:
    """The connections carrying `application`'s name, and of those the ones in a query;
    the asking connection left out, whatever its name."""
    sql: LiteralString = (
        "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity"
        " WHERE application_name = %s AND pid <> pg_backend_pid()"
    )
    return sql, (application,)


def parse(row: tuple[Any, ...] | None) -> Count:
    """`query`'s one row as a Count."""
    if row is None or len(row) != 2:
        raise ValueError(f"pg_stat_activity: expected one row of two counts, got {row!r}")
    opened, active = (int(n) for n in row)
    return Count(opened, active)


@dataclass
class PgActivity:
    """Connections a server holds on PostgreSQL, from pg_stat_activity by its name."""

    url: str
    application: str
    source: str = POSTGRES
    error: str | None = None
    _conn: psycopg.AsyncConnection[Any] | None = None

    async def open(self) -> None:
        try:
            self._conn = await psycopg.AsyncConnection.connect(
                self.url,
                autocommit=True,  # each read its own transaction: a fresh view of the table
                application_name=WATCHER,
                connect_timeout=CONNECT_TIMEOUT_S,
            )
        except psycopg.Error as e:
            self.error = f"could not connect to read pg_stat_activity: {_first_line(e)}"

    async def count(self, pids: Iterable[int]) -> Count | None:
        if self._conn is None:
            return None
        try:
            cursor = await self._conn.execute(*query(self.application))
            return parse(await cursor.fetchone())
        except (psycopg.Error, ValueError) as e:
            self.error = f"reading pg_stat_activity failed: {_first_line(e)}"
            return None

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def counter(database_url: str | None, settings: LabSettings, server: str) -> Counter | None:
    """How to count the connections of `server`, started with `settings`, on the database
    the servers use: the embedded SQLite file when `database_url` is unset, PostgreSQL by the
    server's name (its listening port is in it); None for another SQLite file."""
    if not database_url:
        return SqliteFiles(settings.sqlite_path())
    if is_postgres(database_url):
        port = BY_NAME[server].listen_port(settings)
        return PgActivity(database_url, application_name(server, port))
    return None
