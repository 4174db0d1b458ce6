"""The slow query: an ORM query that spends `delay_ms` inside the database.

The query counts the rows of `Item` (one, added by its migration) filtered on a database
function that sleeps: PostgreSQL's `pg_sleep(seconds)`; SQLite (the embedded default) has no
sleep, so each new connection gets a `sleep(ms)` SQL function (connection_created signal). It
runs in the thread that executes the query, which is what a slow query does to a sync worker.
The async view awaits the same queryset's `acount()`, Django's async ORM.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import FloatField, Func, QuerySet, Value
from django.db.models.sql.compiler import SQLCompiler

from django_app.models import Item
from django_app.observability import metrics, timing
from django_app.observability.server import Server


def _sqlite_sleep(ms: float) -> float:
    time.sleep(max(0.0, float(ms)) / 1000)
    return float(ms)


def _add_sleep_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("sleep", 1, _sqlite_sleep, deterministic=False)


def ensure_sqlite_directory() -> None:
    """SQLite creates the file, not its directory (LAB_VAR_DIR may not exist yet)."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] != ":memory:":
        Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def install() -> None:
    connection_created.connect(_add_sleep_function, dispatch_uid="lab-sqlite-sleep")


def _close_connection() -> None:
    connection.close()  # `connection` is this thread's: look it up here, not in the caller


class Sleep(Func):
    """`ms` spent in the database each time a row evaluates it, in whichever vendor's terms."""

    function = "sleep"  # SQLite: the function registered above, in ms
    output_field = FloatField()

    def __init__(self, ms: int) -> None:
        super().__init__(Value(ms))

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list[Any]]:
        sql, params = self.as_sql(
            compiler, connection, template="pg_sleep(%(expressions)s / 1000.0)", **extra
        )
        return sql, list(params)


def _record_db(server: Server, seconds: float) -> None:
    if settings.LAB.instrumented:
        metrics.DB_DURATION.labels(server, connection.vendor).observe(seconds)
    record = timing.current()
    if record is not None:
        record.add_db(seconds)


def slow_items(delay_ms: int) -> QuerySet[Item]:
    """The items, once the database has slept `delay_ms` on each: one row, one sleep. The
    filter names the sleep, so count() keeps it (it drops annotations nothing uses)."""
    return Item.objects.alias(slept=Sleep(delay_ms)).filter(slept__isnull=False)


def slow_count(server: Server, delay_ms: int) -> str:
    """Run the slow query with the sync ORM, on this thread; returns the database vendor."""
    started = time.perf_counter()
    try:
        slow_items(delay_ms).count()
    finally:
        _record_db(server, time.perf_counter() - started)
        # CONN_MAX_AGE=0: give the connection back now, not when the response is sent.
        connection.close()
    return connection.vendor


async def slow_count_async(server: Server, delay_ms: int) -> str:
    """The same queryset through the async ORM. `acount()` is `sync_to_async(count)`: the
    query runs on the request's sync thread (thread_sensitive), holding it and its
    connection for the whole query, while the event loop serves others."""
    started = time.perf_counter()
    try:
        await slow_items(delay_ms).acount()
    finally:
        _record_db(server, time.perf_counter() - started)
        # On that same thread: a connection belongs to the thread that opened it.
        await sync_to_async(_close_connection)()
    return connection.vendor
