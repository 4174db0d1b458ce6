"""The slow query: an ORM query on the `Item` model whose cost is a database function that
sleeps, written for SQLite and for PostgreSQL; the model and its migrations agree."""

import time

from django.core.management import call_command
from django.db import connection
from django.db.utils import ConnectionHandler

from django_app.db import slow_count, slow_items
from django_app.settings import database


def test_the_models_need_no_migration_that_is_not_written() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits 1 if one is


def test_the_query_sleeps_in_the_database_once_for_the_one_row() -> None:
    started = time.perf_counter()
    assert slow_items(50).count() == 1
    assert time.perf_counter() - started >= 0.05
    connection.close()


def test_the_sync_query_gives_its_connection_back_and_names_the_vendor() -> None:
    assert slow_count("wsgi", 1) == "sqlite"
    assert connection.connection is None  # closed: CONN_MAX_AGE=0 at once, not at request end


def test_each_vendor_gets_its_own_sleep() -> None:
    sql, params = slow_items(250).query.sql_with_params()
    assert "sleep(%s) IS NOT NULL" in sql
    assert params == (250,)
    pg = ConnectionHandler({"default": database("postgres://lab@db.invalid/lab")})["default"]
    sql, params = slow_items(250).query.get_compiler(connection=pg).as_sql()
    assert "pg_sleep(%s / 1000.0) IS NOT NULL" in sql  # seconds, from the same ms
    assert params == (250,)
