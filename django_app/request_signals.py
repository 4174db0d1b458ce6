"""Why every ASGI request holds an OS thread, and the switch that drops it.

Django's ASGI handler serves each request inside a `ThreadSensitiveContext` of its own and
sends `request_started` with `asend`, which runs the sync receivers through `sync_to_async`:
on the thread that context starts for them, a new one per request, which lives until the
request ends. `django.db` connects two (`reset_queries`, `close_old_connections`), so every
ASGI request holds a thread from before its view runs until it ends, even an async view
that never touches the database.

Both find nothing to do there. Django's database connections are thread-local, and that
thread has just been started: it has no connection to close and no query log to empty. (Under
WSGI the thread serves request after request, and they matter.) The connections a request
opens, on that same thread through `sync_to_async`, are closed when it ends by
`request_finished`, which Django sends from `response.close()` on that thread too.

With `ASGI_DB_REQUEST_STARTED=False` the ASGI server disconnects the two, so an async view
runs with no thread until its response is closed. `request_finished` and its receivers stay.
"""

from __future__ import annotations

from django.core.signals import request_started
from django.db import close_old_connections, reset_queries

from contracts.settings import LabSettings
from django_app.observability.server import Server


def install(lab: LabSettings, server: Server | None) -> bool:
    """Drop the two receivers when this process is the ASGI server and the setting asks for
    it; returns whether it did. Under WSGI, and in Django's test clients, nothing changes."""
    if lab.asgi_db_request_started or server != "asgi":
        return False
    request_started.disconnect(reset_queries)
    request_started.disconnect(close_old_connections)
    return True
