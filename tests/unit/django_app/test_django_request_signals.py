"""ASGI_DB_REQUEST_STARTED=False: the thread Django's request_started receivers hold for each
ASGI request, gone; and the reason dropping them is safe: that thread starts with no database
connection, so they had nothing to do."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import django_clients  # noqa: F401 (configures Django)
import pytest
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_started
from django.db import close_old_connections, connection, connections, reset_queries

from contracts.settings import LabSettings
from django_app import request_signals

DROPPED = LabSettings(asgi_db_request_started=False)


@pytest.fixture
def django_receivers() -> Iterator[None]:
    """Django's own receivers back in place after a test that drops them."""
    yield
    request_started.connect(reset_queries)
    request_started.connect(close_old_connections)


def receivers() -> list[object]:
    sync, async_ = request_started._live_receivers(ASGIHandler)
    return [*sync, *async_]


def test_only_the_asgi_server_with_the_switch_off_drops_them(django_receivers: None) -> None:
    assert {reset_queries, close_old_connections} <= set(receivers())
    assert not request_signals.install(LabSettings(), "asgi")
    assert not request_signals.install(DROPPED, "wsgi")
    assert not request_signals.install(DROPPED, None)
    assert {reset_queries, close_old_connections} <= set(receivers())
    assert request_signals.install(DROPPED, "asgi")
    assert not {reset_queries, close_old_connections} & set(receivers())


async def _threads_added_by_request_started() -> int:
    # As Django's ASGI handler does: each request in a thread-sensitive context of its own.
    async with ThreadSensitiveContext():
        before = threading.active_count()
        await request_started.asend(sender=ASGIHandler, scope={})
        return threading.active_count() - before


def test_djangos_receivers_hold_a_thread_for_the_request_and_none_once_dropped(
    django_receivers: None,
) -> None:
    assert asyncio.run(_threads_added_by_request_started()) == 1
    request_signals.install(DROPPED, "asgi")
    assert asyncio.run(_threads_added_by_request_started()) == 0


def initialized() -> list[str]:
    return [c.alias for c in connections.all(initialized_only=True)]


async def _connections_each_request_sees() -> tuple[list[str], list[str]]:
    """Two requests at once: the first opens a connection and keeps it while the second
    looks, from its own thread, for connections it could close."""
    opened, looked = asyncio.Event(), asyncio.Event()

    async def first() -> list[str]:
        async with ThreadSensitiveContext():
            # The proxy is resolved in the request's thread: connections are thread-local.
            await sync_to_async(lambda: connection.ensure_connection())()
            mine = await sync_to_async(initialized)()
            opened.set()
            await looked.wait()
            await sync_to_async(lambda: connection.close())()
            return mine

    async def second() -> list[str]:
        await opened.wait()
        async with ThreadSensitiveContext():
            seen = await sync_to_async(initialized)()
        looked.set()
        return seen

    mine, seen = await asyncio.gather(first(), second())
    return mine, seen


def test_a_requests_thread_starts_with_no_database_connection() -> None:
    mine, seen = asyncio.run(_connections_each_request_sees())
    assert mine == ["default"]  # the thread that opened it sees it
    assert seen == []  # a request's new thread has none to close or reset
