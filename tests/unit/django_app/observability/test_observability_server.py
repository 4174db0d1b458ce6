"""Which server a process is, and the info metrics' housekeeping across workers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from django_app.observability.server import _started_as, forget_dead_workers


def test_a_dead_workers_live_gauges_are_forgotten(tmp_path: Path) -> None:
    # A real worker-like process writes a live gauge in multiprocess mode, then dies.
    code = (
        "from prometheus_client import Gauge\n"
        "Gauge('lab_test_in_flight', 'x', multiprocess_mode='livesum').set(3)\n"
        "import os; print(os.getpid())\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    dead = int(
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    assert (tmp_path / f"gauge_livesum_{dead}.db").exists()
    alive = tmp_path / f"gauge_livesum_{os.getpid()}.db"
    alive.write_bytes((tmp_path / f"gauge_livesum_{dead}.db").read_bytes())
    assert forget_dead_workers(str(tmp_path)) == [dead]
    assert not (tmp_path / f"gauge_livesum_{dead}.db").exists()
    assert alive.exists()  # this process lives: its gauges stay


def test_without_multiprocess_mode_there_is_nothing_to_forget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert forget_dead_workers() == []


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"LAB_SERVER": "wsgi"}, "wsgi"), ({"LAB_SERVER": "asgi"}, "asgi"), ({}, None)],
    ids=["wsgi", "asgi", "no-server-command"],
)
def test_the_server_is_the_one_the_process_was_started_as(
    env: dict[str, str], expected: str | None
) -> None:
    assert _started_as(env) == expected


def test_a_process_started_as_another_service_is_refused_with_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="LAB_SERVER='upstream'"):
        _started_as({"LAB_SERVER": "upstream"})
