"""What the info metrics say about each way `lab serve` runs a server."""

import pytest

from django_app.observability.server import Shape, shape
from lab.settings import LabSettings


@pytest.mark.parametrize(
    ("lab", "server", "expected"),
    [
        (LabSettings(web_workers=2), "wsgi", Shape("gunicorn", "sync", 2, 1, 2)),
        (
            LabSettings(web_workers=2, web_threads=8, wsgi_worker_class="gthread"),
            "wsgi",
            Shape("gunicorn", "gthread", 2, 8, 16),
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
    ],
    ids=["sync", "gthread", "sync-with-threads", "uvicorn", "gunicorn-uvicorn"],
)
def test_shape(lab: LabSettings, server: str, expected: Shape) -> None:
    assert shape(server, lab) == expected  # type: ignore[arg-type]
