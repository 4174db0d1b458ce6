"""What `lab up` prints once everything is up: each service as these settings run it, and a
command to try on a server that is actually running."""

from contracts.settings import LabSettings
from contracts.topology import BY_NAME
from lab.up import _try_line, describe


def test_the_servers_are_described_as_the_settings_run_them() -> None:
    s = LabSettings(
        web_workers=3, web_threads=8, wsgi_worker_class="gthread", asgi_server="gunicorn"
    )
    assert describe(BY_NAME["wsgi"], s) == (
        "Django on gunicorn (WSGI), 3 gthread workers, 8 threads"
    )
    assert describe(BY_NAME["asgi"], s) == "Django on gunicorn + uvicorn workers (ASGI), 3 workers"
    assert describe(BY_NAME["asgi"], LabSettings()) == "Django on uvicorn (ASGI), 2 workers"
    assert describe(BY_NAME["locust"], LabSettings(locust_workers=2)).endswith(
        "master of 2 workers"
    )


def test_behind_the_proxy_each_server_says_so_and_where_it_is_itself() -> None:
    s = LabSettings(lab_proxy="nginx")
    assert describe(BY_NAME["asgi"], s) == (
        "Django on uvicorn (ASGI), 2 workers, through nginx (itself on :18002)"
    )
    assert describe(BY_NAME["nginx"], s) == (
        "nginx: the buffering reverse proxy in front of both servers (:8001 wsgi, :8002 asgi)"
    )


def test_the_command_to_try_uses_a_server_that_runs() -> None:
    s = LabSettings()
    assert (
        _try_line(s, [BY_NAME["asgi"]]) == "Try: curl 'http://127.0.0.1:8002/io/async?delay_ms=200'"
    )
    assert _try_line(s, [BY_NAME["upstream"]]) == (
        "Try: curl 'http://127.0.0.1:8080/slow?delay_ms=200'"
    )
    assert _try_line(s, [BY_NAME["prometheus"]]) is None
