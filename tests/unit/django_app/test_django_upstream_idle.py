"""The servers' upstream clients let an idle connection go before the upstream closes it, so
no call is sent on a connection that is closing (a 502 that is no fault of the upstream's)."""

import django_clients  # noqa: F401 (configures Django)
from uvicorn.config import Config

from contracts.settings import LabSettings
from django_app import upstream
from lab.serve import command


def test_idle_connections_go_before_the_upstream_closes_them() -> None:
    argv = command("upstream", LabSettings())
    assert "uvicorn" in argv
    assert not any(a.startswith("--timeout-keep-alive") for a in argv)  # uvicorn's default
    upstream_keep_alive_s = Config("slow_upstream.app:app").timeout_keep_alive
    assert upstream_keep_alive_s > upstream.IDLE_S
