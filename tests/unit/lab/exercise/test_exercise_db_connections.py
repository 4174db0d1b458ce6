"""Counting a server's database connections: on the SQLite file from /proc, on PostgreSQL
from pg_stat_activity by the server's application_name (the query built and its row read
here; tests/integration/lab/exercise/test_exercise_postgres.py asks a real PostgreSQL)."""

import asyncio
import dataclasses
import os
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from contracts.settings import LabSettings
from lab.exercise.db_connections import (
    POSTGRES,
    SQLITE,
    Count,
    PgActivity,
    SqliteFiles,
    counter,
    open_on,
    parse,
    query,
)
from lab.exercise.measure import ServerWatch
from lab.runner import free_port


def test_connections_open_on_a_database_file_are_counted(tmp_path: Path) -> None:
    db = tmp_path / "lab.sqlite3"
    other = sqlite3.connect(tmp_path / "other.sqlite3")
    conns = [sqlite3.connect(db) for _ in range(3)]
    try:
        for c in (*conns, other):
            c.execute("CREATE TABLE IF NOT EXISTS t (x)")  # SQLite opens the file on first use
        assert open_on([os.getpid()], db) == 3
        conns.pop().close()
        assert open_on([os.getpid()], db) == 2
        assert open_on([os.getpid()], tmp_path / "nothing.sqlite3") == 0
        assert open_on([123_456_789], db) == 0  # a process that is gone
    finally:
        for c in (*conns, other):
            c.close()


def test_the_query_asks_for_one_applications_connections_but_its_own() -> None:
    sql, params = query("asynclab-asgi-40123")
    assert params == ("asynclab-asgi-40123",)  # a parameter, never pasted into the text
    assert sql.count("%s") == 1
    assert "FROM pg_stat_activity" in sql
    assert "application_name = %s" in sql
    assert "pid <> pg_backend_pid()" in sql
    assert "FILTER (WHERE state = 'active')" in sql


def test_the_row_gives_open_and_active_connections() -> None:
    assert parse((12, 3)) == Count(open=12, active=3)
    assert parse((Decimal(0), Decimal(0))) == Count(open=0, active=0)
    with pytest.raises(ValueError, match="pg_stat_activity"):
        parse(None)
    with pytest.raises(ValueError, match="pg_stat_activity"):
        parse((1,))


def test_the_servers_database_decides_how_connections_are_counted() -> None:
    s = LabSettings(wsgi_port=40001, asgi_port=40002, wsgi_backend_port=41001)
    embedded = counter(None, s, "wsgi")
    assert embedded == SqliteFiles(s.sqlite_path())
    assert counter("", s, "wsgi") == embedded
    pg = counter("postgresql://lab@db/asynclab", s, "asgi")
    assert isinstance(pg, PgActivity)
    assert (pg.url, pg.application, pg.source) == (
        "postgresql://lab@db/asynclab",
        "asynclab-asgi-40002",
        POSTGRES,
    )
    # Behind the proxy the server listens on its backend port, and names itself by it.
    proxied = counter(
        "postgres://lab@db/asynclab", dataclasses.replace(s, lab_proxy="nginx"), "wsgi"
    )
    assert isinstance(proxied, PgActivity)
    assert proxied.application == "asynclab-wsgi-41001"
    assert counter("sqlite:////elsewhere/lab.sqlite3", s, "wsgi") is None  # not the lab's file


def test_a_watch_keeps_the_most_connections_open_at_once_on_the_file(tmp_path: Path) -> None:
    db = tmp_path / "lab.sqlite3"
    watch = ServerWatch("http://x/metrics", db=SqliteFiles(db))
    assert "db_connections" not in watch.values(0)  # not counted yet
    conns = [sqlite3.connect(db) for _ in range(3)]
    try:
        for c in conns:
            c.execute("CREATE TABLE IF NOT EXISTS t (x)")
        asyncio.run(watch.count_db([os.getpid()]))
        for c in conns[1:]:
            c.close()
        asyncio.run(watch.count_db([os.getpid()]))
    finally:
        for c in conns:
            c.close()
    assert watch.values(0)["db_connections"] == 3
    summary = watch.summary()
    assert summary["db_connections_max"] == 3
    assert summary["db_connections_source"] == SQLITE
    assert summary["db_connections_active_max"] is None  # a file handle says nothing of it
    assert summary["db_connections_error"] is None


def test_an_unreachable_postgres_is_not_measured_and_says_why() -> None:
    url = f"postgres://lab@127.0.0.1:{free_port()}/asynclab"  # nothing listens there
    watch = ServerWatch("http://x/metrics", db=PgActivity(url, "asynclab-wsgi-8001"))

    async def phase() -> None:
        async with watch.counting():
            await watch.count_db([])

    asyncio.run(phase())
    assert "db_connections" not in watch.values(0)
    summary = watch.summary()
    assert summary["db_connections_max"] is None
    assert summary["db_connections_source"] == POSTGRES
    assert "could not connect" in summary["db_connections_error"]
