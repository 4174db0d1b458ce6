"""The slow query: `delay_ms` spent inside the database.

PostgreSQL has `pg_sleep(seconds)`. SQLite (the embedded default) has no sleep, so each new
connection gets a `sleep(ms)` SQL function (connection_created signal); it runs in the
thread that executes the query, which is what a slow query does to a sync worker.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from django_app.observability import metrics
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


def sleep_query(server: Server, delay_ms: int) -> str:
    """Run the slow query on this thread's connection; returns the database vendor."""
    vendor = connection.vendor
    sql = "SELECT pg_sleep(%s)" if vendor == "postgresql" else "SELECT sleep(%s)"
    arg = delay_ms / 1000 if vendor == "postgresql" else delay_ms
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, [arg])
            cursor.fetchone()
    finally:
        metrics.DB_DURATION.labels(server, vendor).observe(time.perf_counter() - started)
        # CONN_MAX_AGE=0: give the connection back now, in the thread that opened it. Under
        # ASGI that is a worker thread, and the request-end signal may run on another one.
        connection.close()
    return vendor
