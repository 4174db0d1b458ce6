"""The server benchmark: its configurations cover every server setting, its arithmetic."""

import dataclasses
from typing import get_args

from benchmarks.servers import ASGI, WSGI, Config, Row, littles_bound, table
from contracts.settings import AsgiServer, LabSettings, WsgiServer, WsgiWorkerClass


def test_every_server_and_worker_class_has_a_configuration() -> None:
    runs = [dataclasses.replace(LabSettings(), **c.changes) for c in WSGI]
    assert {s.wsgi_server for s in runs} == set(get_args(WsgiServer))
    gunicorn = {s.wsgi_worker_class for s in runs if s.wsgi_server == "gunicorn"}
    assert gunicorn == set(get_args(WsgiWorkerClass))
    asgi = {dataclasses.replace(LabSettings(), **c.changes).asgi_server for c in ASGI}
    assert asgi == set(get_args(AsgiServer))
    assert {c.slot for c in WSGI} == {"wsgi"}
    assert {c.slot for c in ASGI} == {"asgi"}


def test_littles_bound_is_capped_by_the_server_or_the_users() -> None:
    assert littles_bound(2, 40, 100) == 20  # two sync workers
    assert littles_bound(2000, 40, 100) == 400  # the users are the cap


def test_the_table_shows_the_ratio_to_the_bound() -> None:
    row = Row(Config("gunicorn sync", "wsgi", {}), 2, 17.0, 20.0, 468.0, 0.514)
    assert table([row]).splitlines()[-1] == (
        "| gunicorn sync (wsgi) | 2 | 17 | 20 | 0.85 | 468 | 0.51 |"
    )
