import dataclasses
import math

import pytest

from contracts.settings import SERVER_SHAPING, LabSettings, SettingsError


def test_defaults_are_the_documented_ports() -> None:
    s = LabSettings.from_env({})
    assert (s.upstream_port, s.wsgi_port, s.asgi_port) == (8080, 8001, 8002)
    assert (s.locust_web_port, s.prometheus_port, s.grafana_port) == (8089, 9090, 3000)


def test_reads_and_converts_upper_case_names() -> None:
    s = LabSettings.from_env(
        {"WEB_WORKERS": "4", "UPSTREAM_TIMEOUT_S": "2.5", "ASYNC_HTTP_CLIENT": "httpx"}
    )
    assert s.web_workers == 4
    assert math.isclose(s.upstream_timeout_s, 2.5)
    assert s.async_http_client == "httpx"


def test_empty_value_means_default() -> None:
    assert LabSettings.from_env({"WSGI_PORT": ""}).wsgi_port == 8001


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WSGI_PORT": "eighty"}, "WSGI_PORT: expected a whole number such as 200, got 'eighty'"),
        ({"WSGI_PORT": "70000"}, "WSGI_PORT=70000: a port is 1-65535"),
        ({"WEB_WORKERS": "0"}, "WEB_WORKERS=0: expected 1-64"),
        ({"WEB_THREADS": "513"}, "WEB_THREADS=513: expected 1-512"),
        (
            {"UPSTREAM_TIMEOUT_S": "nan"},
            "UPSTREAM_TIMEOUT_S: expected a number such as 0.5 or 200, got 'nan'",
        ),
        ({"UPSTREAM_TIMEOUT_S": "-1"}, "UPSTREAM_TIMEOUT_S=-1.0: expected (0, 600]"),
        (
            {"WSGI_WORKER_CLASS": "eventlet"},
            "WSGI_WORKER_CLASS='eventlet': expected one of sync, gthread, gevent",
        ),
        ({"WSGI_SERVER": "waitress"}, "WSGI_SERVER='waitress': expected one of gunicorn, granian"),
        (
            {"WSGI_SERVER": "granian", "WSGI_WORKER_CLASS": "gevent"},
            "WSGI_WORKER_CLASS=gevent: gunicorn's; with WSGI_SERVER=granian leave it sync",
        ),
        ({"GEVENT_GREENLETS": "0"}, "GEVENT_GREENLETS=0: expected 1-100000"),
        ({"GRANIAN_RUNTIME_THREADS": "65"}, "GRANIAN_RUNTIME_THREADS=65: expected 1-64"),
        ({"ASGI_DB_REQUEST_STARTED": "maybe"}, "ASGI_DB_REQUEST_STARTED: expected 1 or 0"),
        (
            {"ASGI_SERVER": "daphne"},
            "ASGI_SERVER='daphne': expected one of uvicorn, gunicorn, granian",
        ),
        ({"MIDDLEWARE_STACK": "none"}, "expected one of lab, sync-only, django"),
        ({"LAB_PROXY": "varnish"}, "LAB_PROXY='varnish': expected one of off, nginx"),
        ({"LAB_INSTRUMENTATION": "0"}, "LAB_INSTRUMENTATION='0': expected one of on, off"),
        ({"GUNICORN_TIMEOUT_S": "-1"}, "GUNICORN_TIMEOUT_S=-1: expected 0 (derived) or 1-3600"),
        ({"GUNICORN_TIMEOUT_S": "2.5"}, "GUNICORN_TIMEOUT_S: expected a whole number"),
        (
            {"LAB_PUBLISH_HOST": "0.0.0.0", "LAB_PROXY": "nginx"},
            "LAB_PUBLISH_HOST=0.0.0.0: it publishes the servers themselves",
        ),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as e:
        LabSettings.from_env(env)
    assert message in str(e.value)


def test_a_gthread_worker_may_hold_500_waits() -> None:
    assert LabSettings.from_env({"WEB_THREADS": "512"}).web_threads == 512


def test_a_switch_is_a_flag() -> None:
    assert LabSettings.from_env({}).asgi_db_request_started is True
    assert LabSettings.from_env({"ASGI_DB_REQUEST_STARTED": "0"}).asgi_db_request_started is False


def test_as_env_round_trips() -> None:
    s = LabSettings.from_env({"WEB_THREADS": "8", "WSGI_WORKER_CLASS": "gthread"})
    assert LabSettings.from_env(s.as_env()) == s
    off = LabSettings.from_env({"ASGI_DB_REQUEST_STARTED": "off"})
    assert LabSettings.from_env(off.as_env()) == off


def test_instrumentation_is_on_unless_switched_off() -> None:
    assert LabSettings.from_env({}).instrumented
    assert not LabSettings.from_env({"LAB_INSTRUMENTATION": "off"}).instrumented
    # What it measures changes with it, so a server without it is not one with it.
    assert "lab_instrumentation" in SERVER_SHAPING
    s = dataclasses.replace(LabSettings(), lab_instrumentation="no")  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match="LAB_INSTRUMENTATION='no': expected one of on, off"):
        s.validate()


def test_url_never_points_at_the_wildcard_address() -> None:
    s = LabSettings.from_env({"LAB_HOST": "0.0.0.0"})
    assert s.url(8001) == "http://127.0.0.1:8001"


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({}, "http://127.0.0.1:8080"),
        ({"UPSTREAM_PORT": "9123"}, "http://127.0.0.1:9123"),
        ({"UPSTREAM_PORT": "9123", "UPSTREAM_URL": ""}, "http://127.0.0.1:9123"),
        ({"LAB_HOST": "0.0.0.0", "UPSTREAM_PORT": "9123"}, "http://127.0.0.1:9123"),
        ({"LAB_HOST": "10.1.2.3", "UPSTREAM_PORT": "9123"}, "http://10.1.2.3:9123"),
        # An explicit URL wins (compose points it at the upstream's service name).
        ({"UPSTREAM_PORT": "9123", "UPSTREAM_URL": "http://upstream:8080"}, "http://upstream:8080"),
    ],
)
def test_unset_upstream_url_follows_the_upstream_port(env: dict[str, str], url: str) -> None:
    assert LabSettings.from_env(env).upstream_url == url


def test_where_things_are_does_not_shape_a_server_and_how_it_runs_does() -> None:
    assert not [name for name in SERVER_SHAPING if name.endswith("_port")]
    assert "lab_var_dir" not in SERVER_SHAPING
    assert "upstream_url" not in SERVER_SHAPING
    assert {"web_workers", "web_threads", "asgi_server", "async_http_client"} <= set(SERVER_SHAPING)
    # A proxy in front changes every figure, so a server behind one is not a server without.
    assert "lab_proxy" in SERVER_SHAPING
    assert not LabSettings().proxy_on
    assert LabSettings.from_env({"LAB_PROXY": "nginx"}).proxy_on
    assert set(LabSettings().server_shaping()) == set(SERVER_SHAPING)


def test_choices_made_in_code_are_checked_too() -> None:
    # An exercise's phase sets fields with dataclasses.replace, past from_env's parser.
    s = dataclasses.replace(LabSettings(), middleware_stack="sync_only")  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match="MIDDLEWARE_STACK='sync_only': expected one of"):
        s.validate()
    dataclasses.replace(LabSettings(), middleware_stack="django").validate()
