"""How each server configuration runs, as the info metrics and `lab up` report it."""

import pytest

from contracts.servers import ServerName, Shape, describe, shape
from contracts.settings import LabSettings


@pytest.mark.parametrize(
    ("lab", "server", "expected"),
    [
        (LabSettings(web_workers=2), "wsgi", Shape("gunicorn", "sync", 2, 1, 2)),
        (
            LabSettings(web_workers=2, web_threads=8, wsgi_worker_class="gthread"),
            "wsgi",
            Shape("gunicorn", "gthread", 2, 8, 16),
        ),
        # Greenlets are the gevent worker's concurrency, not WEB_THREADS.
        (
            LabSettings(web_workers=2, web_threads=8, wsgi_worker_class="gevent"),
            "wsgi",
            Shape("gunicorn", "gevent", 2, 1000, 2000),
        ),
        # More greenlets than pooled upstream connections: the pool caps the waits.
        (
            LabSettings(wsgi_worker_class="gevent", gevent_greenlets=2000, upstream_pool_size=300),
            "wsgi",
            Shape("gunicorn", "gevent", 2, 2000, 600),
        ),
        (
            LabSettings(web_workers=3, web_threads=4, wsgi_server="granian"),
            "wsgi",
            Shape("granian", "granian", 3, 4, 12),
        ),
        (
            LabSettings(web_workers=1, web_threads=64, wsgi_server="granian", upstream_pool_size=8),
            "wsgi",
            Shape("granian", "granian", 1, 64, 8),
        ),
        (
            LabSettings(web_workers=2, asgi_server="granian", upstream_pool_size=50),
            "asgi",
            Shape("granian", "granian", 2, 1, 100),
        ),
        # gunicorn promotes a sync worker with threads to gthread.
        (LabSettings(web_workers=1, web_threads=4), "wsgi", Shape("gunicorn", "gthread", 1, 4, 4)),
        (
            LabSettings(web_workers=3, upstream_pool_size=100),
            "asgi",
            Shape("uvicorn", "uvicorn", 3, 1, 300),
        ),
        (
            LabSettings(web_workers=2, asgi_server="gunicorn", upstream_pool_size=10),
            "asgi",
            Shape("gunicorn", "uvicorn", 2, 1, 20),
        ),
        # Behind the proxy: the same server, and it says so.
        (
            LabSettings(web_workers=2, lab_proxy="nginx"),
            "wsgi",
            Shape("gunicorn", "sync", 2, 1, 2, "nginx"),
        ),
        (
            LabSettings(web_workers=3, upstream_pool_size=100, lab_proxy="nginx"),
            "asgi",
            Shape("uvicorn", "uvicorn", 3, 1, 300, "nginx"),
        ),
    ],
    ids=[
        "sync",
        "gthread",
        "gevent",
        "gevent-past-the-pool",
        "granian-wsgi",
        "granian-wsgi-past-the-pool",
        "granian-asgi",
        "sync-with-threads",
        "uvicorn",
        "gunicorn-uvicorn",
        "sync-behind-nginx",
        "uvicorn-behind-nginx",
    ],
)
def test_shape_follows_the_settings_as_the_server_runs_them(
    lab: LabSettings, server: ServerName, expected: Shape
) -> None:
    assert shape(server, lab) == expected


@pytest.mark.parametrize(
    ("lab", "server", "line"),
    [
        (
            LabSettings(wsgi_worker_class="gevent", gevent_greenlets=200),
            "wsgi",
            "Django on gunicorn (WSGI), 2 gevent workers of 200 greenlets",
        ),
        (
            LabSettings(wsgi_server="granian", web_threads=4),
            "wsgi",
            "Django on granian (WSGI), 2 workers, 4 blocking threads",
        ),
        (LabSettings(asgi_server="granian"), "asgi", "Django on granian (ASGI), 2 workers"),
    ],
    ids=["gevent", "granian-wsgi", "granian-asgi"],
)
def test_each_configuration_describes_itself(
    lab: LabSettings, server: ServerName, line: str
) -> None:
    assert describe(server, lab) == line
